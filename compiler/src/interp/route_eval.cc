#include "interp/route_eval.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "mixtral/stdlib/hash.h"

namespace mixtral::internal {
namespace {

using K = Value::Kind;

std::optional<double> AsNumber(const Value& v) {
  if (v.kind() == K::kInt) return static_cast<double>(v.as_int());
  if (v.kind() == K::kFloat) return v.as_float();
  return std::nullopt;
}

// Annotations with `target` bound to the primary (ctx.target; null when
// there is none, so target-dependent annotations are omitted).
void ComputeAnnotations(const EvalCtx& ctx, const ast::Route& route, Decision* d,
                        const CompiledAnnotation& compiled) {
  d->annotations.clear();
  const size_t target =
      ctx.target ? static_cast<size_t>(ctx.target - ctx.snapshot->targets.data()) : SIZE_MAX;
  for (size_t k = 0; k < route.annotations.size(); ++k) {
    const ast::Annotate& a = route.annotations[k];
    std::optional<std::optional<Scalar>> c;
    if (compiled) c = compiled(k, target);
    std::optional<Scalar> s =
        c ? *c : ToScalar(*ctx.policy, ctx.ir->type[a.value], Eval(ctx, a.value));
    if (!s) continue;
    auto it = std::find_if(d->annotations.begin(), d->annotations.end(),
                           [&](const auto& kv) { return kv.first == a.key; });
    if (it != d->annotations.end())
      it->second = *s;
    else
      d->annotations.emplace_back(a.key, *s);
  }
  std::sort(d->annotations.begin(), d->annotations.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
}

// The mixed hash bucket (contract §6) of a split's or mirror's key: the
// recorded bucket when replaying (EvalOptions::derived), else hashed from
// the key, and recorded as derived when the key read a masked field (SPEC
// §19.1). nullopt when the key is missing. `key` kNoExpr keys by the
// request's id field.
std::optional<uint32_t> KeyBucket(const EvalCtx& ctx, const std::string& name, ast::ExprId key_expr,
                                  std::string_view salt) {
  const EvalOptions* hooks = ctx.hooks;
  if (const std::optional<Scalar>* recorded = RecordedDerived(ctx, name)) {
    if (!*recorded) return std::nullopt;
    const auto* bucket = std::get_if<int64_t>(&**recorded);
    if (bucket && *bucket >= 0 && *bucket < 10000) return static_cast<uint32_t>(*bucket);
    // Not a bucket: the key is evaluated, and its masked read counted.
  }
  EvalRecord* record = hooks ? hooks->record : nullptr;
  const bool before = record && record->masked_read;
  if (record) record->masked_read = false;
  const int id_field = ctx.ir->id_field;
  Value key = key_expr != ast::kNoExpr ? Eval(ctx, key_expr)
              : id_field >= 0          ? (MaskedRead(ctx, static_cast<uint32_t>(id_field)),
                                 ctx.request->fields[id_field])
                                       : Value::Missing();
  std::optional<uint32_t> bucket;
  if (key.kind() == K::kString) bucket = MixedBucket10k(salt, key.as_string());
  if (record && hooks->derived) {
    // Replaying without a recorded bucket: a masked read stays a masked read.
    record->masked_read = record->masked_read || before;
  } else if (record) {
    if (record->masked_read)
      RecordDerived(record, name,
                    bucket ? std::optional<Scalar>(int64_t{*bucket}) : std::optional<Scalar>());
    // Read through the bucket, which the record now carries.
    record->masked_read = before;
  }
  return bucket;
}

class RouteRun {
 public:
  RouteRun(const EvalCtx& base, size_t route, const EvalOptions& options, Decision* d,
           const KernelVerdicts* kernel, std::vector<mixtral::Fault> route_faults)
      : route_faults_(std::move(route_faults)),
        kernel_(kernel),
        route_index_(route),
        base_(base),
        ir_(*base.ir),
        route_(ir_.program.routes[route]),
        info_(ir_.routes[route]),
        options_(options),
        d_(*d) {}

  void Run() {
    if (options_.explain) {
      d_.explain.emplace();
      d_.explain->faults = std::move(route_faults_);
    }
    const SafeTarget safe = SafeDefault();
    ComputeVariant();
    std::vector<size_t> survivors = kernel_ ? KernelSurvivors() : ApplyRules();
    std::vector<Ranked> order = Rank(survivors);
    Reorder(order);
    if (safe.triggered) {
      Degrade(safe.target, "safe_default", safe.reason);
    } else if (order.empty()) {
      Otherwise();
    } else {
      Route(order);
    }
    if (d_.outcome != Outcome::kRejected) {
      // A degraded decision is already off its normal path: no shadow traffic,
      // no escalation plan.
      if (d_.outcome == Outcome::kRouted) {
        Mirrors();
        Cascade();
      }
      Ensemble(order);
      Charges();
    } else {
      d_.variant.reset();
    }
    Annotations();
  }

 private:
  struct SafeTarget {
    bool triggered = false;
    ast::TargetRef target;
    std::string reason;
  };
  struct Ranked {
    size_t index;
    int cls;  // 0 number, 1 NaN, 2 missing (contract §4)
    double score;
  };

  const std::vector<BoundTarget>& targets() const { return base_.snapshot->targets; }

  EvalCtx WithTarget(const BoundTarget* t, std::vector<std::string>* missing) const {
    EvalCtx c = base_;
    c.target = t;
    c.variant = variant_;
    c.missing = missing;
    return c;
  }

  void Fault(const std::string& target, const std::string& rule, std::vector<std::string> fields) {
    if (d_.explain) d_.explain->faults.push_back(mixtral::Fault{target, rule, std::move(fields)});
  }

  SafeTarget SafeDefault() {
    for (const ast::SafeDefault& sd : route_.safe_defaults) {
      std::vector<std::string> missing;
      size_t k = &sd - route_.safe_defaults.data();
      std::optional<std::optional<bool>> compiled;
      if (kernel_ && kernel_->safe_default) compiled = kernel_->safe_default(k);
      std::optional<bool> v =
          compiled ? *compiled : Truth(Eval(WithTarget(nullptr, &missing), sd.when));
      // Which inputs were missing is only worked out for the explanation.
      if (compiled && !v && d_.explain) (void)Eval(WithTarget(nullptr, &missing), sd.when);
      if (!v) Fault("", "safe_default", missing);
      // A breaker that cannot tell whether telemetry is usable trips: fail safe.
      if (!v || *v) return SafeTarget{true, sd.target, sd.reason};
    }
    return {};
  }

  void ComputeVariant() {
    variant_ = kernel_ && kernel_->variant ? *kernel_->variant : SplitVariant(base_, route_index_);
    if (variant_) d_.variant = route_.split->arms[*variant_].name;
  }

  bool Selected(const BoundTarget& t) const {
    for (ast::ExprId sel : route_.selectors) {
      std::optional<bool> v = Truth(Eval(WithTarget(&t, nullptr), sel));
      if (!v || !*v) return false;
    }
    return true;
  }

  // The verdict of one rule for one target: pass, fail, or fail because missing.
  bool RulePasses(const ast::Rule& rule, const BoundTarget& t, bool record) {
    if (!record && !options_.trace) {  // the quiet path: nothing to note
      std::optional<bool> v = Truth(Eval(WithTarget(&t, nullptr), rule.cond));
      return v.has_value() && (rule.forbid ? !*v : *v);
    }
    std::vector<std::string> missing;
    std::optional<bool> v = Truth(Eval(WithTarget(&t, record ? &missing : nullptr), rule.cond));
    bool pass = v.has_value() && (rule.forbid ? !*v : *v);
    if (record && !v) Fault(t.name, rule.name, missing);
    if (options_.trace) {
      TraceEvent e{route_.name, t.name, rule.name,
                   !v     ? "missing"
                   : pass ? "pass"
                          : "fail",
                   missing};
      options_.trace->OnRule(e);
    }
    return pass;
  }

  std::vector<size_t> ApplyRules() {
    std::vector<size_t> survivors;
    survivors.reserve(targets().size());  // one allocation, not one per doubling
    bool full = options_.explain || options_.trace;
    for (size_t i = 0; i < targets().size(); ++i) {
      const BoundTarget& t = targets()[i];
      if (!Selected(t)) continue;
      // Failed rules are named only for the explanation: copying names that
      // nobody reads was most of a quiet decision's allocations.
      bool any_failed = false;
      std::vector<std::string> failed;
      for (const ast::Rule& rule : route_.rules) {
        if (!RulePasses(rule, t, options_.explain || options_.trace)) {
          any_failed = true;
          if (d_.explain) failed.push_back(rule.name);
          // Rules are pure: without an explanation the rest cannot matter.
          if (!full) break;
        }
      }
      if (!any_failed) {
        survivors.push_back(i);
      } else if (d_.explain) {
        d_.explain->removed.emplace_back(t.name, std::move(failed));
      }
    }
    return survivors;
  }

  // Survivors from a compiled kernel's verdict bits. Fault details (which
  // inputs were missing) are recovered by re-evaluating just those rules.
  std::vector<size_t> KernelSurvivors() {
    std::vector<size_t> survivors;
    survivors.reserve(targets().size());
    for (size_t i = 0; i < targets().size(); ++i) {
      if (!kernel_->selected[i]) continue;
      const BoundTarget& t = targets()[i];
      uint64_t failed = kernel_->failed[i], missing = kernel_->missing[i];
      if (options_.trace) {
        for (size_t r = 0; r < route_.rules.size(); ++r) {
          uint64_t bit = uint64_t{1} << r;
          const char* verdict = (missing & bit) ? "missing" : (failed & bit) ? "fail" : "pass";
          options_.trace->OnRule(
              TraceEvent{route_.name, t.name, route_.rules[r].name, verdict, {}});
        }
      }
      if (failed == 0) {
        survivors.push_back(i);
        continue;
      }
      if (!d_.explain) continue;
      std::vector<std::string> names;
      for (size_t r = 0; r < route_.rules.size(); ++r) {
        uint64_t bit = uint64_t{1} << r;
        if (!(failed & bit)) continue;
        names.push_back(route_.rules[r].name);
        if (missing & bit) {
          std::vector<std::string> fields;
          (void)Eval(WithTarget(&t, &fields), route_.rules[r].cond);
          Fault(t.name, route_.rules[r].name, std::move(fields));
        }
      }
      d_.explain->removed.emplace_back(t.name, std::move(names));
    }
    return survivors;
  }

  std::optional<double> Number(const Value& v) const {
    if (v.kind() == K::kInt) return static_cast<double>(v.as_int());
    if (v.kind() == K::kFloat) return v.as_float();
    return std::nullopt;
  }

  // The first objective term that came out missing, and why (explain only).
  void ObjectiveFault(const BoundTarget& t) {
    for (const ast::Objective& o : route_.objectives) {
      std::vector<std::string> fields;
      EvalCtx ctx = WithTarget(&t, &fields);
      bool missing = !Number(Eval(ctx, o.value));
      if (!missing && o.weight != ast::kNoExpr) missing = !Number(Eval(ctx, o.weight));
      if (missing) return Fault(t.name, o.name, std::move(fields));
    }
  }

  std::vector<Ranked> Rank(const std::vector<size_t>& survivors) {
    std::vector<Ranked> out;
    out.reserve(survivors.size());
    for (size_t idx : survivors) {
      Ranked r{idx, 0, 0.0};
      if (kernel_) {
        r.cls = route_.objectives.empty() ? 0 : kernel_->score_class[idx];
        r.score = route_.objectives.empty() ? 0.0 : kernel_->score[idx];
        out.push_back(r);
        continue;
      }
      EvalCtx ctx = WithTarget(&targets()[idx], nullptr);
      bool missing = false;
      for (size_t k = 0; k < route_.objectives.size(); ++k) {
        const ast::Objective& o = route_.objectives[k];
        std::optional<double> v = Number(Eval(ctx, o.value));
        std::optional<double> term = v;
        if (v && o.weight != ast::kNoExpr) {
          std::optional<double> w = Number(Eval(ctx, o.weight));
          term = w ? std::optional<double>(*v * *w) : std::nullopt;
        }
        if (!term) {
          missing = true;
          break;
        }
        // No 0.0 seed: the first term is the score (contract §5).
        if (k == 0)
          r.score = o.maximize ? -*term : *term;
        else
          r.score = o.maximize ? r.score - *term : r.score + *term;
      }
      r.cls = missing ? 2 : std::isnan(r.score) ? 1 : 0;
      out.push_back(r);
    }
    if (d_.explain) {
      for (const Ranked& r : out)
        if (r.cls == 2) ObjectiveFault(targets()[r.index]);
    }
    std::stable_sort(out.begin(), out.end(), [](const Ranked& a, const Ranked& b) {
      if (a.cls != b.cls) return a.cls < b.cls;
      return a.cls == 0 && a.score < b.score;
    });
    if (d_.explain) {
      for (const Ranked& r : out) {
        std::optional<double> s;
        if (r.cls != 2) s = r.score;
        if (route_.objectives.empty()) s.reset();
        d_.explain->scores.push_back(Score{targets()[r.index].name, s});
      }
    }
    return out;
  }

  void Reorder(std::vector<Ranked>& order) {
    if (order.empty()) return;
    if (route_.spread) {
      size_t k = std::min<size_t>(static_cast<size_t>(route_.spread->top), order.size());
      std::optional<std::optional<size_t>> compiled;
      if (kernel_ && kernel_->spread) compiled = kernel_->spread(k);
      if (compiled) {
        if (*compiled) Rotate(order, **compiled);
        return;
      }
      Value key = Eval(WithTarget(nullptr, nullptr), route_.spread->key);
      if (key.kind() == K::kString) Rotate(order, static_cast<size_t>(Bucket(key.as_string(), k)));
    } else if (route_.affinity) {
      if (kernel_ && kernel_->affinity && CompiledAffinity(order)) return;
      Value key = Eval(WithTarget(nullptr, nullptr), route_.affinity->key);
      if (key.kind() == K::kString) {
        std::string_view k = key.as_string();
        std::stable_sort(order.begin(), order.end(), [&](const Ranked& a, const Ranked& b) {
          return RendezvousWeight(k, targets()[a.index].name) >
                 RendezvousWeight(k, targets()[b.index].name);
        });
      }
    }
  }

  static void Rotate(std::vector<Ranked>& order, size_t pick) {
    std::rotate(order.begin(), order.begin() + pick, order.begin() + pick + 1);
  }

  // Reorders by compiled rendezvous weights; false leaves it to the
  // interpreter.
  bool CompiledAffinity(std::vector<Ranked>& order) {
    std::vector<std::pair<uint64_t, Ranked>> weighted;
    for (const Ranked& r : order) {
      std::optional<std::optional<uint64_t>> w = kernel_->affinity(r.index);
      if (!w) return false;
      if (!*w) return true;  // a missing key leaves the ranking unchanged
      weighted.emplace_back(**w, r);
    }
    std::stable_sort(weighted.begin(), weighted.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < order.size(); ++i) order[i] = weighted[i].second;
    return true;
  }

  const BoundTarget* Find(const std::string& name) const {
    for (const BoundTarget& t : targets())
      if (t.name == name) return &t;
    return nullptr;
  }

  // Binding rules hold for every named target (contract §7). Returns the
  // target, or nullptr after recording the drop.
  const BoundTarget* Bind(const ast::TargetRef& ref, const char* role) {
    const BoundTarget* t = Find(ref.name);
    if (!t) {
      if (d_.explain) d_.explain->dropped.push_back(Dropped{ref.name, role, "unknown_target"});
      return nullptr;
    }
    if (kernel_ && kernel_->binding) {
      size_t failed = kernel_->binding(static_cast<size_t>(t - targets().data()));
      if (failed == 0) return t;
      if (d_.explain)
        d_.explain->dropped.push_back(Dropped{ref.name, role, route_.rules[failed - 1].name});
      return nullptr;
    }
    for (const ast::Rule& rule : route_.rules) {
      if (!rule.binding) continue;
      std::optional<bool> v = Truth(Eval(WithTarget(t, nullptr), rule.cond));
      if (!v || (rule.forbid ? *v : !*v)) {
        if (d_.explain) d_.explain->dropped.push_back(Dropped{ref.name, role, rule.name});
        return nullptr;
      }
    }
    return t;
  }

  void Reject(int32_t status, std::string reason) {
    d_.outcome = Outcome::kRejected;
    d_.target.reset();
    d_.reject = mixtral::Reject{status, std::move(reason)};
  }

  void Degrade(const ast::TargetRef& ref, const char* role, const std::string& reason) {
    const BoundTarget* t = Bind(ref, role);
    if (!t) return Reject(503, "no eligible target");
    d_.outcome = Outcome::kDegraded;
    d_.target = t->name;
    d_.degraded_reason = reason;
    primary_ = t;
  }

  void Otherwise() {
    switch (route_.otherwise.kind) {
      case ast::Otherwise::Kind::kReject:
        return Reject(route_.otherwise.status, route_.otherwise.reason);
      case ast::Otherwise::Kind::kDegrade:
        return Degrade(route_.otherwise.target, "degrade", route_.otherwise.reason);
      case ast::Otherwise::Kind::kNone:
        return Reject(503, "no eligible target");
    }
  }

  void Route(const std::vector<Ranked>& order) {
    primary_ = &targets()[order[0].index];
    d_.outcome = Outcome::kRouted;
    d_.target = primary_->name;
    if (!route_.fallback) return;
    auto add = [&](const std::string& name) {
      if (name == primary_->name) return;
      if (std::find(d_.fallbacks.begin(), d_.fallbacks.end(), name) != d_.fallbacks.end()) return;
      d_.fallbacks.push_back(name);
    };
    if (route_.fallback->is_named) {
      for (const ast::TargetRef& ref : route_.fallback->named) {
        if (ref.name == primary_->name) continue;
        if (const BoundTarget* t = Bind(ref, "fallback")) add(t->name);
      }
    } else {
      for (size_t i = 1;
           i < order.size() && d_.fallbacks.size() < static_cast<size_t>(route_.fallback->count);
           ++i)
        add(targets()[order[i].index].name);
    }
  }

  void Mirrors() {
    for (size_t k = 0; k < route_.mirrors.size(); ++k) {
      const ast::MirrorClause& m = route_.mirrors[k];
      // Audit hooks record (and replay substitutes) the buckets of masked
      // keys, which only the interpreted path does.
      std::optional<bool> compiled;
      if (kernel_ && kernel_->mirror && !base_.hooks) compiled = kernel_->mirror(k);
      if (compiled ? !*compiled : !Samples(m)) continue;
      bool seen = std::any_of(d_.mirrors.begin(), d_.mirrors.end(),
                              [&](const Mirror& x) { return x.target == m.target.name; });
      if (seen) continue;  // one shadow copy per target; the first clause wins
      if (const BoundTarget* t = Bind(m.target, "mirror"))
        d_.mirrors.push_back(Mirror{t->name, m.rate_bp});
    }
  }

  // Whether a mirror clause takes a shadow copy of this request.
  bool Samples(const ast::MirrorClause& m) const {
    EvalCtx ctx = WithTarget(nullptr, nullptr);
    if (m.when != ast::kNoExpr) {
      std::optional<bool> w = Truth(Eval(ctx, m.when));
      if (!w || !*w) return false;
    }
    std::optional<uint32_t> bucket =
        KeyBucket(ctx, "mirror:" + m.target.name, m.key, m.target.name);
    return bucket && *bucket < static_cast<uint32_t>(m.rate_bp);
  }

  EscalationWhen When(ast::ExprId cond, int id) const {
    EscalationWhen w;
    w.expr = ir_.cascade_sources[id];
    w.id = id;
    const auto* bin = std::get_if<ast::Binary>(&ir_.program.at(cond).node);
    if (!bin || bin->op == ast::BinOp::kAnd || bin->op == ast::BinOp::kOr ||
        bin->op == ast::BinOp::kIn || bin->op == ast::BinOp::kNotIn)
      return w;
    const Ref& lhs = ir_.ref[bin->lhs];
    if (lhs.kind != RefKind::kResponseField) return w;
    // The right side must be a literal (an enum member counts as one).
    const ast::ExprNode& rhs = ir_.program.at(bin->rhs).node;
    bool literal =
        std::holds_alternative<ast::IntLit>(rhs) || std::holds_alternative<ast::FloatLit>(rhs) ||
        std::holds_alternative<ast::StringLit>(rhs) || std::holds_alternative<ast::BoolLit>(rhs) ||
        ir_.ref[bin->rhs].kind == RefKind::kEnumMember;
    if (!literal) return w;
    std::optional<Scalar> value =
        ToScalar(*base_.policy, ir_.type[bin->rhs], Eval(WithTarget(nullptr, nullptr), bin->rhs));
    if (!value) return w;
    EscalationWhen s;
    s.simple = true;
    s.field = base_.policy->response.fields[lhs.index].name;
    s.op = ast::BinOpText(bin->op);
    s.value = *value;
    s.id = id;  // not written for the simple form, but cascade_next needs it
    return s;
  }

  void Cascade() {
    if (!route_.cascade) return;
    const bool compiled_pin = kernel_ && kernel_->pin;
    std::optional<Value> pin;
    if (route_.cascade->pin != ast::kNoExpr && !compiled_pin)
      pin = Eval(WithTarget(primary_, nullptr), route_.cascade->pin);
    for (size_t i = 0; i < route_.cascade->stages.size(); ++i) {
      const ast::Escalate& st = route_.cascade->stages[i];
      const BoundTarget* t = Bind(st.target, "escalation");
      if (!t) continue;
      if (route_.cascade->pin != ast::kNoExpr) {
        bool keep;
        if (compiled_pin) {
          keep = kernel_->pin(Index(primary_), Index(t));
        } else {
          Value v = Eval(WithTarget(t, nullptr), route_.cascade->pin);
          keep = !pin->is_missing() && !v.is_missing() && ValueEquals(*pin, v);
        }
        if (!keep) {
          if (d_.explain) d_.explain->dropped.push_back(Dropped{t->name, "escalation", "pin"});
          continue;
        }
      }
      d_.escalation.push_back(Escalation{t->name, When(st.when, info_.cascade_cond_ids[i])});
    }
  }

  void Ensemble(const std::vector<Ranked>& order) {
    if (!route_.ensemble) return;
    mixtral::Ensemble e;
    e.combiner = route_.ensemble->combiner;
    if (route_.ensemble->is_named) {
      for (const ast::TargetRef& ref : route_.ensemble->named) {
        const BoundTarget* t = Bind(ref, "ensemble");
        if (t && std::find(e.members.begin(), e.members.end(), t->name) == e.members.end())
          e.members.push_back(t->name);
      }
    } else if (d_.outcome == Outcome::kDegraded) {
      e.members.push_back(*d_.target);
    } else {
      for (size_t i = 0;
           i < order.size() && e.members.size() < static_cast<size_t>(route_.ensemble->count); ++i)
        e.members.push_back(targets()[order[i].index].name);
    }
    d_.ensemble = std::move(e);
  }

  size_t Index(const BoundTarget* t) const {
    return t ? static_cast<size_t>(t - targets().data()) : SIZE_MAX;
  }

  void Charges() {
    if (kernel_ && kernel_->charges) {
      if (std::optional<std::vector<Charge>> c = kernel_->charges(Index(primary_))) {
        for (Charge& x : *c) d_.charges.push_back(std::move(x));
        return;
      }
    }
    std::vector<mixtral::Fault>* faults = d_.explain ? &d_.explain->faults : nullptr;
    for (RouteCharge& c : RouteCharges(WithTarget(primary_, nullptr), route_index_, faults))
      d_.charges.push_back(std::move(c.charge));
  }

  void Annotations() {
    ComputeAnnotations(WithTarget(primary_, nullptr), route_, &d_,
                       kernel_ ? kernel_->annotation : CompiledAnnotation{});
  }

  std::vector<mixtral::Fault> route_faults_;
  const KernelVerdicts* kernel_;
  size_t route_index_;
  const EvalCtx& base_;
  const PolicyIR& ir_;
  const ast::Route& route_;
  const RouteInfo& info_;
  const EvalOptions& options_;
  Decision& d_;
  std::optional<uint32_t> variant_;
  const BoundTarget* primary_ = nullptr;
};

}  // namespace

void EvaluateRoute(const EvalCtx& base, size_t route, const EvalOptions& options, Decision* d,
                   const KernelVerdicts* kernel, std::vector<mixtral::Fault> route_faults) {
  RouteRun(base, route, options, d, kernel, std::move(route_faults)).Run();
}

std::vector<RouteCharge> RouteCharges(const EvalCtx& ctx, size_t route,
                                      std::vector<Fault>* faults) {
  std::vector<RouteCharge> out;
  const PolicyIR& ir = *ctx.ir;
  for (const ast::ChargeClause& c : ir.program.routes[route].charges) {
    size_t index = 0;
    for (; index < ir.program.counters.size(); ++index)
      if (ir.program.counters[index].name == c.counter) break;
    if (index == ir.program.counters.size()) continue;
    std::vector<std::string> fields;
    EvalCtx noted = ctx;
    noted.missing = faults ? &fields : nullptr;
    Value key = Eval(noted, ir.program.counters[index].key);
    std::optional<double> amount = AsNumber(Eval(noted, c.amount));
    if (amount && std::isnan(*amount)) {
      amount.reset();
      fields.push_back("NaN");
    }
    if (key.kind() != K::kString || !amount) {
      if (faults)
        faults->push_back(
            Fault{ctx.target ? ctx.target->name : "", "charge:" + c.counter, std::move(fields)});
      continue;
    }
    RouteCharge rc;
    rc.charge = Charge{c.counter, std::string(key.as_string()), *amount};
    rc.counter_index = index;
    if (ctx.target) {
      // Every target reference reads missing without a target, so an amount
      // that does not come out is one that reads the target.
      EvalCtx untargeted = ctx;
      untargeted.target = nullptr;
      untargeted.missing = nullptr;
      rc.amount_reads_target = !AsNumber(Eval(untargeted, c.amount)).has_value();
    }
    out.push_back(std::move(rc));
  }
  return out;
}

std::optional<uint32_t> SplitVariant(const EvalCtx& ctx, size_t route) {
  const ast::Route& r = ctx.ir->program.routes[route];
  if (!r.split) return std::nullopt;
  EvalCtx quiet = ctx;
  quiet.missing = nullptr;
  std::optional<uint32_t> bucket =
      KeyBucket(quiet, "split:" + r.split->name, r.split->key, r.split->salt);
  if (!bucket) return std::nullopt;
  const uint32_t b = *bucket;
  uint32_t cum = 0;
  for (size_t i = 0; i < r.split->arms.size(); ++i) {
    cum += static_cast<uint32_t>(r.split->arms[i].bp);
    if (b < cum) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

Decision StartDecision(EvalCtx& ctx, const EvalOptions& options) {
  AttachHooks(ctx, options);
  Decision d;
  d.policy = ctx.policy->name;
  d.policy_version = ctx.policy->version;
  d.policy_hash = ctx.policy->hash;
  d.snapshot_sha256 = ctx.snapshot->sha256;
  d.snapshot_version = ctx.snapshot->version;
  d.snapshot_taken_at_ms = ctx.snapshot->taken_at_ms;
  d.now_ms = ctx.now_ms;
  d.route_override = options.route;
  return d;
}

size_t SelectRoute(const EvalCtx& ctx, const EvalOptions& options,
                   const std::function<std::optional<bool>(size_t)>& when_holds, Decision* d,
                   std::vector<Fault>* faults) {
  const auto& routes = ctx.ir->program.routes;
  size_t chosen = routes.size();
  if (options.route) {
    for (size_t i = 0; i < routes.size(); ++i)
      if (routes[i].name == *options.route) chosen = i;
    if (chosen == routes.size()) {
      d->outcome = Outcome::kRejected;
      d->reject = Reject{400, "unknown route \"" + *options.route + "\""};
    }
    return chosen;
  }
  if (routes.size() == 1) return 0;
  size_t fallback = routes.size();
  for (size_t i = 0; i < routes.size(); ++i) {
    if (routes[i].is_default && fallback == routes.size()) fallback = i;
    if (routes[i].when == ast::kNoExpr) continue;
    std::optional<bool> v = when_holds(i);
    if (!v) {
      // Handed to the route, which lists them first in its explanation.
      std::vector<std::string> fields;
      EvalCtx probe = ctx;
      probe.missing = &fields;
      (void)Eval(probe, routes[i].when);
      if (faults) faults->push_back(Fault{"", "route:" + routes[i].name, std::move(fields)});
    }
    if (v && *v) return i;
  }
  if (fallback == routes.size()) {
    d->outcome = Outcome::kRejected;
    d->reject = Reject{503, "no route matched"};
  }
  return fallback;
}

void CheckAssertions(const EvalCtx& base, bool explain, Decision* d,
                     const CompiledAssertion& compiled, const CompiledAnnotation& annotation) {
  const PolicyIR& ir = *base.ir;
  if (ir.program.asserts.empty() || d->outcome == Outcome::kRejected) return;
  std::vector<std::string> names;
  if (d->target) names.push_back(*d->target);
  for (const std::string& f : d->fallbacks) names.push_back(f);
  for (const Mirror& m : d->mirrors) names.push_back(m.target);
  for (const Escalation& e : d->escalation) names.push_back(e.target);
  if (d->ensemble)
    for (const std::string& m : d->ensemble->members) names.push_back(m);
  std::vector<std::string> violated;
  for (size_t ai = 0; ai < ir.program.asserts.size(); ++ai) {
    const ast::AssertDecl& a = ir.program.asserts[ai];
    bool ok = true;
    for (const std::string& name : names) {
      const BoundTarget* t = nullptr;
      for (const BoundTarget& bt : base.snapshot->targets)
        if (bt.name == name) t = &bt;
      std::optional<std::optional<bool>> c;
      if (t && compiled) c = compiled(ai, static_cast<size_t>(t - base.snapshot->targets.data()));
      EvalCtx ctx = base;
      ctx.target = t;
      std::optional<bool> v = c ? *c : Truth(Eval(ctx, a.cond));
      if (!v || !*v) {
        ok = false;
        break;
      }
    }
    if (!ok) violated.push_back(a.name);
  }
  if (violated.empty()) return;
  d->outcome = Outcome::kRejected;
  d->reject = Reject{503, "assertion:" + violated.front()};
  d->target.reset();
  d->fallbacks.clear();
  d->mirrors.clear();
  d->escalation.clear();
  d->variant.reset();
  d->ensemble.reset();
  d->degraded_reason.reset();
  d->charges.clear();
  // The rejected decision has no target, so annotations about it go.
  for (const ast::Route& r : ir.program.routes) {
    if (r.name != d->route) continue;
    EvalCtx ctx = base;
    ctx.target = nullptr;
    ComputeAnnotations(ctx, r, d, annotation);
  }
  if (explain && d->explain) d->explain->assertions = std::move(violated);
}

}  // namespace mixtral::internal
