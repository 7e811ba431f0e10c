// Internal: the engine's published state and per-thread parts.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/epoch.h"
#include "engine/snapshot_doc.h"
#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/engine.h"

namespace mixtral {
namespace audit {
class EntryQueue;
class RecordRing;
}  // namespace audit

// One compiled policy version: immutable, shared by every state that uses it.
struct CompiledVersion {
  uint64_t number = 0;
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<const JitPolicy> jit;  // null: the interpreter decides
  bool compact = false;                  // the JIT's allocation-free path applies
  uint64_t schema_id = 0;
  std::vector<uint8_t> reads_request_field;  // by request slot
  std::vector<uint8_t> sensitive;            // by request slot: masked in audit records
  bool has_sensitive = false;
  // An audited decision records values derived from sensitive fields that
  // only the interpreter records (DerivesFromMasked): it takes that path.
  bool audit_interpreted = false;
  std::vector<CounterId> counter_ids;  // by counter declaration, in the engine's store
};

// Reads `counter.NAME` from the engine's store for one worker's decisions.
class LiveCounters final : public CounterSource {
 public:
  std::optional<double> Read(size_t counter_index, std::string_view key) override;
  CounterStore* store = nullptr;
  const CompiledVersion* version = nullptr;
};

// Names that per-worker counters are indexed by, for one state.
struct StatsLayout {
  std::vector<std::string> routes;
  std::vector<std::string> targets;  // snapshot order
  std::vector<std::string> rules;    // "route/rule", routes in order
  std::vector<size_t> rule_offset;   // first rule of each route
  std::vector<std::string> assertions;
  std::unordered_map<std::string, size_t> target_index, assertion_index;
};

struct BoundVersion {
  std::shared_ptr<const CompiledVersion> version;
  std::shared_ptr<const BoundSnapshot> snapshot;  // null before the first publish
  // Its canonical text, for the audit log's snapshot store (audit on only).
  std::shared_ptr<const std::string> snapshot_text;
};

// The active version and snapshot as one handle that a decision record
// holds while it waits for the audit writer: one reference count per
// decision instead of three, and the snapshot's store entry made once.
struct AuditedVersion {
  BoundVersion bound;
  std::optional<AuditSnapshot> snapshot;  // when the snapshot has canonical text
};

// What a decision reads, published with one atomic pointer swap.
struct EngineState {
  uint64_t generation = 0;
  BoundVersion active;
  BoundVersion candidate;  // version null: no candidate
  std::shared_ptr<const StatsLayout> layout;
  std::shared_ptr<const AuditedVersion> audited;  // `active`, when audit is on
};

// audit_capture.cc: a worker's decision records for reuse, which the audit
// writer's thread hands back once written (engine/decision_entry.h). The
// pool outlives its worker while records are in flight.
class AuditEntryPool;
class AuditPoolRef {
 public:
  AuditPoolRef() = default;
  ~AuditPoolRef();
  AuditPoolRef(const AuditPoolRef&) = delete;
  AuditPoolRef& operator=(const AuditPoolRef&) = delete;
  void Create();
  AuditEntryPool* get() const { return pool_; }

 private:
  AuditEntryPool* pool_ = nullptr;
};

// audit_inline.cc: a worker's decision records on their way to the audit
// writer without a lock, in a ring of its own (audit/record_ring.h), which
// outlives the worker until the writer has drained it.
class DecisionCodec;
class AuditRingRef {
 public:
  AuditRingRef() = default;
  ~AuditRingRef();  // detaches the ring
  AuditRingRef(const AuditRingRef&) = delete;
  AuditRingRef& operator=(const AuditRingRef&) = delete;
  void Create(AuditWriter& writer);

 private:
  friend struct EngineInternals;
  std::shared_ptr<audit::RecordRing> ring_;
  audit::EntryQueue* queue_ = nullptr;
  DecisionCodec* codec_ = nullptr;  // the ring's
  // The version and snapshot the writer holds for this ring's records.
  const AuditedVersion* pinned_ = nullptr;
  uint64_t pin_ = 0;
};

// Diff fields in the order of contract §1's table.
inline constexpr const char* kDecisionFields[] = {
    "route",      "outcome",  "target", "fallbacks",       "mirrors",    "variant",
    "escalation", "ensemble", "reject", "degraded_reason", "annotations"};
inline constexpr size_t kDecisionFieldCount = std::size(kDecisionFields);

// One thread's counters: written only by that thread (relaxed atomics, so a
// reader never tears a value), summed by ReadStats.
struct WorkerStats {
  std::mutex mu;  // held by the owner only to change the layout; by readers to sum
  std::atomic<uint64_t> decisions{0};
  std::atomic<uint64_t> by_outcome[3] = {};
  std::atomic<uint64_t> faulted{0};
  std::atomic<uint64_t> invalid{0};
  std::atomic<uint64_t> unknown_fields{0};
  std::atomic<uint64_t> schema_changed{0};
  std::atomic<uint64_t> latency[32] = {};
  std::atomic<uint64_t> latency_samples{0};
  std::atomic<uint64_t> cand_compared{0};
  std::atomic<uint64_t> cand_differed{0};
  std::atomic<uint64_t> cand_by_field[kDecisionFieldCount] = {};
  std::atomic<uint64_t> cand_schema_mismatch{0};
  // Indexed by `layout`.
  std::shared_ptr<const StatsLayout> layout;
  std::unique_ptr<std::atomic<uint64_t>[]> by_route, by_target, rules, assertions;
};

inline void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

struct Worker::Impl {
  Engine::Impl* engine = nullptr;
  engine::EpochDomain::Slot* slot = nullptr;
  uint64_t generation = 0;  // of the state the frames are laid out for
  std::unique_ptr<JitFrame> frame, candidate_frame;
  JitRequest jit_request, candidate_jit_request;
  BoundRequest scratch;
  std::unique_ptr<EngineDecision> candidate_out;
  std::shared_ptr<WorkerStats> stats;
  uint64_t tick = 0;
  EvalRecord record;  // the audit hooks' output, per decision
  LiveCounters live;
  AuditPoolRef audit_pool;  // created when audit is on
  AuditRingRef audit_ring;  // likewise; its boxed records come from audit_pool
};

struct EngineRequest::Impl {
  enum State : uint8_t { kUnset, kValue, kStringBuffer };
  std::shared_ptr<const Policy> policy;
  uint64_t schema_id = 0;
  std::vector<Value> values;
  std::vector<uint8_t> state;
  std::vector<std::string> strings;    // kStringBuffer fields; capacity reused
  std::optional<InputError> invalid;   // SetJson's verdict, decided as rejected 400
  std::optional<std::string> json_id;  // the id an invalid JSON request still carried
  uint64_t unknown_fields = 0;

  // Lays the request out for `version` in *out (defaults applied, string
  // buffers boxed only where the policy reads them). Returns the first
  // missing required field as an input error.
  std::optional<InputError> Materialize(const CompiledVersion& version, BoundRequest* out) const;
  // The decision id the request carries, if any.
  bool DecisionId(std::string* out) const;
};

struct Engine::Impl {
  EngineOptions options;
  engine::EpochDomain epochs;
  std::atomic<EngineState*> state{nullptr};
  std::atomic<uint64_t> next_id{1};

  // Writers (loads, publishes) are serialised here.
  std::mutex write_mu;
  uint64_t generation = 0;
  uint64_t next_version = 1;
  std::shared_ptr<const CompiledVersion> last_good;  // what Rollback returns to
  engine::SnapshotDoc doc;
  std::shared_ptr<JitSession> jit_session;
  std::shared_ptr<CompileCache> compile_cache = std::make_shared<CompileCache>();
  std::shared_ptr<CounterStore> counters;  // never null after Create

  // Stats: workers' live counters, plus what departed workers and old
  // layouts left behind.
  mutable std::mutex stats_mu;
  std::vector<std::shared_ptr<WorkerStats>> workers;
  EngineStats retired;
  std::atomic<uint64_t> snapshots_published{0}, policies_loaded{0}, load_failures{0};
  std::atomic<uint64_t> snapshot_wrong_type{0}, snapshot_unknown_targets{0};

  int64_t Now() const { return options.clock(); }
  // Builds and publishes a state from the writer's current parts.
  void Publish(std::shared_ptr<const CompiledVersion> active,
               std::shared_ptr<const CompiledVersion> candidate);
  const EngineState* Current() const { return state.load(std::memory_order_seq_cst); }
  // Folds a worker's layout-indexed counters, and its scalars when it is
  // going away, into `retired` (stats_mu held).
  void FoldLocked(WorkerStats& w, bool scalars);
};

// compile.cc
std::shared_ptr<const CompiledVersion> CompileVersion(Engine::Impl& e, const std::string& path,
                                                      std::string text, bool from_file,
                                                      LoadResult* result);
uint64_t RequestSchemaId(const Policy& policy);

// charges.cc: the explain fault of a charge of the decision to `target`,
// which the counter store refused with `receipt`.
Fault RefusedChargeFault(std::string_view target, const Charge& charge,
                         const ChargeReceipt& receipt);

// What a decision record captures beyond the EngineDecision.
struct AuditCapture {
  const std::shared_ptr<const AuditedVersion>* audited;
  const EngineRequest* request;
  AuditEntryPool* pool;  // the worker's
  AuditRingRef* ring;    // the worker's (created with it when audit is on)
  bool invalid = false;  // decided as rejected 400
};

// The parts of the engine that reach into EngineDecision's audit and charge
// state (a friend of it).
struct EngineInternals {
  // charges.cc: applies the decision's charges to the store, keeping receipts.
  static void ApplyCharges(Engine::Impl& e, const std::shared_ptr<const CompiledVersion>& v,
                           const std::shared_ptr<const BoundSnapshot>& snapshot,
                           const BoundRequest& request, EngineDecision* out);
  static EngineError ChargeAdjust(Engine::Impl& e, EngineDecision& d, std::string_view target,
                                  std::optional<double> cost);
  // audit_capture.cc: queues the decision record of `out`.
  static void AuditDecision(Engine::Impl& e, const AuditCapture& c, const EngineDecision& out);
  // audit_inline.cc: the common record, copied straight into the worker's
  // ring; false when it needs a pooled entry (rare fields, collections, or
  // too large), which then goes into the ring boxed.
  static bool AuditInline(const AuditCapture& c, const EngineDecision& out, bool with_explain);
  // Takes `entry` over (recycling it when the record is dropped).
  static void AuditBoxed(AuditRingRef& ring, AuditEntry* entry);
  // Moves the worker's record into the decision (swapping buffers).
  static void TakeRecord(EvalRecord& record, EngineDecision* out) {
    out->counters_read_.swap(record.counters_read);
    out->derived_.swap(record.derived);
  }
};

// stats.cc
std::shared_ptr<const StatsLayout> MakeLayout(const EngineState& s);
bool SameNames(const StatsLayout& a, const StatsLayout& b);
void AdoptLayout(Engine::Impl& e, WorkerStats& w, const std::shared_ptr<const StatsLayout>& l);
void CountDecision(WorkerStats& w, const EngineDecision& d, int32_t target_index);
void CountCandidate(WorkerStats& w, const EngineDecision& active, const EngineDecision& cand);

}  // namespace mixtral
