#include "eval_audit.h"

#include <iostream>

#include "common.h"

namespace mixtral::cli {

int AuditedEval::Open(const AuditedEvalOptions& options) {
  options_ = options;
  AuditOptions ao;
  ao.path = options.log;
  ao.durability = AuditDurability::kBatch;
  std::string error;
  std::unique_ptr<AuditWriter> writer = AuditWriter::Open(ao, &error);
  if (!writer) {
    std::cerr << "mixtral eval: --audit: " << error << "\n";
    return kUserError;
  }
  writer_ = std::move(writer);
  EngineOptions eo;
  const std::string kind = options.engine.value_or(JitAvailable() ? "jit" : "interp");
  eo.engine = kind == "jit" ? EngineKind::kJit : EngineKind::kInterp;
  eo.no_fallback = options.no_fallback;
  const int64_t now = options.now_ms;
  eo.clock = [now] { return now; };
  eo.instance = "cli";  // decision ids as without --audit: cli-1, cli-2, ...
  eo.offline_counters = true;
  eo.audit = writer_;
  EngineError err;
  engine_ = mixtral::Engine::Create(eo, &err);
  if (!engine_) {
    std::cerr << "mixtral eval: " << err.message << "\n";
    return kUsage;
  }
  LoadResult r = engine_->LoadPolicyFile(options.policy_path);
  if (!r.ok) {
    std::cerr << r.rendered;
    return kUserError;
  }
  std::optional<std::string_view> inventory;
  if (options.inventory) inventory = *options.inventory;
  if (auto e = engine_->PublishSnapshot(options.telemetry, inventory)) {
    std::cerr << "mixtral eval: " << e->ToString() << "\n";
    return kUserError;
  }
  worker_ = engine_->NewWorker();
  request_ = engine_->NewRequest();
  return kOk;
}

bool AuditedEval::Decide(std::string_view request_json, uint64_t sequence, Decision* out) {
  // The CLI's binder rejects unknown fields; so does the engine's here, so
  // that a request the CLI rejects is recorded as the 400 it printed.
  request_->SetJsonStrict(request_json);
  DecideOptions o;
  o.now_ms = options_.now_ms;
  o.explain = options_.explain;
  o.route = options_.route;
  o.timing = options_.timing;
  o.sequence = sequence;
  if (EngineError err = engine_->Decide(*worker_, *request_, o, &decision_);
      err.code != ErrorCode::kOk) {
    std::cerr << "mixtral eval: " << err.message << "\n";
    return false;
  }
  *out = decision_.ToDecision();
  // The record carries eval_ns; the printed decision only with --timing.
  if (!options_.timing) out->eval_ns.reset();
  return true;
}

int AuditedEval::Close() {
  if (!writer_) return kOk;
  const bool flushed = writer_->Flush();
  request_.reset();
  worker_.reset();
  engine_.reset();
  std::optional<std::string> error = writer_->error();
  writer_->Close();
  if (!flushed || error) {
    std::cerr << "mixtral eval: --audit " << options_.log
              << ": the log could not be written: " << error.value_or("unknown error") << "\n";
    return kUserError;
  }
  return kOk;
}

}  // namespace mixtral::cli
