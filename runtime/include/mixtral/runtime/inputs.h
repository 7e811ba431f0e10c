// Binding JSON inputs (requests, snapshots, inventories) to a policy's schemas,
// and writing decisions as JSON. Contract §8 (inputs and limits) and §12
// (canonical form) are normative here.
//
//   mixtral::BoundRequest req;
//   if (auto err = mixtral::BindRequestJson(*policy, text, {.reject_unknown = true}, &req))
//     std::cerr << err->path << ": " << err->message << "\n";   // request.tier: unknown enum value
//     "gold"
//
// Nothing here throws; every malformed input comes back as an InputError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mixtral/compiler/decision.h"
#include "mixtral/compiler/input.h"
#include "mixtral/compiler/policy.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral {

// Limits from contract §8.
inline constexpr size_t kMaxRequestBytes = 64 * 1024;
inline constexpr size_t kMaxSnapshotBytes = 64 * 1024 * 1024;
inline constexpr int kMaxJsonDepth = 64;
inline constexpr size_t kMaxStringFieldBytes = 4 * 1024;

struct InputError {
  std::string code;                   // stable, e.g. "E1013"
  std::string path;                   // JSON path: "request.tier", "snapshot.targets[3].p95_ms"
  std::string message;                // "unknown enum value \"gold\""
  std::optional<size_t> byte_offset;  // for syntax and UTF-8 errors
  // "request.tier: unknown enum value \"gold\""
  std::string ToString() const;
};

struct RequestBindOptions {
  bool reject_unknown = true;  // the CLI rejects unknown fields; the library counts them
  // Flat requests of scalars are bound straight from the parser's events;
  // false always builds the JSON document first. Both give the same result,
  // which is what the tests compare.
  bool flat_fast_path = true;
};

struct RequestBindInfo {
  std::optional<std::string> decision_id;  // the value of the schema's `id` field, if present
  uint64_t unknown_fields = 0;
};

std::optional<InputError> BindRequestJson(const Policy& policy, std::string_view json,
                                          const RequestBindOptions& options, BoundRequest* out,
                                          RequestBindInfo* info = nullptr);

struct SnapshotBindOptions {
  // The CLI rejects unknown top-level members and unknown inventory
  // attributes (E1011) to catch typos; the library ignores them (SPEC §15).
  bool reject_unknown = false;
};

// `inventory`, when given, replaces the snapshot's `inventory` (--inventory FILE).
// Fills out->sha256 with the SHA-256 of the canonical snapshot, inventory included.
std::optional<InputError> BindSnapshotJson(const Policy& policy, std::string_view snapshot_json,
                                           std::optional<std::string_view> inventory_json,
                                           BoundSnapshot* out,
                                           const SnapshotBindOptions& options = {});

// A batch line's error in place of its decision (contract §9):
// {"error":{"code":…,"message":…,"path":…},"line":N}, compact and canonical.
std::string BatchErrorJson(size_t line, const InputError& error);

// Decision JSON with keys sorted (contract §12), compact unless `pretty`.
std::string DecisionToJson(const Decision& d, bool pretty = false);
// The decision fields alone (contract §1), compact and canonical: the audit
// record's `decision` member. `explain` only `with_explain`.
std::string DecisionFieldsToJson(const Decision& d, bool with_explain = false);

// The canonical form of a JSON text (contract §12), or an error.
std::optional<InputError> CanonicalizeJson(std::string_view json, std::string* out);

// RFC3339 ("2026-11-27T10:00:00Z", offsets and fractions allowed) or epoch
// milliseconds as a decimal string, to epoch milliseconds.
std::optional<int64_t> ParseTime(std::string_view text);
// RFC3339 UTC with milliseconds and Z: "2026-11-27T10:00:00.000Z".
std::string FormatTime(int64_t epoch_ms);

}  // namespace mixtral
