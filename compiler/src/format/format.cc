// The formatter's driver: the front end's parse first, so that a file that
// does not parse gets the diagnostics `mixtral check` gives it, then the
// formatter's passes in order: annotate (ANTLR), print, align, verify.
#include "mixtral/compiler/format.h"

#include <exception>

#include "ast/ast.h"
#include "format/align.h"
#include "format/annotate.h"
#include "format/print.h"
#include "format/verify.h"
#include "parse/parse.h"

namespace mixtral {

FormatResult FormatSource(const std::string& path, std::string text) {
  FormatResult r;
  const uint32_t file = r.sources.Add(path, std::move(text));
  const std::string& body = r.sources.text(file);
  auto internal = [&](const std::string& why) {
    r.text.reset();
    r.internal_error = true;
    r.diagnostics.Error("E0000", SourceRange{file, {}, {}}, "internal formatter error: " + why);
  };
  try {
    // The checks of the parse stage (size, UTF-8, nesting, syntax, literals,
    // dashed names). A file without a header is a module, so E0108 does not
    // apply; warnings are the checker's business, not the formatter's.
    Diagnostics parse_diags;
    ast::Program program;
    parse::ParseFile(file, body, /*is_root=*/true, &program, &parse_diags);
    for (const Diagnostic& d : parse_diags.items())
      if (d.severity == Severity::kError && d.code != "E0108") r.diagnostics.Add(d);
    if (r.diagnostics.has_errors()) return r;

    format::TokenTable tokens;
    std::string why;
    if (!format::Annotate(body, &tokens, &why)) {
      internal(why);
      return r;
    }
    std::string out = format::AlignTrailingComments(format::Print(tokens));
    auto before = format::SignificantTokens(body);
    auto after = format::SignificantTokens(out);
    if (!before || !after || *before != *after) {
      internal("the formatted text does not have the input's tokens");
      return r;
    }
    r.text = std::move(out);
  } catch (const std::exception& e) {
    internal(e.what());
  } catch (...) {
    internal("unknown exception");
  }
  return r;
}

}  // namespace mixtral
