// The C ABI: errors, the engine, policy loads, snapshots, statistics, and
// the read-only policy and snapshot views.
#include <cstring>
#include <nlohmann/json.hpp>

#include "capi_internal.h"
#include "mixtral/stdlib/bytes.h"

using mixtral::capi::Fail;
using mixtral::capi::Guarded;

namespace mixtral::capi {

mixtral_status_t Fail(mixtral_error_t** err, mixtral_status_t code, std::string message) {
  if (err) {
    try {
      *err = new mixtral_error{code, std::move(message)};
    } catch (...) {
      *err = nullptr;  // out of memory: the status still says what failed
    }
  }
  return code;
}

char* CopyOut(const std::string& s, size_t* len) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  if (len) *len = s.size();
  return out;
}

}  // namespace mixtral::capi

namespace {

mixtral_status_t LoadResultStatus(const mixtral::LoadResult& r, mixtral_error_t** err) {
  if (r.ok) return MIXTRAL_OK;
  return Fail(err, MIXTRAL_E_COMPILE, r.rendered);
}

mixtral_status_t InputStatus(const std::optional<mixtral::InputError>& e, mixtral_error_t** err) {
  if (!e) return MIXTRAL_OK;
  bool no_policy = e->message.find("no policy is loaded") != std::string::npos;
  return Fail(err, no_policy ? MIXTRAL_E_NO_POLICY : MIXTRAL_E_INPUT,
              "error[" + e->code + "]: " + e->ToString());
}

}  // namespace

extern "C" {

mixtral_status_t mixtral_error_code(const mixtral_error_t* err) {
  return err ? err->code : MIXTRAL_E_NULL;
}
const char* mixtral_error_message(const mixtral_error_t* err) {
  return err ? err->message.c_str() : "";
}
void mixtral_error_free(mixtral_error_t* err) { delete err; }

const char* mixtral_status_name(mixtral_status_t status) {
  static const char* const kNames[] = {"MIXTRAL_OK",
                                       "MIXTRAL_E_NULL",
                                       "MIXTRAL_E_INDEX",
                                       "MIXTRAL_E_TYPE",
                                       "MIXTRAL_E_UTF8",
                                       "MIXTRAL_E_TOO_LONG",
                                       "MIXTRAL_E_ENUM",
                                       "MIXTRAL_E_INPUT",
                                       "MIXTRAL_E_SCHEMA_CHANGED",
                                       "MIXTRAL_E_NO_POLICY",
                                       "MIXTRAL_E_NO_SNAPSHOT",
                                       "MIXTRAL_E_COMPILE",
                                       "MIXTRAL_E_NOT_CASCADE",
                                       "MIXTRAL_E_USAGE",
                                       "MIXTRAL_E_INTERNAL"};
  auto i = static_cast<size_t>(status);
  return i < std::size(kNames) ? kNames[i] : "MIXTRAL_E_UNKNOWN";
}

mixtral_status_t mixtral_engine_new(mixtral_engine_kind_t kind, mixtral_engine_t** out,
                                    mixtral_error_t** err) {
  mixtral_engine_options_t o{};
  o.engine = kind;
  return mixtral_engine_new_with(&o, out, err);
}

mixtral_status_t mixtral_engine_new_with(const mixtral_engine_options_t* options,
                                         mixtral_engine_t** out, mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!options || !out) return Fail(err, MIXTRAL_E_NULL, "options and out must not be NULL");
    *out = nullptr;
    mixtral::EngineOptions o;
    switch (options->engine) {
      case MIXTRAL_ENGINE_AUTO:
        o.engine = mixtral::EngineKind::kAuto;
        break;
      case MIXTRAL_ENGINE_JIT:
        o.engine = mixtral::EngineKind::kJit;
        break;
      case MIXTRAL_ENGINE_INTERP:
        o.engine = mixtral::EngineKind::kInterp;
        break;
      default:
        return Fail(err, MIXTRAL_E_USAGE, "unknown engine kind");
    }
    o.no_fallback = options->no_fallback != 0;
    if (options->clock) {
      mixtral_clock_fn fn = options->clock;
      void* user = options->clock_user;
      o.clock = [fn, user] { return fn(user); };
    }
    if (options->instance) o.instance = options->instance;
    if (options->audit_path) {
      mixtral::AuditOptions ao;
      ao.path = options->audit_path;
      switch (options->audit_durability) {
        case MIXTRAL_AUDIT_BATCH:
          ao.durability = mixtral::AuditDurability::kBatch;
          break;
        case MIXTRAL_AUDIT_NONE:
          ao.durability = mixtral::AuditDurability::kNone;
          break;
        case MIXTRAL_AUDIT_ALWAYS:
          ao.durability = mixtral::AuditDurability::kAlways;
          break;
        default:
          return Fail(err, MIXTRAL_E_USAGE, "unknown audit durability");
      }
      std::string error;
      std::unique_ptr<mixtral::AuditWriter> writer = mixtral::AuditWriter::Open(ao, &error);
      if (!writer) return Fail(err, MIXTRAL_E_INPUT, "audit log: " + error);
      o.audit = std::move(writer);
    }
    mixtral::EngineError error;
    auto engine = mixtral::Engine::Create(o, &error);
    if (!engine) return Fail(err, mixtral::capi::Status(error.code), error.message);
    *out = new mixtral_engine{std::move(engine)};
    return MIXTRAL_OK;
  });
}

void mixtral_engine_free(mixtral_engine_t* engine) { delete engine; }

mixtral_status_t mixtral_engine_load_policy_file(mixtral_engine_t* engine, const char* path,
                                                 mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !path) return Fail(err, MIXTRAL_E_NULL, "engine or path is NULL");
    return LoadResultStatus(engine->engine->LoadPolicyFile(path), err);
  });
}

mixtral_status_t mixtral_engine_load_policy_source(mixtral_engine_t* engine, const char* name,
                                                   const char* text, size_t len,
                                                   mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !name || (!text && len)) return Fail(err, MIXTRAL_E_NULL, "NULL argument");
    return LoadResultStatus(
        engine->engine->LoadPolicySource(name, std::string(text ? text : "", len)), err);
  });
}

mixtral_status_t mixtral_engine_rollback(mixtral_engine_t* engine) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine) return MIXTRAL_E_NULL;
    return engine->engine->Rollback() ? MIXTRAL_OK : MIXTRAL_E_NO_POLICY;
  });
}

mixtral_status_t mixtral_engine_load_candidate_file(mixtral_engine_t* engine, const char* path,
                                                    mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !path) return Fail(err, MIXTRAL_E_NULL, "engine or path is NULL");
    return LoadResultStatus(engine->engine->LoadCandidateFile(path), err);
  });
}

mixtral_status_t mixtral_engine_load_candidate_source(mixtral_engine_t* engine, const char* name,
                                                      const char* text, size_t len,
                                                      mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !name || (!text && len)) return Fail(err, MIXTRAL_E_NULL, "NULL argument");
    return LoadResultStatus(
        engine->engine->LoadCandidateSource(name, std::string(text ? text : "", len)), err);
  });
}

void mixtral_engine_clear_candidate(mixtral_engine_t* engine) {
  try {
    if (engine) engine->engine->ClearCandidate();
  } catch (...) {
  }
}

mixtral_status_t mixtral_engine_promote_candidate(mixtral_engine_t* engine) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine) return MIXTRAL_E_NULL;
    return engine->engine->PromoteCandidate() ? MIXTRAL_OK : MIXTRAL_E_NO_POLICY;
  });
}

mixtral_status_t mixtral_engine_publish_snapshot(mixtral_engine_t* engine, const char* json,
                                                 size_t len, const char* inventory,
                                                 size_t inventory_len, mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || (!json && len)) return Fail(err, MIXTRAL_E_NULL, "NULL argument");
    std::optional<std::string_view> inv;
    if (inventory) inv = std::string_view(inventory, inventory_len);
    return InputStatus(
        engine->engine->PublishSnapshot(std::string_view(json ? json : "", len), inv), err);
  });
}

mixtral_status_t mixtral_engine_update_targets(mixtral_engine_t* engine, const char* json,
                                               size_t len, mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || (!json && len)) return Fail(err, MIXTRAL_E_NULL, "NULL argument");
    return InputStatus(engine->engine->UpdateTargets(std::string_view(json ? json : "", len)), err);
  });
}

mixtral_status_t mixtral_engine_update_inventory(mixtral_engine_t* engine, const char* json,
                                                 size_t len, mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || (!json && len)) return Fail(err, MIXTRAL_E_NULL, "NULL argument");
    return InputStatus(engine->engine->UpdateInventory(std::string_view(json ? json : "", len)),
                       err);
  });
}

uint64_t mixtral_engine_active_version(const mixtral_engine_t* engine) {
  try {
    return engine ? engine->engine->active_version() : 0;
  } catch (...) {
    return 0;
  }
}

mixtral_status_t mixtral_engine_stats(const mixtral_engine_t* engine, mixtral_stats_t* out) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !out) return MIXTRAL_E_NULL;
    mixtral::EngineStats s = engine->engine->ReadStats();
    *out = mixtral_stats_t{};
    out->decisions = s.decisions;
    out->routed = s.by_outcome[0];
    out->degraded = s.by_outcome[1];
    out->rejected = s.by_outcome[2];
    out->invalid_requests = s.invalid_requests;
    out->unknown_request_fields = s.unknown_request_fields;
    out->schema_changed = s.schema_changed;
    out->faulted_decisions = s.faulted_decisions;
    out->snapshots_published = s.snapshots_published;
    out->snapshot_wrong_type_fields = s.snapshot_wrong_type_fields;
    out->snapshot_unknown_targets = s.snapshot_unknown_targets;
    out->policies_loaded = s.policies_loaded;
    out->policy_load_failures = s.policy_load_failures;
    out->versions_reclaimed = s.versions_reclaimed;
    out->candidate_compared = s.candidate_compared;
    out->candidate_differed = s.candidate_differed;
    out->latency_samples = s.latency_samples;
    for (int i = 0; i < 32; ++i) out->latency_ns_log2[i] = s.latency_ns_log2[i];
    return MIXTRAL_OK;
  });
}

mixtral_status_t mixtral_engine_stats_json(const mixtral_engine_t* engine, char** out,
                                           size_t* len) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !out) return MIXTRAL_E_NULL;
    mixtral::EngineStats s = engine->engine->ReadStats();
    nlohmann::json j = {{"decisions", s.decisions},
                        {"by_outcome",
                         {{"routed", s.by_outcome[0]},
                          {"degraded", s.by_outcome[1]},
                          {"rejected", s.by_outcome[2]}}},
                        {"by_route", s.by_route},
                        {"by_target", s.by_target},
                        {"rule_failures", s.rule_failures},
                        {"faulted_decisions", s.faulted_decisions},
                        {"assertion_failures", s.assertion_failures},
                        {"invalid_requests", s.invalid_requests},
                        {"unknown_request_fields", s.unknown_request_fields},
                        {"schema_changed", s.schema_changed},
                        {"snapshot_wrong_type_fields", s.snapshot_wrong_type_fields},
                        {"snapshot_unknown_targets", s.snapshot_unknown_targets},
                        {"snapshots_published", s.snapshots_published},
                        {"policies_loaded", s.policies_loaded},
                        {"policy_load_failures", s.policy_load_failures},
                        {"versions_reclaimed", s.versions_reclaimed},
                        {"latency_ns_log2", s.latency_ns_log2},
                        {"latency_samples", s.latency_samples},
                        {"candidate",
                         {{"compared", s.candidate_compared},
                          {"differed", s.candidate_differed},
                          {"by_field", s.candidate_diff_by_field},
                          {"schema_mismatch", s.candidate_schema_mismatch}}}};
    *out = mixtral::capi::CopyOut(j.dump(), len);
    return *out ? MIXTRAL_OK : MIXTRAL_E_INTERNAL;
  });
}

void mixtral_string_free(char* s) { std::free(s); }

mixtral_policy_t* mixtral_engine_policy(const mixtral_engine_t* engine) {
  try {
    if (!engine) return nullptr;
    mixtral::Engine::PolicyInfo info = engine->engine->ActivePolicy();
    if (!info.policy) return nullptr;
    auto* p = new mixtral_policy{std::move(info), {}};
    for (const mixtral::FieldInfo& f : p->info.policy->request.fields)
      p->field_types.push_back(p->info.policy->types.Name(f.type) + (f.optional ? "?" : ""));
    return p;
  } catch (...) {
    return nullptr;
  }
}

void mixtral_policy_free(mixtral_policy_t* policy) { delete policy; }
uint64_t mixtral_policy_version_number(const mixtral_policy_t* p) {
  return p ? p->info.version : 0;
}
const char* mixtral_policy_name(const mixtral_policy_t* p) {
  return p ? p->info.policy->name.c_str() : nullptr;
}
const char* mixtral_policy_version(const mixtral_policy_t* p) {
  return p ? p->info.policy->version.c_str() : nullptr;
}
const char* mixtral_policy_hash(const mixtral_policy_t* p) {
  return p ? p->info.policy->hash.c_str() : nullptr;
}
uint64_t mixtral_policy_request_schema_id(const mixtral_policy_t* p) {
  return p ? p->info.request_schema_id : 0;
}
size_t mixtral_policy_field_count(const mixtral_policy_t* p) {
  return p ? p->info.policy->request.fields.size() : 0;
}
const char* mixtral_policy_field_name(const mixtral_policy_t* p, size_t i) {
  return p && i < p->field_types.size() ? p->info.policy->request.fields[i].name.c_str() : nullptr;
}
const char* mixtral_policy_field_type(const mixtral_policy_t* p, size_t i) {
  return p && i < p->field_types.size() ? p->field_types[i].c_str() : nullptr;
}

mixtral_snapshot_t* mixtral_engine_snapshot(const mixtral_engine_t* engine) {
  try {
    if (!engine) return nullptr;
    std::string json = engine->engine->SnapshotJson();
    if (json.empty()) return nullptr;
    std::string sha = mixtral::Sha256Hex(json);
    return new mixtral_snapshot{std::move(json), std::move(sha)};
  } catch (...) {
    return nullptr;
  }
}

void mixtral_snapshot_free(mixtral_snapshot_t* s) { delete s; }
const char* mixtral_snapshot_sha256(const mixtral_snapshot_t* s) {
  return s ? s->sha256.c_str() : nullptr;
}
const char* mixtral_snapshot_json(const mixtral_snapshot_t* s, size_t* len) {
  if (!s) return nullptr;
  if (len) *len = s->json.size();
  return s->json.c_str();
}

}  // extern "C"
