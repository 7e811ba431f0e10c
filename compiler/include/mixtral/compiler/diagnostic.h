// User diagnostics: what is wrong with a policy or an input, and where.
//
// Diagnostics are collected, sorted by location and rendered in one format
// (contract §9), which the CLI, the tests and the language server share:
//
//   policy.mxl:3:14: error[E0201]: unknown field `request.teir`
//      3 |   require x: request.teir == pro
//        |              ^~~~~~~~~~~~
//
// Internal errors (bugs in mixtral) are not diagnostics; see internal.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mixtral {

enum class Severity : uint8_t { kError, kWarning };

// line and col are 1-based; col counts Unicode code points.
struct SourceLoc {
  uint32_t line = 0;
  uint32_t col = 0;
};

struct SourceRange {
  uint32_t file = 0;  // index into SourceSet
  SourceLoc begin;
  SourceLoc end;  // inclusive last character; equal to begin for one character
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  // stable: "E0201", "W0301"
  SourceRange range;
  std::string message;
  std::vector<std::pair<SourceRange, std::string>> notes;
};

// The source files of one compilation (the policy and its imports).
class SourceSet {
 public:
  uint32_t Add(std::string path, std::string text);
  const std::string& path(uint32_t file) const { return files_[file].path; }
  const std::string& text(uint32_t file) const { return files_[file].text; }
  size_t size() const { return files_.size(); }
  // The text of a 1-based line, without its line terminator; empty if absent.
  std::string_view Line(uint32_t file, uint32_t line) const;

 private:
  struct File {
    std::string path;
    std::string text;
  };
  std::vector<File> files_;
};

class Diagnostics {
 public:
  void Error(std::string code, SourceRange range, std::string message);
  void Warning(std::string code, SourceRange range, std::string message);
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  // Sorted by file, line, column, then insertion order.
  std::vector<Diagnostic> Sorted() const;
  const std::vector<Diagnostic>& items() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

// `file:line:col: error[CODE]: message`, the source line and a caret line.
std::string RenderDiagnostic(const Diagnostic& d, const SourceSet& sources);

}  // namespace mixtral
