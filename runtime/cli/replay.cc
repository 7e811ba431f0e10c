// `mixtral replay --policy FILE [--json] [--fail-on-change] LOG...`: re-decides
// every `decision` record of an audit log under a policy and counts what
// changed (contract §11, SPEC §19.2). Exit 0 whatever changed, unless
// --fail-on-change (then 1 when any decision changed); 1 on an unreadable
// log or a policy that does not compile; 2 on usage.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "args.h"
#include "common.h"
#include "mixtral/runtime/audit.h"
#include "replay_record.h"

namespace mixtral::cli {
namespace {

constexpr const char* kReplayUsage =
    "usage: mixtral replay --policy FILE [--json] [--fail-on-change] [--audit] LOG...\n"
    "  LOG...            the audit log and its rotated files, in any order\n"
    "  --json            one line: {total, changed, unchanged, not_replayable,\n"
    "                    annotation_only, by_change}\n"
    "  --fail-on-change  exit 1 when any decision changed\n";

// `<log>.snapshots`, for the log itself and for its rotated files
// (`<log>.000001.jsonl`).
std::string SnapshotsDir(const std::string& file) {
  const std::string suffix = ".jsonl";
  if (file.size() > 13 && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const size_t dot = file.size() - suffix.size() - 7;
    bool rotated = file[dot] == '.';
    for (size_t i = dot + 1; i < dot + 7 && rotated; ++i) rotated = std::isdigit(file[i]) != 0;
    if (rotated) return file.substr(0, dot) + ".snapshots";
  }
  return file + ".snapshots";
}

struct Totals {
  uint64_t total = 0, changed = 0, unchanged = 0, not_replayable = 0, annotation_only = 0;
  std::map<std::string, uint64_t> by_change;
  // One example per first differing field: decision id, old, new.
  std::map<std::string, std::array<std::string, 3>> examples;
  std::map<std::string, uint64_t> why_not;
};

// Replays one file; false (after printing where) when it cannot be read.
bool ReplayFile(const Policy& policy, const std::string& file, SnapshotCache& cache, Totals* t) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "mixtral replay: cannot read " << file << "\n";
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const std::string dir = SnapshotsDir(file);
  size_t pos = 0;
  uint64_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    ++line_no;
    if (nl == std::string::npos) {
      // A torn tail (a crash mid-write): not a record (`audit verify` says more).
      std::cerr << "mixtral replay: warning: " << file << ":" << line_no
                << ": torn last line skipped\n";
      break;
    }
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object() || !record.contains("kind") || !record["kind"].is_string()) {
      std::cerr << "mixtral replay: " << file << ":" << line_no
                << ": not an audit record (run `mixtral audit verify`)\n";
      return false;
    }
    if (record["kind"] != "decision") continue;
    ++t->total;
    ReplayOutcome o = ReplayRecord(policy, record, dir, cache);
    const std::string id = record.value("decision_id", std::string("?"));
    switch (o.kind) {
      case ReplayOutcome::kUnchanged:
        ++t->unchanged;
        break;
      case ReplayOutcome::kNotReplayable:
        ++t->not_replayable;
        if (t->why_not[o.why]++ == 0)
          std::cerr << "mixtral replay: " << file << ":" << line_no << ": decision " << id
                    << " is not replayable: " << o.why << "\n";
        break;
      case ReplayOutcome::kChanged:
        ++t->changed;
        ++t->by_change[o.first_field];
        if (o.annotation_only) ++t->annotation_only;
        t->examples.try_emplace(o.first_field,
                                std::array<std::string, 3>{id, o.old_value, o.new_value});
        break;
    }
  }
  return true;
}

}  // namespace

int ReplayCommand(int argc, char** argv) {
  Args args({"--policy"}, {"--json", "--fail-on-change", "--audit"});
  if (auto err = args.Parse(argc, argv, 2)) {
    std::cerr << "mixtral replay: " << *err << "\n" << kReplayUsage;
    return kUsage;
  }
  if (!args.Get("--policy") || args.positional().empty()) {
    std::cerr << "mixtral replay: needs --policy and at least one LOG\n" << kReplayUsage;
    return kUsage;
  }
  std::shared_ptr<const Policy> policy = CompileReporting(*args.Get("--policy"), false);
  if (!policy) return kUserError;

  // Chain order, whatever the argument order (rotated files); a snapshots
  // directory given by a shell glob is skipped.
  std::vector<std::string> files;
  for (const std::string& f : args.positional())
    if (!std::filesystem::is_directory(f)) files.push_back(f);
  AuditVerifyResult chain = VerifyAuditLog(files);
  if (chain.files.size() == files.size()) files = chain.files;
  if (chain.broken)
    std::cerr << "mixtral replay: warning: the log's chain is broken: " << chain.broken->ToString()
              << "\n";

  SnapshotCache cache(*policy);
  Totals t;
  for (const std::string& f : files)
    if (!ReplayFile(*policy, f, cache, &t)) return kUserError;

  if (args.Has("--json")) {
    nlohmann::json j;
    j["total"] = t.total;
    j["changed"] = t.changed;
    j["unchanged"] = t.unchanged;
    j["not_replayable"] = t.not_replayable;
    j["annotation_only"] = t.annotation_only;
    j["by_change"] = nlohmann::json::object();
    for (const auto& [field, n] : t.by_change) j["by_change"][field] = n;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "replayed " << t.total << " decisions under " << policy->name << " "
              << policy->version << ": " << t.unchanged << " unchanged, " << t.changed
              << " changed (" << t.annotation_only << " in annotations only), " << t.not_replayable
              << " not replayable\n";
    for (const auto& [field, n] : t.by_change) {
      const auto& ex = t.examples[field];
      std::cout << "  " << field << ": " << n << " changed, e.g. decision " << ex[0] << ": "
                << ex[1] << " -> " << ex[2] << "\n";
    }
    for (const auto& [why, n] : t.why_not)
      std::cout << "  not replayable: " << n << ": " << why << "\n";
  }
  return args.Has("--fail-on-change") && t.changed > 0 ? kUserError : kOk;
}

}  // namespace mixtral::cli
