// The layout pass: decides, for each gap between two tokens, where the
// comments go, whether the gap breaks the line, how many blank lines it keeps
// and how far the next line is indented. The rules are listed in print.h.
#include "format/print.h"

#include <algorithm>

namespace mixtral::format {
namespace {

constexpr int kIndent = 2;  // per block level, per open bracket and for a continued line

bool OneLineKind(DeclKind k) {
  switch (k) {
    case DeclKind::kImport:
    case DeclKind::kType:
    case DeclKind::kLet:
    case DeclKind::kTarget:
    case DeclKind::kCounter:
    case DeclKind::kBreaker:
    case DeclKind::kAssert:
      return true;
    default:
      return false;
  }
}

bool HasComment(const Token& t) {
  return std::any_of(t.before.begin(), t.before.end(),
                     [](const Trivia& v) { return v.is_comment; });
}

int Newlines(const Token& t) {
  int n = 0;
  for (const Trivia& v : t.before) n += v.newlines;
  return n;
}

class Printer {
 public:
  explicit Printer(const TokenTable& t) : t_(t) {}

  Printed Run() {
    for (size_t i = 0; i < t_.size(); ++i) Emit(i);
    if (!out_.text.empty() && out_.text.back() != '\n') out_.text += '\n';
    return std::move(out_);
  }

 private:
  // Whether the gap before token i holds a line break in the output.
  bool Breaks(size_t i) const {
    const Token& b = t_[i];
    if (HasComment(b)) return true;  // a comment runs to the end of its line
    if (i == 0 || b.eof) return false;
    if (b.starts != Starts::kNone) return true;
    if (b.bracket == Bracket::kBlockClose) return b.partner != i - 1;  // `{}`
    if (b.bracket == Bracket::kBlockOpen) return false;                // `{` ends the opening line
    if (b.bracket == Bracket::kClose && b.partner == i - 1) return false;  // `()`, `[]`, `{}`
    return Newlines(b) > 0;                                                // kept as written
  }

  // Indent of the line that token b starts.
  int CodeIndent(const Token& b) const {
    if (b.starts == Starts::kDecl) return 0;
    if (b.starts == Starts::kItem) return kIndent * depth_;
    if (b.bracket == Bracket::kBlockClose) return kIndent * (depth_ - 1);
    if (open_.empty()) return item_indent_ + kIndent;
    if (b.bracket == Bracket::kClose) return open_.back();
    return open_.back() + kIndent;
  }

  // Indent of an own-line comment written before token b.
  int CommentIndent(const Token& b) const {
    if (b.eof || b.starts == Starts::kDecl) return 0;
    if (b.starts == Starts::kItem || b.bracket == Bracket::kBlockClose) return kIndent * depth_;
    if (open_.empty()) return item_indent_ + kIndent;
    return open_.back() + kIndent;
  }

  // Whether the line break at `position` of the gap before token i (0 is the
  // first break in the gap) is preceded by a blank line.
  bool Blank(size_t i, int position, bool last, bool written_blank) const {
    const Token& b = t_[i];
    bool boundary = b.starts != Starts::kNone || b.bracket == Bracket::kBlockClose || b.eof;
    if (!boundary) return false;       // none inside an item
    if (i == 0) return written_blank;  // between comments before the first token
    const Token& a = t_[i - 1];
    if (last && b.bracket == Bracket::kBlockClose) return false;
    if (position == 0 && a.bracket == Bracket::kBlockOpen) return false;
    if (position == 0 && b.starts == Starts::kDecl) {
      bool may_touch = b.decl == prev_decl_ && OneLineKind(b.decl);
      return may_touch ? written_blank : true;
    }
    return written_blank;
  }

  void NewLine(bool blank, int indent) {
    if (!out_.text.empty()) out_.text += blank ? "\n\n" : "\n";
    out_.text.append(static_cast<size_t>(indent), ' ');
  }

  void Emit(size_t i) {
    const Token& b = t_[i];
    int position = 0;
    int newlines = 0;  // since the previous token or comment
    bool after_comment = false;
    for (const Trivia& v : b.before) {
      if (!v.is_comment) {
        newlines += v.newlines;
        continue;
      }
      if (i > 0 && !after_comment && newlines == 0) {
        out_.trailing_comments.push_back(out_.text.size());
        out_.text += " ";  // a trailing comment stays on its line
      } else {
        NewLine(Blank(i, position, false, newlines >= 2), CommentIndent(b));
        ++position;
      }
      out_.text += v.text;
      after_comment = true;
      newlines = 0;
    }
    if (b.eof) return;

    const Token* a = i > 0 ? &t_[i - 1] : nullptr;
    if (Breaks(i)) {
      line_indent_ = CodeIndent(b);
      NewLine(Blank(i, position, true, newlines >= 2), line_indent_);
    } else if (a && !a->glue_after && !b.glue_before && !(b.partner == i - 1)) {
      out_.text += ' ';
    }
    out_.text += b.text;

    if (b.starts == Starts::kDecl) {
      item_indent_ = 0;
      prev_decl_ = b.decl;
    } else if (b.starts == Starts::kItem) {
      item_indent_ = kIndent * depth_;
    }
    switch (b.bracket) {
      case Bracket::kBlockOpen:
        ++depth_;
        break;
      case Bracket::kBlockClose:
        --depth_;
        item_indent_ = kIndent * depth_;
        break;
      case Bracket::kOpen:
        open_.push_back(line_indent_);
        break;
      case Bracket::kClose:
        if (!open_.empty()) open_.pop_back();
        break;
      case Bracket::kNone:
        break;
    }
  }

  const TokenTable& t_;
  Printed out_;
  DeclKind prev_decl_ = DeclKind::kHeader;
  int depth_ = 0;          // open blocks
  int item_indent_ = 0;    // indent of the current item's first line
  int line_indent_ = 0;    // indent of the current line
  std::vector<int> open_;  // per open inline bracket: the indent of its line
};

}  // namespace

Printed Print(const TokenTable& tokens) { return Printer(tokens).Run(); }

}  // namespace mixtral::format
