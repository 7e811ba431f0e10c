// Observability: each worker counts into its own cache lines; ReadStats sums
// them. Name-keyed counters are arrays indexed by a layout of names that
// changes only when a policy or the target list does.
#include "engine/internal.h"
#include "mixtral/compiler/outline.h"

namespace mixtral {

std::shared_ptr<const StatsLayout> MakeLayout(const EngineState& s) {
  auto l = std::make_shared<StatsLayout>();
  if (!s.active.version) return l;
  const Policy& p = *s.active.version->policy;
  PolicyOutline o = Outline(p);
  for (size_t r = 0; r < p.routes.size(); ++r) {
    l->routes.push_back(p.routes[r]);
    l->rule_offset.push_back(l->rules.size());
    for (const std::string& rule : o.rules[r]) l->rules.push_back(p.routes[r] + "/" + rule);
  }
  for (const std::string& a : o.assertions) {
    l->assertion_index.emplace(a, l->assertions.size());
    l->assertions.push_back(a);
  }
  if (s.active.snapshot)
    for (const BoundTarget& t : s.active.snapshot->targets) {
      l->target_index.emplace(t.name, l->targets.size());
      l->targets.push_back(t.name);
    }
  return l;
}

bool SameNames(const StatsLayout& a, const StatsLayout& b) {
  return a.routes == b.routes && a.targets == b.targets && a.rules == b.rules &&
         a.assertions == b.assertions;
}

namespace {

std::unique_ptr<std::atomic<uint64_t>[]> Zeroed(size_t n) {
  auto a = std::make_unique<std::atomic<uint64_t>[]>(n);
  for (size_t i = 0; i < n; ++i) a[i].store(0, std::memory_order_relaxed);
  return a;
}

void AddNamed(const std::vector<std::string>& names, const std::atomic<uint64_t>* counts,
              std::map<std::string, uint64_t>* out) {
  if (!counts) return;
  for (size_t i = 0; i < names.size(); ++i)
    if (uint64_t n = counts[i].load(std::memory_order_relaxed)) (*out)[names[i]] += n;
}

void AddNamedAll(const WorkerStats& w, EngineStats* out) {
  if (!w.layout) return;
  AddNamed(w.layout->routes, w.by_route.get(), &out->by_route);
  AddNamed(w.layout->targets, w.by_target.get(), &out->by_target);
  AddNamed(w.layout->rules, w.rules.get(), &out->rule_failures);
  AddNamed(w.layout->assertions, w.assertions.get(), &out->assertion_failures);
}

void AddScalars(const WorkerStats& w, EngineStats* r) {
  auto ld = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  r->decisions += ld(w.decisions);
  for (int i = 0; i < 3; ++i) r->by_outcome[i] += ld(w.by_outcome[i]);
  r->faulted_decisions += ld(w.faulted);
  r->invalid_requests += ld(w.invalid);
  r->unknown_request_fields += ld(w.unknown_fields);
  r->schema_changed += ld(w.schema_changed);
  for (int i = 0; i < 32; ++i) r->latency_ns_log2[i] += ld(w.latency[i]);
  r->latency_samples += ld(w.latency_samples);
  r->candidate_compared += ld(w.cand_compared);
  r->candidate_differed += ld(w.cand_differed);
  for (size_t i = 0; i < kDecisionFieldCount; ++i)
    if (uint64_t n = ld(w.cand_by_field[i])) r->candidate_diff_by_field[kDecisionFields[i]] += n;
  r->candidate_schema_mismatch += ld(w.cand_schema_mismatch);
}

}  // namespace

void Engine::Impl::FoldLocked(WorkerStats& w, bool scalars) {
  std::lock_guard lock(w.mu);
  AddNamedAll(w, &retired);
  if (scalars) AddScalars(w, &retired);
}

void AdoptLayout(Engine::Impl& e, WorkerStats& w, const std::shared_ptr<const StatsLayout>& l) {
  std::lock_guard engine_lock(e.stats_mu);
  std::lock_guard lock(w.mu);
  AddNamedAll(w, &e.retired);
  w.layout = l;
  w.by_route = Zeroed(l->routes.size());
  w.by_target = Zeroed(l->targets.size());
  w.rules = Zeroed(l->rules.size());
  w.assertions = Zeroed(l->assertions.size());
}

void CountDecision(WorkerStats& w, const EngineDecision& d, int32_t target_index) {
  Bump(w.decisions);
  Bump(w.by_outcome[static_cast<int>(d.outcome())]);
  const StatsLayout& l = *w.layout;
  size_t route = l.routes.size();
  for (size_t i = 0; i < l.routes.size(); ++i)
    if (l.routes[i] == d.route()) route = i;
  if (route < l.routes.size()) Bump(w.by_route[route]);
  if (d.has_target()) {
    if (target_index < 0) {
      auto it = l.target_index.find(std::string(d.target()));
      if (it != l.target_index.end()) target_index = static_cast<int32_t>(it->second);
    }
    if (target_index >= 0 && static_cast<size_t>(target_index) < l.targets.size())
      Bump(w.by_target[target_index]);
  }
  std::string_view reason = d.reject_reason();
  if (d.outcome() == Outcome::kRejected && reason.starts_with("assertion:")) {
    auto it = l.assertion_index.find(std::string(reason.substr(10)));
    if (it != l.assertion_index.end()) Bump(w.assertions[it->second]);
  }
  if (!d.explain()) return;
  const Explain& x = *d.explain();
  if (!x.faults.empty()) Bump(w.faulted);
  if (route >= l.routes.size()) return;
  const size_t begin = l.rule_offset[route];
  const size_t end = route + 1 < l.rule_offset.size() ? l.rule_offset[route + 1] : l.rules.size();
  const size_t prefix = l.routes[route].size() + 1;
  for (const auto& [target, rules] : x.removed)
    for (const std::string& rule : rules)
      for (size_t i = begin; i < end; ++i)
        if (std::string_view(l.rules[i]).substr(prefix) == rule) Bump(w.rules[i]);
}

namespace {

// The first decision field (contract §1's order) in which two decisions
// differ, or -1.
int FirstDifference(const EngineDecision& a, const EngineDecision& b) {
  if (a.route() != b.route()) return 0;
  if (a.outcome() != b.outcome()) return 1;
  if (a.has_target() != b.has_target() || a.target() != b.target()) return 2;
  bool fb = a.fallback_count() != b.fallback_count();
  for (size_t i = 0; !fb && i < a.fallback_count(); ++i) fb = a.fallback(i) != b.fallback(i);
  if (fb) return 3;
  if (a.mirrors() != b.mirrors()) return 4;
  if (a.variant() != b.variant()) return 5;
  if (a.escalation() != b.escalation()) return 6;
  if (a.ensemble() != b.ensemble()) return 7;
  if (a.reject_status() != b.reject_status() || a.reject_reason() != b.reject_reason()) return 8;
  if (a.degraded_reason() != b.degraded_reason()) return 9;
  if (a.annotations() != b.annotations()) return 10;
  return -1;
}

}  // namespace

void CountCandidate(WorkerStats& w, const EngineDecision& active, const EngineDecision& cand) {
  Bump(w.cand_compared);
  int diff = FirstDifference(active, cand);
  if (diff < 0) return;
  Bump(w.cand_differed);
  Bump(w.cand_by_field[diff]);
}

EngineStats Engine::ReadStats() const {
  Impl& e = *impl_;
  std::lock_guard lock(e.stats_mu);
  EngineStats out = e.retired;
  for (const auto& w : e.workers) {
    std::lock_guard wl(w->mu);
    AddScalars(*w, &out);
    AddNamedAll(*w, &out);
  }
  out.snapshots_published = e.snapshots_published.load();
  out.policies_loaded = e.policies_loaded.load();
  out.policy_load_failures = e.load_failures.load();
  out.snapshot_wrong_type_fields = e.snapshot_wrong_type.load();
  out.snapshot_unknown_targets = e.snapshot_unknown_targets.load();
  out.versions_reclaimed = e.epochs.reclaimed_total();
  return out;
}

}  // namespace mixtral
