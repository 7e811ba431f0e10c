// Internal: what the C ABI's opaque handles hold, and the boundary helpers
// every entry point uses so that no exception crosses into C.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mixtral/mixtral.h"
#include "mixtral/runtime/engine.h"

struct mixtral_error {
  mixtral_status_t code = MIXTRAL_OK;
  std::string message;
};

struct mixtral_engine {
  std::unique_ptr<mixtral::Engine> engine;
};

struct mixtral_policy {
  mixtral::Engine::PolicyInfo info;
  std::vector<std::string> field_types;
};

struct mixtral_snapshot {
  std::string json;
  std::string sha256;
};

struct mixtral_request {
  std::unique_ptr<mixtral::EngineRequest> request;
  std::string error;
};

struct mixtral_decision {
  mixtral_engine* owner = nullptr;
  std::unique_ptr<mixtral::Worker> worker;
  mixtral::EngineDecision decision;
  std::string error;
  std::string escalate_to;
};

namespace mixtral::capi {

// The engine's error codes are the ABI's status numbers.
inline mixtral_status_t Status(ErrorCode c) { return static_cast<mixtral_status_t>(c); }

// Stores an error object in *err when err is not NULL; returns `code`.
mixtral_status_t Fail(mixtral_error_t** err, mixtral_status_t code, std::string message);

// A status from an EngineError, remembering its message in *sink.
inline mixtral_status_t Keep(const EngineError& e, std::string* sink) {
  if (e.code == ErrorCode::kOk) return MIXTRAL_OK;
  *sink = e.message;
  return Status(e.code);
}

char* CopyOut(const std::string& s, size_t* len);

// Every entry point runs its body inside this: a C++ exception (a bug or
// memory exhaustion) becomes MIXTRAL_E_INTERNAL instead of crossing into C.
template <typename Body>
mixtral_status_t Guarded(Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return MIXTRAL_E_INTERNAL;
  }
}

}  // namespace mixtral::capi
