// An engine of one kind over one policy and snapshot, auditing to a log, with
// a worker, a request and a decision: the setup of the audit tests.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "mixtral/runtime/audit.h"
#include "mixtral/runtime/engine.h"

namespace mixtral::testing {

struct Audited {
  std::shared_ptr<AuditWriter> writer;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Worker> worker;
  std::unique_ptr<EngineRequest> request;
  EngineDecision d;

  // `options.path` is the log; the engine's clock reads 1000 ms.
  Audited(EngineKind kind, const AuditOptions& options, const char* policy, const char* snapshot,
          bool audit_explain = false) {
    std::string error;
    writer = AuditWriter::Open(options, &error);
    REQUIRE_MESSAGE(writer, error);
    EngineOptions o;
    o.engine = kind;
    o.clock = [] { return int64_t{1000}; };
    o.audit = writer;
    o.audit_explain = audit_explain;
    engine = Engine::Create(o);
    REQUIRE(engine);
    LoadResult r = engine->LoadPolicySource("p.mxl", policy);
    REQUIRE_MESSAGE(r.ok, r.rendered);
    REQUIRE(!engine->PublishSnapshot(snapshot));
    worker = engine->NewWorker();
    request = engine->NewRequest();
  }
  Audited(EngineKind kind, const std::string& log, const char* policy, const char* snapshot)
      : Audited(kind, LogAt(log), policy, snapshot) {}

  static AuditOptions LogAt(const std::string& log) {
    AuditOptions o;
    o.path = log;
    return o;
  }

  // The target of a decision on `json`.
  std::string Target(const std::string& json) {
    REQUIRE(request->SetJson(json).code == ErrorCode::kOk);
    REQUIRE(engine->Decide(*worker, *request, {}, &d).code == ErrorCode::kOk);
    return std::string(d.target());
  }
};

}  // namespace mixtral::testing
