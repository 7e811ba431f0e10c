// `mixtral eval --audit FILE`: decisions made through the engine library
// (an Engine with an AuditWriter, offline counters), so that the CLI writes
// exactly the records a proxy would (SPEC §17.2, §19.1).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mixtral/runtime/engine.h"

namespace mixtral::cli {

struct AuditedEvalOptions {
  std::string log;
  std::string policy_path;
  std::string telemetry;
  std::optional<std::string> inventory;
  std::optional<std::string> engine;  // --engine
  bool no_fallback = false;
  int64_t now_ms = 0;
  std::optional<std::string> route;
  bool explain = true;
  bool timing = false;
};

class AuditedEval {
 public:
  // Opens the log and loads the engine; returns an exit code (printing why).
  int Open(const AuditedEvalOptions& options);
  // Decides one request with the CLI's strict binder: an invalid one is
  // decided (and recorded) as rejected 400, as the library does.
  // `sequence` is the request's position from 1: its generated id is cli-N.
  bool Decide(std::string_view request_json, uint64_t sequence, Decision* out);
  // Drains and closes the log; returns an exit code.
  int Close();

 private:
  AuditedEvalOptions options_;
  std::shared_ptr<AuditWriter> writer_;
  std::unique_ptr<mixtral::Engine> engine_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<EngineRequest> request_;
  EngineDecision decision_;
};

}  // namespace mixtral::cli
