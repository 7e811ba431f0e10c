// The engine: what a proxy embeds. It holds the running policy, the latest
// telemetry snapshot and the counters that observe both, and decides
// requests against them from any number of threads while another thread
// swaps either one.
//
//   mixtral::EngineOptions options;                 // JIT where built
//   auto engine = mixtral::Engine::Create(options);
//   mixtral::LoadResult r = engine->LoadPolicyFile("route16.mxl");
//   if (!r.ok) { std::cerr << r.rendered; return; }  // the running policy is untouched
//   engine->PublishSnapshot(snapshot_json, inventory_json);
//
//   // One worker, request and decision per thread; all three are reusable.
//   auto worker = engine->NewWorker();
//   auto request = engine->NewRequest();             // bound to the active request schema
//   int tier = request->FieldIndex("tier");           // resolved once, by name
//   request->SetEnumName(tier, "pro");
//   mixtral::EngineDecision d;
//   if (auto err = engine->Decide(*worker, *request, {}, &d)) ...;  // schema changed, no snapshot
//   std::cout << d.target() << "\n";
//
// Threading. Decide, CascadeNext and ReadStats may run on any number of
// threads at once, each with its own Worker, EngineRequest and
// EngineDecision. Loads, publishes, rollbacks and candidate changes are
// serialised internally and never block a decision: a decision reads the
// state that was current when it started, and that state is freed only
// after every decision that could see it has returned (epoch-based
// reclamation). A decision that carries a cascade plan keeps its policy
// version alive until the EngineDecision is reused or destroyed.
//
// Allocation. With the JIT and a policy whose clauses are all compiled
// (JitCompactEligible), a decision without explanation allocates nothing once
// the worker, request and decision have decided one request. String, list,
// set and map request fields that the policy reads are boxed, one allocation
// each per decision; everything else is stored inline.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mixtral/compiler/decision.h"
#include "mixtral/compiler/policy.h"
#include "mixtral/runtime/audit.h"
#include "mixtral/runtime/counters.h"
#include "mixtral/runtime/inputs.h"

namespace mixtral {

enum class EngineKind : uint8_t { kAuto, kJit, kInterp };

// Why an engine call did not produce what was asked. Stable numbers: the C
// ABI's MIXTRAL_E_* codes are these.
enum class ErrorCode : int {
  kOk = 0,
  kNullArgument = 1,
  kBadIndex = 2,
  kWrongType = 3,
  kInvalidUtf8 = 4,
  kTooLong = 5,
  kUnknownEnum = 6,
  kInvalidInput = 7,  // a malformed request, snapshot or response
  kSchemaChanged = 8,
  kNoPolicy = 9,
  kNoSnapshot = 10,
  kCompile = 11,
  kNotCascade = 12,  // cascade_next on a decision without (further) stages
  kUsage = 13,       // e.g. the JIT requested from a build without it
  kInternal = 14,
};

struct EngineError {
  ErrorCode code = ErrorCode::kOk;
  std::string message;
};

struct EngineOptions {
  EngineKind engine = EngineKind::kAuto;
  // Make any construct the JIT does not lower a compile error.
  bool no_fallback = false;
  // Epoch milliseconds for decisions given no explicit `now`; defaults to the
  // system clock. Contract §3: the route16 data is from 2025, so replaying it
  // needs an explicit `now` or a fixed clock.
  std::function<int64_t()> clock;
  // Prefix of generated decision ids (`<instance>-<seq>`) for requests
  // without an id field.
  std::string instance = "mx";
  // Record one decision in this many in the latency histogram (0: never).
  uint32_t latency_sample_every = 64;

  // Counters (lang/SPEC.md §6.9). Each loaded policy declares its counters
  // here; decisions read them and charge them after a routed or degraded
  // outcome. Null: the engine makes a LocalCounterStore of its own. A store
  // may be shared by several engines.
  std::shared_ptr<CounterStore> counters;
  // Offline mode (the CLI): counters read the published snapshot's
  // `counters` member and nothing is charged; charges are still computed
  // and audited.
  bool offline_counters = false;

  // Audit (contract §11): when set, every Decide (invalid requests included)
  // and every ChargeAdjust appends a record. The writer may be shared.
  std::shared_ptr<AuditWriter> audit;
  bool audit_explain = false;  // include `explain` in decision records
};

struct LoadResult {
  bool ok = false;
  uint64_t version = 0;  // the engine's number for the loaded version, from 1
  std::string rendered;  // every diagnostic, rendered (contract §9 format)
  size_t errors = 0;
  size_t warnings = 0;
};

// Per-decision options.
struct DecideOptions {
  std::optional<int64_t> now_ms;  // default: the engine's clock
  bool explain = false;
  std::optional<std::string> route;  // force a route (recorded as route_override)
  bool timing = false;               // fill eval_ns
  // The <seq> of a generated decision id (`<instance>-<seq>`, for a request
  // without an `id` field); default: the engine's own counter. The CLI
  // passes each request's position, so that ids do not depend on `--audit`.
  std::optional<uint64_t> sequence;
};

class Engine;
struct EngineState;
struct CompiledVersion;
struct DecideInto;
struct EngineInternals;

// A request laid out by one request schema. Fields are set by index,
// resolved once by name; the schema id says which schema that was, and a
// decision against a policy with another request schema fails with
// kSchemaChanged instead of reading the wrong field.
class EngineRequest {
 public:
  ~EngineRequest();
  EngineRequest(const EngineRequest&) = delete;
  EngineRequest& operator=(const EngineRequest&) = delete;

  uint64_t schema_id() const;
  size_t field_count() const;
  int FieldIndex(std::string_view name) const;  // -1 when absent
  const FieldInfo* field(size_t index) const;   // null when out of range
  const Policy& policy() const;                 // whose schema this is

  // Setters check the field's declared type; strings are bounded by
  // kMaxStringFieldBytes and must be UTF-8.
  EngineError SetBool(size_t index, bool v);
  EngineError SetInt(size_t index, int64_t v);  // int, duration (ms), time (epoch ms)
  EngineError SetFloat(size_t index, double v);
  EngineError SetString(size_t index, std::string_view v);
  EngineError SetEnum(size_t index, uint32_t ordinal);
  EngineError SetEnumName(size_t index, std::string_view name);
  // Lists and sets of scalars; a set removes duplicates.
  EngineError SetInts(size_t index, const int64_t* v, size_t n);
  EngineError SetFloats(size_t index, const double* v, size_t n);
  EngineError SetStrings(size_t index, const std::string_view* v, size_t n);
  EngineError SetEnums(size_t index, const uint32_t* ordinals, size_t n);
  // Any type, maps included, as the field's JSON value (`null` = missing).
  EngineError SetFieldJson(size_t index, std::string_view json);
  // The whole request as JSON (contract §8; unknown fields are counted and
  // ignored unless the schema is `closed`). An invalid request is kept and
  // decided as `rejected` with status 400, as the contract requires.
  EngineError SetJson(std::string_view json);
  // The same, but an unknown field makes the request invalid, as a `closed`
  // schema does (the CLI's binder, so that `eval --audit` records the 400s
  // it prints).
  EngineError SetJsonStrict(std::string_view json);
  // Back to unset: the field's default applies, or it is missing.
  EngineError Unset(size_t index);
  void Clear();
  bool IsSet(size_t index) const;

  struct Impl;
  std::unique_ptr<Impl> impl;

 private:
  friend class Engine;
  EngineRequest();
  EngineError SetJsonWith(std::string_view json, bool reject_unknown);
};

// One decision, reusable. Accessors read the decision fields (contract §1)
// without JSON; string views stay valid until the next decision into this
// object.
class EngineDecision {
 public:
  EngineDecision();
  ~EngineDecision();
  EngineDecision(const EngineDecision&) = delete;
  EngineDecision& operator=(const EngineDecision&) = delete;

  std::string_view route() const { return route_; }
  Outcome outcome() const { return outcome_; }
  bool has_target() const { return has_target_; }
  std::string_view target() const { return has_target_ ? std::string_view(target_) : ""; }
  size_t fallback_count() const { return fallback_count_; }
  std::string_view fallback(size_t i) const { return fallbacks_[i]; }
  const std::vector<Mirror>& mirrors() const { return full_.mirrors; }
  const std::optional<std::string>& variant() const { return full_.variant; }
  const std::vector<Escalation>& escalation() const { return full_.escalation; }
  const std::optional<Ensemble>& ensemble() const { return full_.ensemble; }
  int32_t reject_status() const { return reject_status_; }
  std::string_view reject_reason() const { return reject_reason_; }
  const std::optional<std::string>& degraded_reason() const { return full_.degraded_reason; }
  const std::vector<std::pair<std::string, Scalar>>& annotations() const {
    return full_.annotations;
  }
  const std::optional<Explain>& explain() const { return full_.explain; }
  // The budget charges the decision made (applied unless offline), in clause
  // order, and every counter value it read (the audit record's `charges`
  // and `counters_read`).
  const std::vector<Charge>& charges() const { return full_.charges; }
  const std::vector<CounterValue>& counters_read() const { return counters_read_; }
  // Per charge, the store's receipt (empty when nothing was charged: a
  // rejected decision, or offline counters).
  const std::vector<ChargeReceipt>& charge_receipts() const { return receipts_; }

  std::string_view decision_id() const { return decision_id_; }
  std::string_view policy_name() const { return policy_; }
  std::string_view policy_version() const { return policy_version_; }
  std::string_view policy_hash() const { return policy_hash_; }
  std::string_view snapshot_sha256() const { return snapshot_sha256_; }
  int64_t now_ms() const { return now_ms_; }
  std::optional<int64_t> eval_ns() const { return eval_ns_; }
  uint64_t engine_version() const { return engine_version_; }  // LoadResult::version

  // The whole decision as the contract's struct, and as JSON (allocates).
  Decision ToDecision() const;
  std::string ToJson() const;

  // Where a cascade stands: the next stage cascade_next would consider.
  size_t cascade_stage() const { return cascade_stage_; }

 private:
  friend class Engine;
  friend struct DecideInto;
  friend struct EngineInternals;
  void ResetTo(Outcome o);
  void AdoptFull(Decision&& d);  // copies the common fields into the buffers

  std::string route_;
  Outcome outcome_ = Outcome::kRejected;
  bool has_target_ = false;
  std::string target_;
  std::vector<std::string> fallbacks_;  // never shrinks: reused buffers
  size_t fallback_count_ = 0;
  int32_t reject_status_ = 0;
  std::string reject_reason_;
  Decision full_;  // the less common fields, and explain
  std::string decision_id_, policy_, policy_version_, policy_hash_, snapshot_sha256_;
  std::optional<Scalar> snapshot_version_;
  std::optional<int64_t> snapshot_taken_at_ms_;
  std::optional<std::string> route_override_;
  int64_t now_ms_ = 0;
  std::optional<int64_t> eval_ns_;
  uint64_t engine_version_ = 0;
  // The engine state whose policy and snapshot identity the buffers hold
  // (generations are never reused, unlike addresses).
  uint64_t identity_generation_ = 0;
  // A cascade's state: its pinned policy version and request.
  std::shared_ptr<const CompiledVersion> pinned_;
  std::vector<Value> pinned_request_;
  size_t cascade_stage_ = 0;
  // Audit and charge state: what the decision read, the values derived
  // from masked fields, and per charge the store's receipt (ChargeAdjust
  // takes it back). The snapshot and version are pinned while charges stand.
  std::vector<CounterValue> counters_read_;
  std::vector<DerivedValue> derived_;
  std::vector<ChargeReceipt> receipts_;
  std::shared_ptr<const BoundSnapshot> charged_snapshot_;
  std::shared_ptr<const CompiledVersion> charged_version_;
  bool adjusted_ = false;
};

// Per-thread decision state: the reclamation slot, the JIT's buffers and
// the counters this thread adds to. Create one per thread; never share one
// between threads at the same time.
class Worker {
 public:
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  struct Impl;
  std::unique_ptr<Impl> impl;

 private:
  friend class Engine;
  Worker();
};

// What the engine observed, summed over every worker when read.
struct EngineStats {
  uint64_t decisions = 0;
  std::array<uint64_t, 3> by_outcome{};  // routed, degraded, rejected
  std::map<std::string, uint64_t> by_route;
  std::map<std::string, uint64_t> by_target;  // the decided target
  // Failed rules, "route/rule", counted on explained decisions.
  std::map<std::string, uint64_t> rule_failures;
  uint64_t faulted_decisions = 0;  // explained decisions with explain.faults
  std::map<std::string, uint64_t> assertion_failures;
  uint64_t invalid_requests = 0;  // decided as rejected 400
  uint64_t unknown_request_fields = 0;
  uint64_t schema_changed = 0;  // decisions refused with kSchemaChanged
  // Snapshot entries dropped to missing (contract §4), over all publishes.
  uint64_t snapshot_wrong_type_fields = 0;
  uint64_t snapshot_unknown_targets = 0;
  uint64_t snapshots_published = 0;
  uint64_t policies_loaded = 0;
  uint64_t policy_load_failures = 0;
  uint64_t versions_reclaimed = 0;  // states freed by epoch reclamation
  // Evaluation latency, sampled: bucket i counts [2^i, 2^(i+1)) ns.
  std::array<uint64_t, 32> latency_ns_log2{};
  uint64_t latency_samples = 0;
  // The candidate beside the active policy.
  uint64_t candidate_compared = 0;
  uint64_t candidate_differed = 0;
  std::map<std::string, uint64_t> candidate_diff_by_field;  // first differing field
  uint64_t candidate_schema_mismatch = 0;                   // not compared: other request schema
};

class Engine {
 public:
  static std::unique_ptr<Engine> Create(const EngineOptions& options, EngineError* error = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Compiles and, on success, makes it the running policy; the previous one
  // becomes the last-known-good. On failure nothing changes.
  LoadResult LoadPolicySource(const std::string& path, std::string text);
  LoadResult LoadPolicyFile(const std::string& path);
  // Back to the last-known-good policy; false when there is none.
  bool Rollback();

  // A candidate is decided beside the active policy on every decision, and
  // only counted (EngineStats::candidate_*). Promote makes it active.
  LoadResult LoadCandidateSource(const std::string& path, std::string text);
  LoadResult LoadCandidateFile(const std::string& path);
  void ClearCandidate();
  bool PromoteCandidate();

  // Snapshots (contract §8): a full snapshot, per-target partial updates
  // (`{"version"?, "taken_at"?, "targets": [{"name", …fields}]}`, merged by
  // name, adding targets not seen before) or a new inventory. A structural
  // error rejects the publish and keeps the current snapshot; bad entries
  // are counted and the rest is published. Breaker state is computed here,
  // once per publish, and stored in the published snapshot.
  std::optional<InputError> PublishSnapshot(std::string_view snapshot_json,
                                            std::optional<std::string_view> inventory_json = {});
  std::optional<InputError> UpdateTargets(std::string_view update_json);
  std::optional<InputError> UpdateInventory(std::string_view inventory_json);
  // The canonical JSON of the published snapshot ("" before the first).
  std::string SnapshotJson() const;

  std::unique_ptr<Worker> NewWorker();
  // A request bound to the active policy's request schema; null (and
  // kNoPolicy in *error) before a policy is loaded.
  std::unique_ptr<EngineRequest> NewRequest(EngineError* error = nullptr) const;

  // Decides. Returns kOk with the decision in *out, or an error (schema
  // changed, no policy, no snapshot) and leaves *out rejected. An invalid
  // request is not an error: it is decided as `rejected` 400.
  EngineError Decide(Worker& worker, const EngineRequest& request, const DecideOptions& options,
                     EngineDecision* out);
  // The data plane reports the response of the stage that `decision` last
  // named (the primary first). Sets *escalate_to to the next stage's target
  // when its condition holds (a missing condition escalates: fail closed),
  // or leaves it empty when the response is accepted.
  EngineError CascadeNext(EngineDecision& decision, std::string_view response_json,
                          std::optional<std::string>* escalate_to);

  // The data plane used `actual_target` (a fallback, say) instead of the
  // decided target, and/or knows the real cost. The decision's charges are
  // recomputed as its route's `charge` clauses with `target` = actual_target
  // (same request, snapshot, now and counter values read); `actual_cost`,
  // when given, replaces each recomputed amount whose expression reads the
  // target (a cost; target-independent amounts such as `1` stay). Each charge
  // that changes is corrected in the store (the original receipt is adjusted;
  // a charge whose key changed is refunded and charged under the new key)
  // and audited as a `charge_adjust` record with the signed delta. Allowed
  // once per decision (kUsage after that); kNotCascade-like kInvalidInput
  // when the decision made no charges or actual_target is not a target of
  // its snapshot.
  EngineError ChargeAdjust(EngineDecision& decision, std::string_view actual_target,
                           std::optional<double> actual_cost = std::nullopt);

  // The counter store (the one given in EngineOptions, or the engine's own).
  CounterStore& counters() const;

  // Frees the retired states that no decision can still see. Writers do
  // this themselves; call it to release memory sooner after a burst.
  void Collect();
  size_t RetiredCount() const;  // retired states not yet freed

  EngineStats ReadStats() const;

  struct PolicyInfo {
    std::shared_ptr<const Policy> policy;  // null before the first load
    uint64_t version = 0;
    uint64_t request_schema_id = 0;
  };
  PolicyInfo ActivePolicy() const;
  uint64_t active_version() const;     // 0 before the first load
  uint64_t request_schema_id() const;  // of the active policy; 0 before the first load

  struct Impl;

 private:
  Engine();
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixtral
