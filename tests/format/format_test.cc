// The formatter's promises, over the corpus (tests/format/corpus: oddly laid
// out policies, each with its canonical form written by hand in *.expected)
// and over every example policy under examples/:
//  - formatting twice changes nothing;
//  - only whitespace changes: the tokens, comments included, are the same;
//  - the meaning is the same: the parsed declarations and every expression
//    (ast::PrintExpr) match, and a policy that compiled still compiles to the
//    same routes, targets and schemas;
//  - horizontal whitespace and extra blank lines never change the output.
#include "mixtral/compiler/format.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "format/verify.h"
#include "mixtral/compiler/compiler.h"
#include "parse/parse.h"
#include "program_text.h"

namespace mixtral {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> Files(const fs::path& dir, const std::string& ext, bool recursive) {
  std::vector<fs::path> out;
  auto take = [&](const fs::directory_entry& e) {
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) take(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) take(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> CorpusInputs() { return Files(MIXTRAL_FORMAT_CORPUS, ".mxl", false); }

std::vector<fs::path> AllPolicies() {
  std::vector<fs::path> all = CorpusInputs();
  for (const auto& p : Files(MIXTRAL_FORMAT_CORPUS, ".expected", false)) all.push_back(p);
  for (const auto& p : Files(MIXTRAL_EXAMPLES_DIR, ".mxl", true)) all.push_back(p);
  return all;
}

std::string Rendered(const FormatResult& r) {
  std::string s;
  for (const Diagnostic& d : r.diagnostics.Sorted()) s += RenderDiagnostic(d, r.sources);
  return s;
}

// The file's meaning as the front end parses it.
std::string Meaning(const std::string& text) {
  ast::Program program;
  Diagnostics diags;
  parse::ParseFile(0, text, /*is_root=*/true, &program, &diags);
  for (const Diagnostic& d : diags.items())
    if (d.code != "E0108") return "parse error " + d.code + ": " + d.message;
  return testing::ProgramText(program);
}

std::string Compiled(const CompileResult& r) {
  std::string s;
  for (const Diagnostic& d : r.diagnostics.Sorted()) s += d.code + " ";
  if (!r.policy) return s + "no policy";
  const Policy& p = *r.policy;
  s += p.name + " " + p.version + " stale " + std::to_string(p.stale_after_ms.value_or(-1));
  for (const auto& x : p.routes) s += " route " + x;
  for (const auto& x : p.static_targets) s += " target " + x;
  for (const auto& x : p.counters) s += " counter " + x;
  for (const Schema* schema : {&p.request, &p.attributes, &p.telemetry, &p.response}) {
    s += " |";
    for (const auto& f : schema->fields) s += " " + f.name;
  }
  return s;
}

// No trailing blanks, no tabs in the indent, at most one blank line in a row,
// none at the start, and one line feed at the end.
void CheckShape(const std::string& out) {
  if (out.empty()) return;
  CHECK(out.back() == '\n');
  CHECK(out.front() != '\n');
  CHECK(out.find("\n\n\n") == std::string::npos);
  CHECK(out.find(" \n") == std::string::npos);
  CHECK(out.find("\n\t") == std::string::npos);
  CHECK(out.find('\r') == std::string::npos);
}

// Checks every promise for one input and returns its formatted text.
std::string CheckPromises(const std::string& path, const std::string& text) {
  FormatResult r = FormatSource(path, text);
  INFO(Rendered(r));
  REQUIRE(r.text.has_value());
  const std::string& out = *r.text;

  FormatResult again = FormatSource(path, out);
  REQUIRE(again.text.has_value());
  CHECK(*again.text == out);

  auto before = format::SignificantTokens(text);
  auto after = format::SignificantTokens(out);
  REQUIRE(before.has_value());
  REQUIRE(after.has_value());
  CHECK(before->size() == after->size());
  CHECK(*before == *after);

  CHECK(Meaning(text) == Meaning(out));
  CheckShape(out);

  // Imports resolve relative to `path`, so both compile in the same place.
  CompileResult a = CompileSource(path, text);
  if (a.policy) CHECK(Compiled(a) == Compiled(CompileSource(path, out)));
  return out;
}

// A scanner for the whitespace between tokens (strings and comments skipped).
struct Run {
  size_t begin, end;
  int newlines;
};

std::vector<Run> WhitespaceRuns(const std::string& s) {
  std::vector<Run> runs;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '"') {
      for (++i; i < s.size() && s[i] != '"' && s[i] != '\n'; ++i)
        if (s[i] == '\\') ++i;
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < s.size() && s[i + 1] == '/')) {
      while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      Run r{i, i, 0};
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        r.newlines += s[i++] == '\n';
      r.end = i;
      runs.push_back(r);
    } else {
      ++i;
    }
  }
  return runs;
}

// Rewrites every whitespace run. `move_lines` false keeps each run's line
// breaks (and whether it held a blank line); true may add line breaks.
std::string Perturb(const std::string& s, std::mt19937& rng, bool move_lines) {
  auto blanks = [&] {
    std::string b;
    for (int n = static_cast<int>(rng() % 3) + 1; n > 0; --n) b += rng() % 2 ? ' ' : '\t';
    return b;
  };
  std::string out;
  size_t at = 0;
  for (const Run& r : WhitespaceRuns(s)) {
    out.append(s, at, r.begin - at);
    at = r.end;
    if (r.newlines == 0 && s.find('\r', r.begin) < r.end) {
      out.append(s, r.begin, r.end - r.begin);  // a lone CR ends a comment: keep it
      continue;
    }
    int lines = r.newlines;
    if (lines >= 2) lines = 2 + static_cast<int>(rng() % 3);
    if (move_lines && rng() % 4 == 0) lines += 1 + static_cast<int>(rng() % 2);
    out += blanks();
    for (int i = 0; i < lines; ++i) out += (rng() % 2 ? "\n" : "\r\n") + blanks();
  }
  out.append(s, at, std::string::npos);
  return out;
}

TEST_CASE("the corpus formats to its hand-written canonical form") {
  std::vector<fs::path> inputs = CorpusInputs();
  CHECK(inputs.size() >= 15);
  for (const fs::path& in : inputs) {
    fs::path expected_path = fs::path(in).replace_extension(".expected");
    CAPTURE(in.string());
    REQUIRE(fs::exists(expected_path));
    std::string expected = ReadFile(expected_path);
    FormatResult r = FormatSource(in.string(), ReadFile(in));
    INFO(Rendered(r));
    REQUIRE(r.text.has_value());
    CHECK(*r.text == expected);
    FormatResult canonical = FormatSource(expected_path.string(), expected);
    REQUIRE(canonical.text.has_value());
    CHECK(*canonical.text == expected);
  }
}

TEST_CASE("every corpus file and example: idempotent, only whitespace, same meaning") {
  std::vector<fs::path> all = AllPolicies();
  CHECK(all.size() >= 32);
  for (const fs::path& p : all) {
    CAPTURE(p.string());
    CheckPromises(p.string(), ReadFile(p));
  }
}

TEST_CASE("layout-neutral whitespace never changes the output") {
  std::mt19937 rng(20261127);
  for (const fs::path& p : AllPolicies()) {
    CAPTURE(p.string());
    std::string text = ReadFile(p);
    FormatResult r = FormatSource(p.string(), text);
    REQUIRE(r.text.has_value());
    for (int round = 0; round < 4; ++round) {
      std::string shaken = Perturb(text, rng, /*move_lines=*/false);
      CAPTURE(shaken);
      FormatResult s = FormatSource(p.string(), shaken);
      REQUIRE(s.text.has_value());
      CHECK(*s.text == *r.text);
    }
  }
}

TEST_CASE("extra line breaks keep the promises") {
  std::mt19937 rng(7);
  for (const fs::path& p : AllPolicies()) {
    CAPTURE(p.string());
    std::string text = ReadFile(p);
    for (int round = 0; round < 3; ++round) {
      std::string shaken = Perturb(text, rng, /*move_lines=*/true);
      CAPTURE(shaken);
      CheckPromises(p.string(), shaken);
    }
  }
}

TEST_CASE("damaged policies: diagnostics or a promise-keeping format, never an internal error") {
  const char* pieces[] = {"-",  "(", ")",  "{", "}", "[", "]",    ",",  ":", "?", "#", "//",
                          "\n", " ", "\"", ".", "<", ">", "not ", "\r", ";", "=", "x", "1"};
  std::mt19937 rng(99);
  for (const fs::path& p : CorpusInputs()) {
    CAPTURE(p.string());
    const std::string text = ReadFile(p);
    for (int round = 0; round < 12; ++round) {
      std::string s = text;
      for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
        size_t at = rng() % (s.size() + 1);
        if (rng() % 2 && at < s.size()) {
          s.erase(at, 1);
        } else {
          s.insert(at, pieces[rng() % std::size(pieces)]);
        }
      }
      CAPTURE(s);
      FormatResult r = FormatSource(p.string(), s);
      INFO(Rendered(r));
      CHECK_FALSE(r.internal_error);
      if (r.text) {
        CheckPromises(p.string(), s);
      } else {
        CHECK(r.diagnostics.has_errors());
      }
    }
  }
}

TEST_CASE("small inputs") {
  struct Case {
    const char* name;
    std::string in, out;
  };
  const Case cases[] = {
      {"empty file", "", ""},
      {"blank lines only", "\n\n  \n", ""},
      {"one comment, no line feed", "# only a comment", "# only a comment\n"},
      {"comments and blank lines", "\n\n# c  \n\n\n\t// d\n\n", "# c\n\n// d\n"},
      {"header without a line feed", "policy p version \"1\"", "policy p version \"1\"\n"},
      {"comment swallows nothing after a lone CR", "let a = 1 # x\rlet b = 2\n",
       "let a = 1 # x\nlet b = 2\n"},
      {"module", "let a=1 let b=2", "let a = 1\nlet b = 2\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    FormatResult r = FormatSource("in.mxl", c.in);
    INFO(Rendered(r));
    REQUIRE(r.text.has_value());
    CHECK(*r.text == c.out);
  }
}

TEST_CASE("a file that does not parse gets located diagnostics and no text") {
  struct Case {
    const char* name;
    std::string text;
    const char* code;
    uint32_t line, col;
  };
  const Case cases[] = {
      {"syntax error", "policy p version \"1\"\nroute r {\n  require a:\n}\n", "E0001", 4, 1},
      {"invalid character", "policy p version \"1\"\nlet x = 1 $\n", "E0002", 2, 11},
      {"unterminated string", "let x = \"abc\n", "E0008", 1, 9},
      {"invalid UTF-8", "let x = 1\n# \xff\n", "E0003", 2, 3},
      {"spaces in a dashed target name", "target gpu - eu { k: 1 }\n", "E0009", 1, 8},
      {"nesting too deep", "let x = " + std::string(300, '(') + "1" + std::string(300, ')'),
       "E0006", 1, 265},
      {"integer out of range", "let x = 99999999999999999999\n", "E0007", 1, 9},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    FormatResult r = FormatSource("bad.mxl", c.text);
    INFO(Rendered(r));
    CHECK_FALSE(r.text.has_value());
    CHECK_FALSE(r.internal_error);
    std::vector<Diagnostic> ds = r.diagnostics.Sorted();
    REQUIRE(!ds.empty());
    CHECK(ds[0].code == c.code);
    CHECK(ds[0].range.begin.line == c.line);
    CHECK(ds[0].range.begin.col == c.col);
    CHECK(Rendered(r).rfind("bad.mxl:" + std::to_string(c.line) + ":", 0) == 0);
  }
}

}  // namespace
}  // namespace mixtral
