// Formatting a policy: source text in, its canonical layout out.
//
//   mixtral::FormatResult r = mixtral::FormatSource("policy.mxl", text);
//   for (const auto& d : r.diagnostics.Sorted())
//     std::cerr << mixtral::RenderDiagnostic(d, r.sources);
//   if (r.text && *r.text != text) { ... the file is not canonical ... }
//
// The canonical layout (the style rules are listed in compiler/src/format/print.h):
// declarations start at column 0, block bodies (request, target attributes,
// telemetry, response, route, split, cascade, test, expect) hold one item per
// line indented by two spaces, and the space between tokens is normalized.
// Formatting changes only whitespace: every token and every comment is kept,
// in order, so the result means exactly what the input meant. It is idempotent:
// formatting the result again returns it unchanged.
//
// A file that does not parse comes back with the same located diagnostics as
// `mixtral check` gives for it and no text. Nothing throws. FormatSource is
// reentrant: any number of threads may call it at once.
#pragma once

#include <optional>
#include <string>

#include "mixtral/compiler/diagnostic.h"

namespace mixtral {

struct FormatResult {
  // The canonical text; set only when the input parsed and was formatted.
  std::optional<std::string> text;
  Diagnostics diagnostics;
  SourceSet sources;  // the input, for RenderDiagnostic
  // True when formatting failed because of a bug in mixtral rather than in
  // the input (the diagnostics then carry code E0000).
  bool internal_error = false;
};

// Formats one policy or imported module. `path` only names the file in
// diagnostics; nothing is read from disk.
FormatResult FormatSource(const std::string& path, std::string text);

}  // namespace mixtral
