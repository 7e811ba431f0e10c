// EngineDecision: a reusable decision. The common fields live in buffers
// that keep their capacity, so that deciding into the same object again
// allocates nothing; the rarer ones stay in a Decision.
#include "engine/internal.h"

namespace mixtral {

EngineDecision::EngineDecision() = default;
EngineDecision::~EngineDecision() = default;

void EngineDecision::ResetTo(Outcome o) {
  outcome_ = o;
  has_target_ = false;
  fallback_count_ = 0;
  reject_status_ = 0;
  reject_reason_.clear();
  // clear() keeps capacity; reset() frees only what an earlier, richer
  // decision left behind.
  full_.mirrors.clear();
  full_.escalation.clear();
  full_.annotations.clear();
  full_.charges.clear();
  if (full_.variant) full_.variant.reset();
  if (full_.ensemble) full_.ensemble.reset();
  if (full_.degraded_reason) full_.degraded_reason.reset();
  if (full_.explain) full_.explain.reset();
  if (route_override_) route_override_.reset();
  eval_ns_.reset();
  pinned_.reset();
  cascade_stage_ = 0;
  counters_read_.clear();
  derived_.clear();
  receipts_.clear();
  if (charged_snapshot_) charged_snapshot_.reset();
  if (charged_version_) charged_version_.reset();
  adjusted_ = false;
}

void EngineDecision::AdoptFull(Decision&& d) {
  ResetTo(d.outcome);
  route_.assign(d.route);
  has_target_ = d.target.has_value();
  if (d.target) target_.assign(*d.target);
  if (fallbacks_.size() < d.fallbacks.size()) fallbacks_.resize(d.fallbacks.size());
  for (size_t i = 0; i < d.fallbacks.size(); ++i) fallbacks_[i].assign(d.fallbacks[i]);
  fallback_count_ = d.fallbacks.size();
  if (d.reject) {
    reject_status_ = d.reject->status;
    reject_reason_.assign(d.reject->reason);
  }
  full_.mirrors = std::move(d.mirrors);
  full_.variant = std::move(d.variant);
  full_.escalation = std::move(d.escalation);
  full_.ensemble = std::move(d.ensemble);
  full_.degraded_reason = std::move(d.degraded_reason);
  full_.annotations = std::move(d.annotations);
  full_.explain = std::move(d.explain);
  full_.charges = std::move(d.charges);
}

Decision EngineDecision::ToDecision() const {
  Decision d;
  d.route = route_;
  d.outcome = outcome_;
  if (has_target_) d.target = target_;
  d.fallbacks.assign(fallbacks_.begin(), fallbacks_.begin() + static_cast<long>(fallback_count_));
  d.mirrors = full_.mirrors;
  d.variant = full_.variant;
  d.escalation = full_.escalation;
  d.ensemble = full_.ensemble;
  if (outcome_ == Outcome::kRejected) d.reject = Reject{reject_status_, reject_reason_};
  d.degraded_reason = full_.degraded_reason;
  d.annotations = full_.annotations;
  d.explain = full_.explain;
  d.decision_id = decision_id_;
  d.policy = policy_;
  d.policy_version = policy_version_;
  d.policy_hash = policy_hash_;
  d.snapshot_sha256 = snapshot_sha256_;
  d.snapshot_version = snapshot_version_;
  d.snapshot_taken_at_ms = snapshot_taken_at_ms_;
  d.now_ms = now_ms_;
  d.eval_ns = eval_ns_;
  d.route_override = route_override_;
  d.charges = full_.charges;
  return d;
}

std::string EngineDecision::ToJson() const { return DecisionToJson(ToDecision()); }

}  // namespace mixtral
