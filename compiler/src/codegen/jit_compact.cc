// The allocation-free decision path for policies whose every clause is
// compiled. It must decide exactly as the shared pipeline does (route
// selection, contract §4's ranking, fallbacks, `otherwise reject`); the
// route16 and differential tests hold it to that.
#include <algorithm>

#include "codegen/frame.h"
#include "codegen/jit_internal.h"
#include "mixtral/compiler/jit.h"

namespace mixtral {

struct JitRequest::Impl {
  std::vector<codegen::Slot> slots;
  bool complete = false;  // see RequestSlotsComplete
};

JitRequest::JitRequest() : impl(std::make_unique<Impl>()) {}
JitRequest::~JitRequest() = default;
JitRequest::JitRequest(JitRequest&&) noexcept = default;
JitRequest& JitRequest::operator=(JitRequest&&) noexcept = default;

void JitRequest::Bind(const JitPolicy& policy, const BoundRequest& request) {
  codegen::BuildRequestSlots(*policy.policy, request, &impl->slots);
  codegen::InternRequestStrings(*policy.policy, policy.strings, request, &impl->slots);
  impl->complete = codegen::RequestSlotsComplete(impl->slots, policy.assumed_present);
}

bool JitCompactEligible(const JitPolicy& jp) { return jp.compact_eligible; }

namespace {

// The best `keep` of the m survivors by `better`, in order, into picks;
// returns how many. Insertion into the small sorted prefix: the stable sort
// of the shared pipeline, without sorting what is not picked.
template <typename Better>
size_t SelectBest(const uint32_t* survivors, size_t m, size_t keep, uint32_t* picks,
                  const Better& better) {
  size_t picked = 0;
  for (size_t s = 0; s < m; ++s) {
    const uint32_t i = survivors[s];
    size_t pos = picked;
    while (pos > 0 && better(i, picks[pos - 1])) --pos;
    if (pos >= keep) continue;
    size_t end = std::min(picked + 1, keep);
    for (size_t k = end - 1; k > pos; --k) picks[k] = picks[k - 1];
    picks[pos] = i;
    picked = end;
  }
  return picked;
}

// `affinity`'s rendezvous weights of the survivors, into `weights` (by
// target), or null without `affinity` or when its key is missing (the
// ranking stays as it is). Ordering by weight first and rank second is the
// shared pipeline's stable sort of the ranking.
[[gnu::noinline]] uint64_t* AffinityWeights(const JitPolicy& jp, size_t route,
                                            const codegen::KernelCtx& kctx,
                                            const BoundSnapshot& snapshot,
                                            const uint32_t* survivors, size_t m,
                                            uint64_t* weights) {
  if (!jp.affinities[route] || m == 0) return nullptr;
  for (size_t s = 0; s < m; ++s) {
    const std::string& name = snapshot.targets[survivors[s]].name;
    uint64_t pv[2] = {0, 0};
    jp.affinities[route](&kctx, name.data(), name.size(), pv);
    if (!pv[0]) return nullptr;
    weights[survivors[s]] = pv[1];
  }
  return weights;
}

}  // namespace

void EvaluateJitCompact(const JitPolicy& jp, JitFrame& frame, const JitRequest& request,
                        int64_t now_ms, bool explain, CompactDecision* out) {
  JitFrame::Impl& f = *frame.impl;
  const BoundSnapshot& snapshot = *f.snapshot;
  const auto& routes = jp.policy->ir->program.routes;
  codegen::KernelCtx kctx{request.impl->slots.data(),
                          f.targets.data(),
                          codegen::TargetStride(*jp.policy),
                          snapshot.targets.size(),
                          now_ms,
                          snapshot.taken_at_ms.value_or(0),
                          snapshot.taken_at_ms ? 1u : 0u,
                          0,
                          0,
                          f.StartDecision(jp)};
  if (!request.impl->complete) {
    // Not a request the binder would produce (contract §8): the library's
    // answer to an invalid request, rather than kernels run on a field they
    // take to be present.
    out->route = 0;
    out->outcome = Outcome::kRejected;
    out->target = -1;
    out->fallback_count = 0;
    out->reject_status = 400;
    out->reject_reason = &jp.missing_required_field;
    out->failed = nullptr;
    out->scores = nullptr;
    return;
  }
  // Route selection as in internal::SelectRoute: the only route, else the first
  // whose `when` holds, else the default.
  size_t chosen = routes.size() == 1 ? 0 : jp.default_route;
  if (routes.size() > 1) {
    for (size_t i = 0; i < routes.size(); ++i) {
      if (!jp.conditions[i]) continue;
      uint64_t pv[2] = {0, 0};
      jp.conditions[i](&kctx, pv);
      if (pv[0] && pv[1]) {
        chosen = i;
        break;
      }
    }
  }
  out->route = static_cast<uint32_t>(chosen);
  if (chosen >= routes.size()) {  // unreachable after E0301, but never index past the end
    out->outcome = Outcome::kRejected;
    out->target = -1;
    out->fallback_count = 0;
    out->reject_status = 503;
    out->reject_reason = &jp.no_eligible_target;
    return;
  }
  out->fallback_count = 0;
  out->failed = explain ? f.failed.data() : nullptr;
  out->scores = explain ? f.score.data() : nullptr;
  const ast::Route& route = routes[chosen];
  codegen::KernelOut kout{f.selected.data(), f.failed.data(),      f.missing.data(),
                          f.score.data(),    f.score_class.data(), f.survivors.data()};
  const size_t m = (explain ? jp.kernels : jp.quick_kernels)[chosen](&kctx, &kout, explain ? 1 : 0);

  // Selection of the best 1 + N by (class, score, index): the stable sort of
  // the shared pipeline, without sorting what is not picked. `spread top K`
  // picks among the best K (JitCompactEligible: K <= 9), so as many are kept.
  const size_t fallbacks = route.fallback ? static_cast<size_t>(route.fallback->count) : 0;
  size_t keep = 1 + fallbacks;
  uint32_t picks[9];
  size_t picked = 0;
  // The kernel lists the survivors, so ranking never looks at the others.
  const uint32_t* survivors = f.survivors.data();
  const bool reorders = route.spread || route.affinity;
  uint64_t* weights = nullptr;
  if (reorders) [[unlikely]] {
    if (route.spread) keep = std::max<size_t>(keep, static_cast<size_t>(route.spread->top));
    weights = AffinityWeights(jp, chosen, kctx, snapshot, survivors, m, f.weights.data());
  }
  const bool scored = !route.objectives.empty();
  auto ranked = [&](uint32_t a, uint32_t b) {
    uint8_t ca = f.score_class[a], cb = f.score_class[b];
    if (ca != cb) return ca < cb;
    if (ca == 0 && f.score[a] != f.score[b]) return f.score[a] < f.score[b];
    return a < b;
  };
  if (weights) [[unlikely]] {
    picked = SelectBest(survivors, m, keep, picks, [&](uint32_t a, uint32_t b) {
      if (weights[a] != weights[b]) return weights[a] > weights[b];
      return scored ? ranked(a, b) : a < b;
    });
  } else if (!scored) {
    // Unscored: ranked by index, which is the survivors' order already.
    picked = std::min(m, keep);
    std::copy(survivors, survivors + picked, picks);
  } else {
    picked = SelectBest(survivors, m, keep, picks, ranked);
  }
  if (picked == 0) {
    out->outcome = Outcome::kRejected;
    out->target = -1;
    if (route.otherwise.kind == ast::Otherwise::Kind::kReject) {
      out->reject_status = route.otherwise.status;
      out->reject_reason = &route.otherwise.reason;
    } else {
      out->reject_status = 503;
      out->reject_reason = &jp.no_eligible_target;
    }
    return;
  }
  if (reorders && route.spread) {
    // The survivor at bucket(key, min(K, n)) becomes the primary (SPEC §8.4).
    const uint64_t pick =
        jp.spreads[chosen](&kctx, std::min<uint64_t>(static_cast<uint64_t>(route.spread->top), m));
    if (pick != UINT64_MAX) std::rotate(picks, picks + pick, picks + pick + 1);
    picked = std::min(picked, 1 + fallbacks);
  }
  out->outcome = Outcome::kRouted;
  out->target = static_cast<int32_t>(picks[0]);
  out->reject_status = 0;
  out->reject_reason = nullptr;
  for (size_t k = 1; k < picked; ++k) out->fallbacks[out->fallback_count++] = picks[k];
}

}  // namespace mixtral
