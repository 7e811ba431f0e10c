#include "format/align.h"

#include <algorithm>
#include <string_view>

namespace mixtral::format {
namespace {

struct Line {
  std::string_view code;     // the whole line when it has no trailing comment
  std::string_view comment;  // empty when none
  bool has_comment = false;
};

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t Indent(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[n] == ' ') ++n;
  return n;
}

}  // namespace

std::string AlignTrailingComments(const Printed& printed) {
  std::string_view text = printed.text;
  std::vector<Line> lines;
  size_t next_comment = 0;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    Line line{text.substr(begin, end - begin), {}, false};
    const auto& at = printed.trailing_comments;
    while (next_comment < at.size() && at[next_comment] < begin) ++next_comment;
    if (next_comment < at.size() && at[next_comment] < end) {
      size_t off = at[next_comment];
      line.code = text.substr(begin, off - begin);
      line.comment = text.substr(off + 1, end - off - 1);
      line.has_comment = true;
    }
    lines.push_back(line);
    begin = end + 1;
  }

  // A paragraph: consecutive lines of code with the same indent. Blank lines,
  // own-line comments and a change of indent end it.
  auto is_code = [](const Line& l) {
    std::string_view s = l.code.substr(Indent(l.code));
    return !s.empty() && s[0] != '#' && s.substr(0, 2) != "//";
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < lines.size();) {
    size_t j = i + 1;
    if (is_code(lines[i])) {
      size_t indent = Indent(lines[i].code);
      while (j < lines.size() && is_code(lines[j]) && Indent(lines[j].code) == indent) ++j;
    }
    size_t column = 0;
    for (size_t k = i; k < j; ++k)
      if (lines[k].has_comment) column = std::max(column, CodePoints(lines[k].code) + 1);
    for (size_t k = i; k < j; ++k) {
      out += lines[k].code;
      if (lines[k].has_comment) {
        out.append(column - CodePoints(lines[k].code), ' ');
        out += lines[k].comment;
      }
      out += '\n';
    }
    i = j;
  }
  if (!text.empty() && text.back() != '\n') out.pop_back();
  return out;
}

}  // namespace mixtral::format
