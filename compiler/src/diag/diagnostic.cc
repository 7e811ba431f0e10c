#include "mixtral/compiler/diagnostic.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>

namespace mixtral {

uint32_t SourceSet::Add(std::string path, std::string text) {
  files_.push_back(File{std::move(path), std::move(text)});
  return static_cast<uint32_t>(files_.size() - 1);
}

std::string_view SourceSet::Line(uint32_t file, uint32_t line) const {
  if (file >= files_.size() || line == 0) return {};
  std::string_view text = files_[file].text;
  size_t pos = 0;
  for (uint32_t l = 1; l < line; ++l) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return {};
    pos = nl + 1;
  }
  size_t end = text.find('\n', pos);
  std::string_view out =
      text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

void Diagnostics::Error(std::string code, SourceRange range, std::string message) {
  items_.push_back(Diagnostic{Severity::kError, std::move(code), range, std::move(message), {}});
}

void Diagnostics::Warning(std::string code, SourceRange range, std::string message) {
  items_.push_back(Diagnostic{Severity::kWarning, std::move(code), range, std::move(message), {}});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<size_t> order(items_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const SourceRange& x = items_[a].range;
    const SourceRange& y = items_[b].range;
    return std::tie(x.file, x.begin.line, x.begin.col) <
           std::tie(y.file, y.begin.line, y.begin.col);
  });
  std::vector<Diagnostic> out;
  out.reserve(items_.size());
  for (size_t i : order) out.push_back(items_[i]);
  return out;
}

namespace {

// Byte offset of the 1-based code point column `col` within `line`.
size_t ByteOfColumn(std::string_view line, uint32_t col) {
  size_t pos = 0;
  for (uint32_t c = 1; c < col && pos < line.size(); ++c) {
    ++pos;
    while (pos < line.size() && (static_cast<unsigned char>(line[pos]) & 0xC0) == 0x80) ++pos;
  }
  return pos;
}

void AppendSnippet(std::string& out, const SourceSet& sources, const SourceRange& r) {
  if (r.begin.line == 0 || r.file >= sources.size()) return;
  std::string_view line = sources.Line(r.file, r.begin.line);
  std::string num = std::to_string(r.begin.line);
  out += std::string(num.size() + 1, ' ') + "|\n";
  out += " " + num + " | " + std::string(line) + "\n";
  out += std::string(num.size() + 1, ' ') + "| ";
  // Tabs stay tabs so that the caret lines up under them.
  size_t caret_byte = ByteOfColumn(line, r.begin.col);
  for (size_t i = 0; i < caret_byte && i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += (c == '\t') ? '\t' : ' ';
  }
  uint32_t width = 1;
  if (r.end.line == r.begin.line && r.end.col > r.begin.col) width = r.end.col - r.begin.col + 1;
  out += "^" + std::string(width - 1, '~') + "\n";
}

}  // namespace

std::string RenderDiagnostic(const Diagnostic& d, const SourceSet& sources) {
  std::string out;
  const std::string& path = d.range.file < sources.size() ? sources.path(d.range.file) : "<input>";
  out += path + ":" + std::to_string(d.range.begin.line) + ":" + std::to_string(d.range.begin.col) +
         ": " + (d.severity == Severity::kError ? "error" : "warning") + "[" + d.code +
         "]: " + d.message + "\n";
  AppendSnippet(out, sources, d.range);
  for (const auto& [range, note] : d.notes) {
    const std::string& npath = range.file < sources.size() ? sources.path(range.file) : "<input>";
    out += npath + ":" + std::to_string(range.begin.line) + ":" + std::to_string(range.begin.col) +
           ": note: " + note + "\n";
    AppendSnippet(out, sources, range);
  }
  return out;
}

}  // namespace mixtral
