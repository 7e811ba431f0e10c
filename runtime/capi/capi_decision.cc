// The C ABI: deciding, and reading every decision field without JSON.
#include <variant>

#include "capi_internal.h"

using mixtral::capi::Fail;
using mixtral::capi::Guarded;
using mixtral::capi::Keep;

namespace {

// A view's bytes as a C string: every view a decision hands out points into
// a std::string, which is NUL-terminated.
const char* C(std::string_view v) { return v.data(); }

mixtral_scalar_t Scalar(const mixtral::Scalar& s) {
  mixtral_scalar_t out{};
  if (const auto* str = std::get_if<std::string>(&s)) {
    out.kind = MIXTRAL_SCALAR_STRING;
    out.s = str->c_str();
  } else if (const auto* i = std::get_if<int64_t>(&s)) {
    out.kind = MIXTRAL_SCALAR_INT;
    out.i = *i;
  } else if (const auto* f = std::get_if<double>(&s)) {
    out.kind = MIXTRAL_SCALAR_FLOAT;
    out.f = *f;
  } else if (const auto* b = std::get_if<bool>(&s)) {
    out.kind = MIXTRAL_SCALAR_BOOL;
    out.b = *b ? 1 : 0;
  }
  return out;
}

const mixtral::Escalation* Stage(const mixtral_decision_t* d, size_t i) {
  return d && i < d->decision.escalation().size() ? &d->decision.escalation()[i] : nullptr;
}

}  // namespace

extern "C" {

mixtral_status_t mixtral_decision_new(mixtral_engine_t* engine, mixtral_decision_t** out,
                                      mixtral_error_t** err) {
  return Guarded([&]() -> mixtral_status_t {
    if (!engine || !out) return Fail(err, MIXTRAL_E_NULL, "engine or out is NULL");
    auto* d = new mixtral_decision();
    d->owner = engine;
    d->worker = engine->engine->NewWorker();
    *out = d;
    return MIXTRAL_OK;
  });
}

void mixtral_decision_free(mixtral_decision_t* dec) { delete dec; }

mixtral_status_t mixtral_decide(mixtral_engine_t* engine, const mixtral_request_t* req,
                                mixtral_decision_t* dec, const mixtral_decide_options_t* options) {
  if (!engine || !req || !dec) return MIXTRAL_E_NULL;
  return Guarded([&]() -> mixtral_status_t {
    if (dec->owner != engine) {
      dec->error = "this decision handle was made by another engine";
      return MIXTRAL_E_USAGE;
    }
    mixtral::DecideOptions o;
    if (options) {
      if (options->has_now) o.now_ms = options->now_ms;
      o.explain = options->explain != 0;
      o.timing = options->timing != 0;
      if (options->route) o.route = options->route;
    }
    return Keep(engine->engine->Decide(*dec->worker, *req->request, o, &dec->decision),
                &dec->error);
  });
}

const char* mixtral_decision_last_error(const mixtral_decision_t* dec) {
  return dec ? dec->error.c_str() : "";
}

const char* mixtral_decision_route(const mixtral_decision_t* d) {
  return d ? C(d->decision.route()) : nullptr;
}
mixtral_outcome_t mixtral_decision_outcome(const mixtral_decision_t* d) {
  return d ? static_cast<mixtral_outcome_t>(d->decision.outcome()) : MIXTRAL_REJECTED;
}
const char* mixtral_decision_target(const mixtral_decision_t* d) {
  return d && d->decision.has_target() ? C(d->decision.target()) : nullptr;
}
size_t mixtral_decision_fallback_count(const mixtral_decision_t* d) {
  return d ? d->decision.fallback_count() : 0;
}
const char* mixtral_decision_fallback(const mixtral_decision_t* d, size_t i) {
  return d && i < d->decision.fallback_count() ? C(d->decision.fallback(i)) : nullptr;
}
size_t mixtral_decision_mirror_count(const mixtral_decision_t* d) {
  return d ? d->decision.mirrors().size() : 0;
}
const char* mixtral_decision_mirror_target(const mixtral_decision_t* d, size_t i) {
  return d && i < d->decision.mirrors().size() ? d->decision.mirrors()[i].target.c_str() : nullptr;
}
int32_t mixtral_decision_mirror_rate_bp(const mixtral_decision_t* d, size_t i) {
  return d && i < d->decision.mirrors().size() ? d->decision.mirrors()[i].rate_bp : 0;
}
const char* mixtral_decision_variant(const mixtral_decision_t* d) {
  return d && d->decision.variant() ? d->decision.variant()->c_str() : nullptr;
}
int32_t mixtral_decision_reject_status(const mixtral_decision_t* d) {
  return d && d->decision.outcome() == mixtral::Outcome::kRejected ? d->decision.reject_status()
                                                                   : 0;
}
const char* mixtral_decision_reject_reason(const mixtral_decision_t* d) {
  return d && d->decision.outcome() == mixtral::Outcome::kRejected ? C(d->decision.reject_reason())
                                                                   : nullptr;
}
const char* mixtral_decision_degraded_reason(const mixtral_decision_t* d) {
  return d && d->decision.degraded_reason() ? d->decision.degraded_reason()->c_str() : nullptr;
}

size_t mixtral_decision_escalation_count(const mixtral_decision_t* d) {
  return d ? d->decision.escalation().size() : 0;
}
const char* mixtral_decision_escalation_target(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e ? e->target.c_str() : nullptr;
}
int mixtral_decision_escalation_is_simple(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e && e->when.simple ? 1 : 0;
}
const char* mixtral_decision_escalation_field(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e && e->when.simple ? e->when.field.c_str() : nullptr;
}
const char* mixtral_decision_escalation_op(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e && e->when.simple ? e->when.op.c_str() : nullptr;
}
mixtral_scalar_t mixtral_decision_escalation_value(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e && e->when.simple ? Scalar(e->when.value) : mixtral_scalar_t{};
}
const char* mixtral_decision_escalation_expr(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e ? e->when.expr.c_str() : nullptr;
}
int32_t mixtral_decision_escalation_id(const mixtral_decision_t* d, size_t i) {
  const mixtral::Escalation* e = Stage(d, i);
  return e ? e->when.id : -1;
}

int mixtral_decision_has_ensemble(const mixtral_decision_t* d) {
  return d && d->decision.ensemble() ? 1 : 0;
}
size_t mixtral_decision_ensemble_member_count(const mixtral_decision_t* d) {
  return d && d->decision.ensemble() ? d->decision.ensemble()->members.size() : 0;
}
const char* mixtral_decision_ensemble_member(const mixtral_decision_t* d, size_t i) {
  return i < mixtral_decision_ensemble_member_count(d) ? d->decision.ensemble()->members[i].c_str()
                                                       : nullptr;
}
const char* mixtral_decision_ensemble_combiner(const mixtral_decision_t* d) {
  return d && d->decision.ensemble() ? d->decision.ensemble()->combiner.c_str() : nullptr;
}

size_t mixtral_decision_annotation_count(const mixtral_decision_t* d) {
  return d ? d->decision.annotations().size() : 0;
}
const char* mixtral_decision_annotation_key(const mixtral_decision_t* d, size_t i) {
  return i < mixtral_decision_annotation_count(d) ? d->decision.annotations()[i].first.c_str()
                                                  : nullptr;
}
mixtral_scalar_t mixtral_decision_annotation_value(const mixtral_decision_t* d, size_t i) {
  return i < mixtral_decision_annotation_count(d) ? Scalar(d->decision.annotations()[i].second)
                                                  : mixtral_scalar_t{};
}

const char* mixtral_decision_id(const mixtral_decision_t* d) {
  return d ? C(d->decision.decision_id()) : nullptr;
}
const char* mixtral_decision_policy_hash(const mixtral_decision_t* d) {
  return d ? C(d->decision.policy_hash()) : nullptr;
}
const char* mixtral_decision_snapshot_sha256(const mixtral_decision_t* d) {
  return d ? C(d->decision.snapshot_sha256()) : nullptr;
}
int64_t mixtral_decision_now_ms(const mixtral_decision_t* d) {
  return d ? d->decision.now_ms() : 0;
}
int64_t mixtral_decision_eval_ns(const mixtral_decision_t* d) {
  return d && d->decision.eval_ns() ? *d->decision.eval_ns() : -1;
}
uint64_t mixtral_decision_policy_version_number(const mixtral_decision_t* d) {
  return d ? d->decision.engine_version() : 0;
}

mixtral_status_t mixtral_decision_json(const mixtral_decision_t* d, char** out, size_t* len) {
  if (!d || !out) return MIXTRAL_E_NULL;
  return Guarded([&]() -> mixtral_status_t {
    *out = mixtral::capi::CopyOut(d->decision.ToJson(), len);
    return *out ? MIXTRAL_OK : MIXTRAL_E_INTERNAL;
  });
}

mixtral_status_t mixtral_charge_adjust(mixtral_engine_t* engine, mixtral_decision_t* dec,
                                       const char* actual_target, size_t len, int has_cost,
                                       double actual_cost) {
  if (!engine || !dec || (!actual_target && len)) return MIXTRAL_E_NULL;
  return Guarded([&]() -> mixtral_status_t {
    std::optional<double> cost;
    if (has_cost) cost = actual_cost;
    return Keep(engine->engine->ChargeAdjust(
                    dec->decision, std::string_view(actual_target ? actual_target : "", len), cost),
                &dec->error);
  });
}

mixtral_status_t mixtral_cascade_next(mixtral_engine_t* engine, mixtral_decision_t* dec,
                                      const char* response_json, size_t len,
                                      const char** escalate_to) {
  if (!engine || !dec || !escalate_to || (!response_json && len)) return MIXTRAL_E_NULL;
  return Guarded([&]() -> mixtral_status_t {
    *escalate_to = nullptr;
    std::optional<std::string> next;
    mixtral_status_t s =
        Keep(engine->engine->CascadeNext(
                 dec->decision, std::string_view(response_json ? response_json : "", len), &next),
             &dec->error);
    if (s == MIXTRAL_OK && next) {
      dec->escalate_to = std::move(*next);
      *escalate_to = dec->escalate_to.c_str();
    }
    return s;
  });
}

}  // extern "C"
