// `mixtral audit verify FILE...`: checks an audit log's hash chain (contract
// §11, SPEC §19.1). stdout gets the head hash, the one thing worth anchoring
// elsewhere; the first broken record, torn tails and a summary go to stderr.
#include "mixtral/runtime/audit.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "common.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral::cli {
namespace {

constexpr const char* kAuditUsage =
    "usage: mixtral audit verify [--strict] [--json] FILE...\n"
    "  FILE...   the log and its rotated files, in any order\n"
    "  --strict  a torn tail that no `recovered` record accounts for is an error\n"
    "  --json    print the result as one JSON line on stdout\n";

std::string ResultJson(const AuditVerifyResult& r) {
  nlohmann::json j;
  j["ok"] = r.ok();
  j["head_hash"] = r.head_hash;
  j["records"] = r.records;
  j["last_seq"] = r.last_seq;
  j["files"] = r.files;
  j["torn_tails"] = nlohmann::json::array();
  for (const AuditTornTail& t : r.torn_tails) {
    j["torn_tails"].push_back({{"file", t.file}, {"bytes", t.bytes}, {"recovered", t.recovered}});
  }
  j["error"] = nullptr;
  if (r.broken) {
    j["error"] = {{"file", r.broken->file},
                  {"line", r.broken->line},
                  {"seq", r.broken->seq ? nlohmann::json(*r.broken->seq) : nlohmann::json()},
                  {"message", r.broken->message}};
  }
  // File names are echoed back, so escape them the contract's way (§12).
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string canonical;
  if (CanonicalizeJson(text, &canonical)) {
    return text;
  }
  return canonical;
}

int Verify(const Args& args) {
  AuditVerifyOptions options;
  options.strict = args.Has("--strict");
  const AuditVerifyResult r = VerifyAuditLog(args.positional(), options);
  if (args.Has("--json")) {
    std::cout << ResultJson(r) << "\n";
  } else if (r.ok()) {
    std::cout << r.head_hash << "\n";
  }
  for (const AuditTornTail& t : r.torn_tails) {
    if (t.recovered) {
      std::cerr << "note: " << t.file << ": torn tail of " << t.bytes
                << " bytes, accounted for by a recovered record\n";
    } else if (!r.broken || r.broken->file != t.file) {
      std::cerr << "warning: " << t.file << ": ends in a torn line of " << t.bytes
                << " bytes (a crash mid-write); the chain before it is intact\n";
    }
  }
  if (r.broken) {
    std::cerr << "error: " << r.broken->ToString() << "\n";
    return r.broken->file.empty() ? kInternal : kUserError;
  }
  std::cerr << "audit log ok: " << r.records << " record" << (r.records == 1 ? "" : "s") << " in "
            << r.files.size() << " file" << (r.files.size() == 1 ? "" : "s")
            << (r.records > 0 ? ", seq 1.." + std::to_string(r.last_seq) : std::string()) << "\n";
  return kOk;
}

}  // namespace

int AuditCommand(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "verify") {
    std::cerr << (argc < 3 ? "mixtral audit: missing subcommand\n"
                           : "mixtral audit: unknown subcommand `" + std::string(argv[2]) + "`\n")
              << kAuditUsage;
    return kUsage;
  }
  Args args({}, {"--strict", "--json"});
  if (auto err = args.Parse(argc, argv, 3)) {
    std::cerr << "mixtral audit verify: " << *err << "\n" << kAuditUsage;
    return kUsage;
  }
  if (args.positional().empty()) {
    std::cerr << "mixtral audit verify: no files given\n" << kAuditUsage;
    return kUsage;
  }
  return Verify(args);
}

}  // namespace mixtral::cli
