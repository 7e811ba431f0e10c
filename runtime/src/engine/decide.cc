// The decision path. Everything a decision reads comes from one published
// state, loaded once inside an epoch guard; nothing here takes a lock.
#include <charconv>
#include <chrono>

#include "engine/internal.h"
#include "io/bind_value.h"
#include "io/json_doc.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral {
namespace {

int Log2(uint64_t ns) {
  int b = 0;
  while (ns > 1 && b < 31) {
    ns >>= 1;
    ++b;
  }
  return b;
}

}  // namespace

// Fills *out from one version and its snapshot; the friend of EngineDecision.
struct DecideInto {
  static EngineError Refuse(EngineDecision* out, ErrorCode code, std::string message) {
    out->ResetTo(Outcome::kRejected);
    return EngineError{code, std::move(message)};
  }

  static int32_t Run(Engine::Impl& e, const CompiledVersion& v, const BoundSnapshot& snapshot,
                     JitFrame& frame, JitRequest& jit_request, BoundRequest& scratch,
                     const EngineRequest& request, int64_t now, const DecideOptions& o,
                     uint64_t generation, EngineDecision* out, bool* invalid, Worker::Impl* hooks) {
    int32_t target_index = -1;
    const Policy& p = *v.policy;
    *invalid = false;
    if (auto err = request.impl->Materialize(v, &scratch)) {
      *invalid = true;
      out->ResetTo(Outcome::kRejected);
      out->route_.clear();
      out->reject_status_ = 400;
      out->reject_reason_ = err->ToString();
    } else if (v.compact && !o.explain && !o.route && !(e.options.audit && v.audit_interpreted)) {
      CompactDecision cd;
      jit_request.Bind(*v.jit, scratch);
      EvaluateJitCompact(*v.jit, frame, jit_request, now, false, &cd);
      out->ResetTo(cd.outcome);
      out->route_.assign(p.routes[cd.route]);
      if (cd.target >= 0) {
        out->has_target_ = true;
        out->target_.assign(snapshot.targets[cd.target].name);
        target_index = cd.target;
      }
      if (out->fallbacks_.size() < cd.fallback_count) out->fallbacks_.resize(8);
      for (uint32_t i = 0; i < cd.fallback_count; ++i)
        out->fallbacks_[i].assign(snapshot.targets[cd.fallbacks[i]].name);
      out->fallback_count_ = cd.fallback_count;
      if (cd.outcome == Outcome::kRejected) {
        out->reject_status_ = cd.reject_status;
        if (cd.reject_reason) out->reject_reason_.assign(*cd.reject_reason);
      }
    } else {
      EvalOptions eo;
      eo.explain = o.explain;
      eo.route = o.route;
      // The audit hooks: counter values come from the store (or, offline,
      // the snapshot) and every one read is recorded; masked fields record
      // the values derived from them (on the interpreter, which records them
      // all).
      if (hooks && (!p.counters.empty() || (e.options.audit && v.has_sensitive))) {
        hooks->record.Clear();
        eo.record = &hooks->record;
        if (e.options.audit && v.has_sensitive) eo.masked = &v.sensitive;
      }
      LiveCounters candidate_live;  // a candidate reads the live counters too, unrecorded
      if (!p.counters.empty() && !e.options.offline_counters) {
        LiveCounters* live = hooks ? &hooks->live : &candidate_live;
        live->store = e.counters.get();
        live->version = &v;
        eo.counters = live;
      }
      const bool jit = v.jit && !(eo.masked && v.audit_interpreted);
      out->AdoptFull(jit ? EvaluateJit(*v.jit, frame, scratch, now, eo)
                         : Evaluate(p, scratch, snapshot, now, eo));
      if (eo.record) EngineInternals::TakeRecord(*eo.record, out);
    }
    // Identity fields (contract §1), into buffers that keep their capacity.
    if (!request.impl->DecisionId(&out->decision_id_)) {
      out->decision_id_.assign(e.options.instance);
      char digits[24];
      uint64_t seq = o.sequence ? *o.sequence : e.next_id.fetch_add(1, std::memory_order_relaxed);
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seq);
      out->decision_id_.push_back('-');
      out->decision_id_.append(digits, end);
    }
    // The policy's and the snapshot's identity change only with the state,
    // so their strings are copied once per state rather than per decision.
    if (out->identity_generation_ != generation) {
      out->policy_.assign(p.name);
      out->policy_version_.assign(p.version);
      out->policy_hash_.assign(p.hash);
      out->snapshot_sha256_.assign(snapshot.sha256);
      if (snapshot.version)
        out->snapshot_version_ = snapshot.version;
      else if (out->snapshot_version_)
        out->snapshot_version_.reset();
      out->snapshot_taken_at_ms_ = snapshot.taken_at_ms;
      out->identity_generation_ = generation;
    }
    out->now_ms_ = now;
    out->engine_version_ = v.number;
    if (o.route) out->route_override_ = o.route;
    return target_index;
  }

  static void Pin(EngineDecision* out, const std::shared_ptr<const CompiledVersion>& v,
                  const BoundRequest& scratch) {
    if (out->full_.escalation.empty()) return;
    out->pinned_ = v;
    out->pinned_request_ = scratch.fields;
    out->cascade_stage_ = 0;
  }

  static void Time(EngineDecision* out, int64_t ns) { out->eval_ns_ = ns; }
};

EngineError Engine::Decide(Worker& worker, const EngineRequest& request,
                           const DecideOptions& options, EngineDecision* out) {
  Impl& e = *impl_;
  Worker::Impl& w = *worker.impl;
  if (w.engine != &e)
    return DecideInto::Refuse(out, ErrorCode::kUsage, "this worker belongs to another engine");
  engine::EpochGuard guard(e.epochs, w.slot);
  const EngineState* s = e.Current();
  if (!s || !s->active.version)
    return DecideInto::Refuse(out, ErrorCode::kNoPolicy, "no policy is loaded");
  if (!s->active.snapshot)
    return DecideInto::Refuse(out, ErrorCode::kNoSnapshot,
                              "no telemetry snapshot has been published");
  const CompiledVersion& v = *s->active.version;
  if (request.impl->schema_id != v.schema_id) {
    Bump(w.stats->schema_changed);
    return DecideInto::Refuse(
        out, ErrorCode::kSchemaChanged,
        "the request was laid out for another request schema than the running "
        "policy's (version " +
            std::to_string(v.number) + "); create the request again");
  }
  if (w.generation != s->generation) {
    if (v.jit) w.frame->SetSnapshot(*v.jit, *s->active.snapshot);
    const BoundVersion& c = s->candidate;
    if (c.version && c.version->jit && c.snapshot)
      w.candidate_frame->SetSnapshot(*c.version->jit, *c.snapshot);
    if (w.stats->layout != s->layout) AdoptLayout(e, *w.stats, s->layout);
    w.generation = s->generation;
  }
  const int64_t now = options.now_ms ? *options.now_ms : e.Now();
  const uint32_t every = e.options.latency_sample_every;
  const bool sampled = every != 0 && ++w.tick % every == 0;
  const bool audited = e.options.audit != nullptr;
  // The audit record carries eval_ns (contract §1: timing is on with audit).
  const bool timed = options.timing || sampled || audited;
  std::chrono::steady_clock::time_point t0;
  if (timed) t0 = std::chrono::steady_clock::now();

  bool invalid = false;
  int32_t target_index =
      DecideInto::Run(e, v, *s->active.snapshot, *w.frame, w.jit_request, w.scratch, request, now,
                      options, s->generation, out, &invalid, &w);
  if (timed) {
    int64_t ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (options.timing || audited) DecideInto::Time(out, ns);
    if (sampled) {
      Bump(w.stats->latency[Log2(static_cast<uint64_t>(ns))]);
      Bump(w.stats->latency_samples);
    }
  }
  if (invalid) Bump(w.stats->invalid);
  if (request.impl->unknown_fields) Bump(w.stats->unknown_fields, request.impl->unknown_fields);
  if (!out->charges().empty() && out->outcome() != Outcome::kRejected)
    EngineInternals::ApplyCharges(e, s->active.version, s->active.snapshot, w.scratch, out);
  CountDecision(*w.stats, *out, target_index);  // a refused charge is a fault too
  DecideInto::Pin(out, s->active.version, w.scratch);
  if (audited)
    EngineInternals::AuditDecision(
        e, AuditCapture{&s->audited, &request, w.audit_pool.get(), &w.audit_ring, invalid}, *out);

  const BoundVersion& c = s->candidate;
  if (c.version && c.snapshot) {
    if (c.version->schema_id != request.impl->schema_id) {
      Bump(w.stats->cand_schema_mismatch);
    } else {
      bool cand_invalid = false;
      DecideOptions co = options;
      co.timing = false;
      // Its generated id is never seen: it must not use up one of the
      // active policy's numbers.
      co.sequence = 0;
      DecideInto::Run(e, *c.version, *c.snapshot, *w.candidate_frame, w.candidate_jit_request,
                      w.scratch, request, now, co, s->generation, w.candidate_out.get(),
                      &cand_invalid, nullptr);
      CountCandidate(*w.stats, *out, *w.candidate_out);
    }
  }
  return {};
}

EngineError Engine::CascadeNext(EngineDecision& d, std::string_view response_json,
                                std::optional<std::string>* escalate_to) {
  if (!escalate_to) return EngineError{ErrorCode::kNullArgument, "escalate_to is NULL"};
  escalate_to->reset();
  if (!d.pinned_ || d.cascade_stage_ >= d.escalation().size())
    return EngineError{ErrorCode::kNotCascade, "this decision has no further cascade stage"};
  const Policy& p = *d.pinned_->policy;
  try {
    io::JsonValue doc;
    if (auto err = io::ParseJson(response_json, kMaxRequestBytes, "response", &doc))
      return EngineError{ErrorCode::kInvalidInput, err->ToString()};
    if (!doc.as_object())
      return EngineError{ErrorCode::kInvalidInput, "response: expected an object"};
    std::vector<Value> response;
    uint64_t unknown = 0;
    if (auto err = io::BindObjectFields(p.types, p.response, doc, io::PathNode::Root("response"),
                                        io::BindLimits{kMaxStringFieldBytes}, p.response.closed, {},
                                        &unknown, &response))
      return EngineError{ErrorCode::kInvalidInput, err->ToString()};
    BoundRequest request{d.pinned_request_};
    const Escalation& stage = d.escalation()[d.cascade_stage_];
    std::optional<bool> holds = EvaluateCascadeCondition(p, stage.when.id, request, response);
    if (holds.value_or(true)) {  // a missing condition escalates: fail closed
      *escalate_to = stage.target;
      ++d.cascade_stage_;
    } else {
      d.cascade_stage_ = d.escalation().size();  // accepted: the cascade is over
    }
    return {};
  } catch (...) {
    return EngineError{ErrorCode::kInternal, "internal error in cascade_next"};
  }
}

}  // namespace mixtral
