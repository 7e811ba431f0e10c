// The engine's writer side: loading, swapping and rolling back policies,
// candidates, snapshot publishes, and the per-thread parts it hands out.
#include <chrono>

#include "engine/internal.h"
#include "mixtral/compiler/compiler.h"

namespace mixtral {
namespace {

int64_t SystemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string SnapshotMismatch(const InputError& err) {
  return "mixtral: the published snapshot does not fit this policy: " + err.ToString() + "\n";
}

}  // namespace

Engine::Engine() : impl_(std::make_unique<Impl>()) {}

Engine::~Engine() {
  EngineState* s = impl_->state.exchange(nullptr);
  delete s;
}

std::unique_ptr<Engine> Engine::Create(const EngineOptions& options, EngineError* error) {
  if (options.engine == EngineKind::kJit && !JitAvailable()) {
    if (error)
      *error = EngineError{ErrorCode::kUsage,
                           "the JIT engine was requested, but this build has no JIT "
                           "(configured with MIXTRAL_ENABLE_JIT=OFF)"};
    return nullptr;
  }
  std::unique_ptr<Engine> e(new Engine());
  e->impl_->options = options;
  if (!e->impl_->options.clock) e->impl_->options.clock = SystemNowMs;
  e->impl_->counters = options.counters;
  if (!e->impl_->counters)
    e->impl_->counters = std::make_shared<LocalCounterStore>(LocalCounterStore::Options{});
  if (error) *error = {};
  return e;
}

void Engine::Impl::Publish(std::shared_ptr<const CompiledVersion> active,
                           std::shared_ptr<const CompiledVersion> candidate) {
  auto* next = new EngineState();
  next->generation = ++generation;
  next->active.version = std::move(active);
  next->candidate.version = std::move(candidate);
  // The audit log stores the snapshot a record references; its text is made
  // once per publish and shared by every record (SPEC §19.1).
  std::shared_ptr<const std::string> text;
  if (options.audit && !doc.empty()) text = std::make_shared<const std::string>(doc.Canonical());
  for (BoundVersion* b : {&next->active, &next->candidate}) {
    if (!b->version || doc.empty()) continue;
    auto bound = std::make_shared<BoundSnapshot>();
    // Every caller has bound this document to this policy already.
    if (!doc.Bind(*b->version->policy, bound.get())) b->snapshot = std::move(bound);
    b->snapshot_text = text;
  }
  if (options.audit && next->active.version) {
    auto audited = std::make_shared<AuditedVersion>();
    audited->bound = next->active;
    if (next->active.snapshot && next->active.snapshot_text)
      audited->snapshot = AuditSnapshot{next->active.snapshot->sha256, next->active.snapshot_text};
    next->audited = std::move(audited);
  }
  next->layout = MakeLayout(*next);
  // Most publishes change telemetry, not names: keeping the layout spares
  // every worker a re-layout of its counters.
  if (const EngineState* cur = Current();
      cur && cur->layout && SameNames(*cur->layout, *next->layout))
    next->layout = cur->layout;
  EngineState* old = state.exchange(next, std::memory_order_seq_cst);
  if (old) epochs.Retire([old] { delete old; });
}

namespace {

// Loads into the active slot or the candidate slot.
LoadResult Load(Engine::Impl& e, const std::string& path, std::string text, bool from_file,
                bool candidate) {
  LoadResult result;
  std::lock_guard lock(e.write_mu);
  std::shared_ptr<const CompiledVersion> v =
      CompileVersion(e, path, std::move(text), from_file, &result);
  if (v && !e.doc.empty()) {
    BoundSnapshot probe;
    if (auto err = e.doc.Bind(*v->policy, &probe)) {
      result.rendered += SnapshotMismatch(*err);
      ++result.errors;
      v.reset();
    }
  }
  if (!v) {
    e.load_failures.fetch_add(1, std::memory_order_relaxed);
    return result;  // the running policy is untouched
  }
  auto mutable_v = std::const_pointer_cast<CompiledVersion>(v);
  mutable_v->number = e.next_version++;
  result.ok = true;
  result.version = v->number;
  e.policies_loaded.fetch_add(1, std::memory_order_relaxed);
  const EngineState* cur = e.Current();
  std::shared_ptr<const CompiledVersion> active = cur ? cur->active.version : nullptr;
  std::shared_ptr<const CompiledVersion> cand = cur ? cur->candidate.version : nullptr;
  if (candidate) {
    e.Publish(active, v);
  } else {
    if (active) e.last_good = active;
    e.Publish(v, cand);
  }
  return result;
}

}  // namespace

LoadResult Engine::LoadPolicySource(const std::string& path, std::string text) {
  return Load(*impl_, path, std::move(text), false, false);
}
LoadResult Engine::LoadPolicyFile(const std::string& path) {
  return Load(*impl_, path, "", true, false);
}
LoadResult Engine::LoadCandidateSource(const std::string& path, std::string text) {
  return Load(*impl_, path, std::move(text), false, true);
}
LoadResult Engine::LoadCandidateFile(const std::string& path) {
  return Load(*impl_, path, "", true, true);
}

bool Engine::Rollback() {
  Impl& e = *impl_;
  std::lock_guard lock(e.write_mu);
  const EngineState* cur = e.Current();
  if (!e.last_good || !cur) return false;
  if (!e.doc.empty()) {
    BoundSnapshot probe;
    if (e.doc.Bind(*e.last_good->policy, &probe)) return false;
  }
  std::shared_ptr<const CompiledVersion> previous = cur->active.version;
  e.Publish(e.last_good, cur->candidate.version);
  e.last_good = previous;
  return true;
}

void Engine::ClearCandidate() {
  Impl& e = *impl_;
  std::lock_guard lock(e.write_mu);
  const EngineState* cur = e.Current();
  if (cur && cur->candidate.version) e.Publish(cur->active.version, nullptr);
}

bool Engine::PromoteCandidate() {
  Impl& e = *impl_;
  std::lock_guard lock(e.write_mu);
  const EngineState* cur = e.Current();
  if (!cur || !cur->candidate.version) return false;
  if (cur->active.version) e.last_good = cur->active.version;
  e.Publish(cur->candidate.version, nullptr);
  return true;
}

namespace {

template <typename Edit>
std::optional<InputError> EditSnapshot(Engine::Impl& e, Edit edit) {
  std::lock_guard lock(e.write_mu);
  const EngineState* cur = e.Current();
  if (!cur || !cur->active.version) {
    InputError err;
    err.code = "E1022";
    err.path = "snapshot";
    err.message = "no policy is loaded: load one before publishing telemetry";
    return err;
  }
  const Policy& policy = *cur->active.version->policy;
  if (auto err = edit(e.doc, policy)) return err;
  e.doc.ApplyBreakers(policy, e.Now());
  e.Publish(cur->active.version, cur->candidate.version);
  e.snapshots_published.fetch_add(1, std::memory_order_relaxed);
  if (const EngineState* now = e.Current(); now && now->active.snapshot) {
    e.snapshot_wrong_type.fetch_add(now->active.snapshot->wrong_type_fields);
    e.snapshot_unknown_targets.fetch_add(now->active.snapshot->unknown_targets);
  }
  return std::nullopt;
}

}  // namespace

std::optional<InputError> Engine::PublishSnapshot(std::string_view snapshot_json,
                                                  std::optional<std::string_view> inventory_json) {
  return EditSnapshot(*impl_, [&](engine::SnapshotDoc& doc, const Policy& p) {
    return doc.Replace(p, snapshot_json, inventory_json);
  });
}

std::optional<InputError> Engine::UpdateTargets(std::string_view update_json) {
  return EditSnapshot(*impl_, [&](engine::SnapshotDoc& doc, const Policy& p) {
    return doc.MergeTargets(p, update_json);
  });
}

std::optional<InputError> Engine::UpdateInventory(std::string_view inventory_json) {
  return EditSnapshot(*impl_, [&](engine::SnapshotDoc& doc, const Policy& p) {
    return doc.ReplaceInventory(p, inventory_json);
  });
}

std::string Engine::SnapshotJson() const {
  std::lock_guard lock(impl_->write_mu);
  return impl_->doc.Canonical();
}

CounterStore& Engine::counters() const { return *impl_->counters; }

EngineError Engine::ChargeAdjust(EngineDecision& decision, std::string_view actual_target,
                                 std::optional<double> actual_cost) {
  return EngineInternals::ChargeAdjust(*impl_, decision, actual_target, actual_cost);
}

Worker::Worker() : impl(std::make_unique<Impl>()) {}
Worker::~Worker() {
  if (!impl->engine) return;
  Engine::Impl& e = *impl->engine;
  {
    std::lock_guard lock(e.stats_mu);
    // What a departed worker counted stays in the engine's totals.
    e.FoldLocked(*impl->stats, /*scalars=*/true);
    std::erase(e.workers, impl->stats);
  }
  e.epochs.Unregister(impl->slot);
}

std::unique_ptr<Worker> Engine::NewWorker() {
  std::unique_ptr<Worker> w(new Worker());
  w->impl->engine = impl_.get();
  w->impl->slot = impl_->epochs.Register();
  w->impl->frame = std::make_unique<JitFrame>();
  w->impl->candidate_frame = std::make_unique<JitFrame>();
  w->impl->candidate_out = std::make_unique<EngineDecision>();
  w->impl->stats = std::make_shared<WorkerStats>();
  if (impl_->options.audit) {
    w->impl->audit_pool.Create();
    w->impl->audit_ring.Create(*impl_->options.audit);
  }
  std::lock_guard lock(impl_->stats_mu);
  impl_->workers.push_back(w->impl->stats);
  return w;
}

std::unique_ptr<EngineRequest> Engine::NewRequest(EngineError* error) const {
  std::shared_ptr<const CompiledVersion> v;
  {
    std::lock_guard lock(impl_->write_mu);
    if (const EngineState* s = impl_->Current()) v = s->active.version;
  }
  if (!v) {
    if (error) *error = EngineError{ErrorCode::kNoPolicy, "no policy is loaded"};
    return nullptr;
  }
  std::unique_ptr<EngineRequest> r(new EngineRequest());
  r->impl->policy = v->policy;
  r->impl->schema_id = v->schema_id;
  size_t n = v->policy->request.fields.size();
  r->impl->values.resize(n);
  r->impl->state.assign(n, EngineRequest::Impl::kUnset);
  r->impl->strings.resize(n);
  if (error) *error = {};
  return r;
}

void Engine::Collect() { impl_->epochs.Reclaim(); }
size_t Engine::RetiredCount() const { return impl_->epochs.retired(); }

Engine::PolicyInfo Engine::ActivePolicy() const {
  std::lock_guard lock(impl_->write_mu);
  PolicyInfo info;
  if (const EngineState* s = impl_->Current(); s && s->active.version) {
    info.policy = s->active.version->policy;
    info.version = s->active.version->number;
    info.request_schema_id = s->active.version->schema_id;
  }
  return info;
}

uint64_t Engine::active_version() const {
  std::lock_guard lock(impl_->write_mu);
  const EngineState* s = impl_->Current();
  return s && s->active.version ? s->active.version->number : 0;
}

uint64_t Engine::request_schema_id() const {
  std::lock_guard lock(impl_->write_mu);
  const EngineState* s = impl_->Current();
  return s && s->active.version ? s->active.version->schema_id : 0;
}

}  // namespace mixtral
