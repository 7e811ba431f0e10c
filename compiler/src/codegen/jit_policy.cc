#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "codegen/frame.h"
#include "codegen/jit_internal.h"
#include "codegen/lower.h"
#include "codegen/session.h"
#include "interp/route_eval.h"
#include "mixtral/compiler/jit.h"

namespace mixtral {

JitFrame::JitFrame() : impl(std::make_unique<Impl>()) {}
JitFrame::~JitFrame() = default;

void JitFrame::SetSnapshot(const JitPolicy& policy, const BoundSnapshot& snapshot) {
  impl->snapshot = &snapshot;
  codegen::BuildTargetSlots(*policy.policy, snapshot, &impl->targets);
  codegen::InternTargetNames(*policy.policy, policy.strings, snapshot, &impl->targets);
  size_t n = snapshot.targets.size();
  impl->names.clear();
  if (policy.uses_target_names) {
    // Reserved first: the slots keep the Values' addresses.
    impl->names.reserve(n);
    const uint64_t stride = codegen::TargetStride(*policy.policy);
    const uint64_t extras =
        policy.policy->attributes.fields.size() + policy.policy->telemetry.fields.size();
    for (size_t t = 0; t < n; ++t) {
      impl->names.push_back(Value::Str(snapshot.targets[t].name));
      impl->targets[t * stride + extras + codegen::kExtraName] =
          codegen::Slot{reinterpret_cast<uint64_t>(&impl->names.back()), 1};
    }
  }
  impl->selected.assign(n, 0);
  impl->score_class.assign(n, 0);
  impl->failed.assign(n, 0);
  impl->missing.assign(n, 0);
  impl->score.assign(n, 0.0);
  impl->survivors.assign(n, 0);
  impl->weights.assign(n, 0);
}

bool JitAvailable() { return true; }

std::shared_ptr<JitSession> NewJitSession(const JitSessionOptions& options, std::string* error) {
  auto s = std::make_shared<JitSession>();
  s->session = codegen::Session::Create(options, error);
  if (!s->session) return nullptr;
  return s;
}

std::shared_ptr<JitSession> NewJitSession(std::string* error) {
  return NewJitSession(JitSessionOptions{}, error);
}

JitCacheStats GetJitCacheStats(const JitSession& session) {
  return session.session->cache().stats();
}

const Policy& JitSource(const JitPolicy& policy) { return *policy.policy; }

namespace {

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// The compact path decides routes, rules, ranking, `spread top K` (K <= 9),
// `affinity`, `fallback N` and `otherwise reject` only: a policy with any
// other clause is not eligible, compiled or not.
bool CompactHandles(const internal::PolicyIR& ir) {
  for (const ast::Route& r : ir.program.routes) {
    if (!r.safe_defaults.empty() || r.split || (r.spread && r.spread->top > 9) ||
        !r.mirrors.empty() || r.cascade || (r.fallback && r.fallback->is_named) ||
        r.otherwise.kind == ast::Otherwise::Kind::kDegrade || r.ensemble ||
        !r.annotations.empty() || !r.charges.empty())
      return false;
  }
  return ir.program.asserts.empty();
}

bool HasBindingRules(const ast::Route& r) {
  for (const ast::Rule& rule : r.rules)
    if (rule.binding) return true;
  return false;
}

// The request field that keys a charged counter, or -1 for the decision's
// target's name; anything else is NotLowered.
int ChargeKeyField(const internal::PolicyIR& ir, const Policy& policy, const ast::ChargeClause& c) {
  for (const ast::CounterDecl& counter : ir.program.counters) {
    if (counter.name != c.counter) continue;
    const internal::Ref& ref = ir.ref[counter.key];
    if (ref.kind == internal::RefKind::kTargetName) return -1;
    if (ref.kind == internal::RefKind::kRequestField &&
        ir.type[counter.key] == policy.types.String())
      return static_cast<int>(ref.index);
  }
  throw codegen::NotLowered(
      "the JIT lowers `charge` to counters keyed by a string request field or `target.name` only",
      c.range);
}

// The Scalar that ToScalar makes of a compiled annotation's bits (EmitValue).
Scalar AnnotationScalar(const Policy& policy, const ast::Annotate& a, uint64_t bits) {
  const TypeId type = policy.ir->type[a.value];
  switch (policy.types.info(type).kind) {
    case TypeKind::kBool:
      return Scalar{bits != 0};
    case TypeKind::kFloat:
      return Scalar{std::bit_cast<double>(bits)};
    case TypeKind::kString:
      return Scalar{std::string(reinterpret_cast<const Value*>(bits)->as_string())};
    case TypeKind::kEnum:
      return Scalar{policy.types.enum_info(type).members[bits]};
    default:  // int, duration, time
      return Scalar{static_cast<int64_t>(bits)};
  }
}

// A route's charges (route_eval.cc's RouteCharges) with target t (SIZE_MAX:
// none), from the compiled amounts; nullopt when a key or an amount is
// missing or NaN, which the interpreter's RouteCharges then works out again
// with its explain fault (charge:NAME, and the inputs that were missing).
std::optional<std::vector<Charge>> CompiledCharges(const JitPolicy& jp, size_t route,
                                                   const codegen::KernelCtx& kctx,
                                                   const BoundRequest& request,
                                                   const BoundSnapshot& snapshot, size_t t) {
  std::vector<Charge> out;
  for (const JitPolicy::ChargePlan& c : jp.charges[route]) {
    std::string_view key;
    if (c.key_field >= 0) {
      const size_t f = static_cast<size_t>(c.key_field);
      if (f >= request.fields.size() || request.fields[f].kind() != Value::Kind::kString)
        return std::nullopt;
      key = request.fields[f].as_string();
    } else {
      if (t == SIZE_MAX) return std::nullopt;  // `target.name` is missing without a target
      key = snapshot.targets[t].name;
    }
    uint64_t pv[2] = {0, 0};
    if (t == SIZE_MAX)
      c.amount.without_target(&kctx, pv);
    else
      c.amount.with_target(&kctx, t, pv);
    if (!pv[0]) return std::nullopt;
    const double amount = c.amount_float ? std::bit_cast<double>(pv[1])
                                         : static_cast<double>(static_cast<int64_t>(pv[1]));
    if (std::isnan(amount)) return std::nullopt;
    out.push_back(Charge{c.counter, std::string(key), amount});
  }
  return out;
}

}  // namespace

JitCompileResult CompileJit(const std::shared_ptr<JitSession>& session,
                            std::shared_ptr<const Policy> policy,
                            const JitCompileOptions& options) {
  JitCompileResult out;
  if (!session || !policy) {
    out.error = "no JIT session or policy";
    return out;
  }
  auto jp = std::make_shared<JitPolicy>();
  jp->policy = policy;
  jp->session = session;
  const internal::PolicyIR& ir = *policy->ir;
  size_t routes = ir.program.routes.size();
  jp->kernels.assign(routes, nullptr);
  jp->quick_kernels.assign(routes, nullptr);
  jp->conditions.assign(routes, nullptr);
  jp->bindings.assign(routes, nullptr);
  jp->safe_defaults.resize(routes);
  for (size_t r = 0; r < routes; ++r)
    jp->safe_defaults[r].assign(ir.program.routes[r].safe_defaults.size(), nullptr);
  jp->assertions.assign(ir.program.asserts.size(), nullptr);
  jp->splits.assign(routes, nullptr);
  jp->mirrors.resize(routes);
  for (size_t r = 0; r < routes; ++r)
    jp->mirrors[r].assign(ir.program.routes[r].mirrors.size(), nullptr);
  jp->annotations.resize(routes);
  for (size_t r = 0; r < routes; ++r)
    jp->annotations[r].resize(ir.program.routes[r].annotations.size());
  jp->spreads.assign(routes, nullptr);
  jp->affinities.assign(routes, nullptr);
  jp->pins.assign(routes, nullptr);
  jp->charges.resize(routes);
  jp->charges_compiled.assign(routes, false);

  auto start = std::chrono::steady_clock::now();
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("policy", *context);
  // Every policy loads into its own JITDylib, so its symbols need no unique
  // prefix: equal policies lower to equal modules and share cached objects.
  auto kernel_name = [](size_t r) { return "route" + std::to_string(r); };
  auto quick_name = [](size_t r) { return "quick" + std::to_string(r); };
  auto cond_name = [](size_t r) { return "when" + std::to_string(r); };
  auto binding_name = [](size_t r) { return "binding" + std::to_string(r); };
  auto safe_name = [](size_t r, size_t k) {
    return "safe" + std::to_string(r) + "_" + std::to_string(k);
  };
  auto assert_name = [](size_t a) { return "assert" + std::to_string(a); };
  auto split_name = [](size_t r) { return "split" + std::to_string(r); };
  auto mirror_name = [](size_t r, size_t k) {
    return "mirror" + std::to_string(r) + "_" + std::to_string(k);
  };
  auto annotate_name = [](size_t r, size_t k, bool with_target) {
    return (with_target ? "annotate" : "annotate_none") + std::to_string(r) + "_" +
           std::to_string(k);
  };
  std::vector<bool> kernel_ok(routes, false), cond_ok(routes, false), split_ok(routes, false);
  std::vector<std::vector<bool>> safe_ok(routes), annotate_ok(routes), mirror_ok(routes);
  std::vector<bool> assert_ok(ir.program.asserts.size(), false);
  // Clause functions that lowered, by symbol name, for the lookups below.
  std::vector<std::string> clause_fns;
  // Emits the functions `names` with `emit`; on NotLowered records it, drops
  // what was half built (so the module still verifies) and returns false.
  auto try_emit = [&](const std::vector<std::string>& names, const auto& emit) {
    try {
      emit();
      clause_fns.insert(clause_fns.end(), names.begin(), names.end());
      return true;
    } catch (const codegen::NotLowered& e) {
      out.not_lowered.emplace_back(e.range, e.what());
      for (const std::string& n : names)
        if (auto* f = module->getFunction(n)) f->eraseFromParent();
      return false;
    }
  };
  auto charge_name = [](size_t r, size_t k, bool with_target) {
    return (with_target ? "charge" : "charge_none") + std::to_string(r) + "_" + std::to_string(k);
  };
  try {
    codegen::Lowerer lowerer(*policy, *context, *module);
    for (size_t r = 0; r < routes; ++r) {
      try {
        lowerer.EmitRouteKernel(r, kernel_name(r));
        // Lowers the same expressions, so it cannot fail where the first did not.
        lowerer.EmitQuickKernel(r, quick_name(r));
        // Binding rules are rules of the kernel: they lower where it did.
        if (HasBindingRules(ir.program.routes[r])) lowerer.EmitBindingKernel(r, binding_name(r));
        kernel_ok[r] = true;
      } catch (const codegen::NotLowered& e) {
        out.not_lowered.emplace_back(e.range, e.what());
        // Drop the half-built functions so the module still verifies.
        if (auto* f = module->getFunction(kernel_name(r))) f->eraseFromParent();
        if (auto* f = module->getFunction(quick_name(r))) f->eraseFromParent();
        if (auto* f = module->getFunction(binding_name(r))) f->eraseFromParent();
      }
      const auto& safe = ir.program.routes[r].safe_defaults;
      safe_ok[r].assign(safe.size(), false);
      for (size_t k = 0; k < safe.size(); ++k) {
        try {
          lowerer.EmitCondition(safe[k].when, safe_name(r, k));
          safe_ok[r][k] = true;
        } catch (const codegen::NotLowered& e) {
          out.not_lowered.emplace_back(e.range, e.what());
          if (auto* f = module->getFunction(safe_name(r, k))) f->eraseFromParent();
        }
      }
      if (ir.program.routes[r].split) {
        try {
          lowerer.EmitSplit(r, split_name(r));
          split_ok[r] = true;
        } catch (const codegen::NotLowered& e) {
          out.not_lowered.emplace_back(e.range, e.what());
          if (auto* f = module->getFunction(split_name(r))) f->eraseFromParent();
        }
      }
      const auto& mirrors = ir.program.routes[r].mirrors;
      mirror_ok[r].assign(mirrors.size(), false);
      for (size_t k = 0; k < mirrors.size(); ++k) {
        try {
          lowerer.EmitMirror(r, k, mirror_name(r, k));
          mirror_ok[r][k] = true;
        } catch (const codegen::NotLowered& e) {
          out.not_lowered.emplace_back(e.range, e.what());
          if (auto* f = module->getFunction(mirror_name(r, k))) f->eraseFromParent();
        }
      }
      const ast::Route& route = ir.program.routes[r];
      const std::string n = std::to_string(r);
      if (route.spread) try_emit({"spread" + n}, [&] { lowerer.EmitSpread(r, "spread" + n); });
      if (route.affinity)
        try_emit({"affinity" + n}, [&] { lowerer.EmitAffinity(r, "affinity" + n); });
      if (route.cascade && route.cascade->pin != ast::kNoExpr)
        try_emit({"pin" + n}, [&] { lowerer.EmitPin(r, "pin" + n); });
      bool charges_ok = true;
      for (size_t k = 0; k < route.charges.size(); ++k) {
        const ast::ChargeClause& c = route.charges[k];
        JitPolicy::ChargePlan plan;
        plan.counter = c.counter;
        plan.amount_float = ir.type[c.amount] == policy->types.Float();
        charges_ok &= try_emit({charge_name(r, k, true), charge_name(r, k, false)}, [&] {
          plan.key_field = ChargeKeyField(ir, *policy, c);
          lowerer.EmitValue(c.amount, charge_name(r, k, true), true);
          lowerer.EmitValue(c.amount, charge_name(r, k, false), false);
        });
        jp->charges[r].push_back(std::move(plan));
      }
      jp->charges_compiled[r] = charges_ok && !route.charges.empty();
      const auto& notes = ir.program.routes[r].annotations;
      annotate_ok[r].assign(notes.size(), false);
      for (size_t k = 0; k < notes.size(); ++k) {
        try {
          lowerer.EmitValue(notes[k].value, annotate_name(r, k, true), true);
          lowerer.EmitValue(notes[k].value, annotate_name(r, k, false), false);
          annotate_ok[r][k] = true;
        } catch (const codegen::NotLowered& e) {
          out.not_lowered.emplace_back(e.range, e.what());
          for (bool t : {true, false})
            if (auto* f = module->getFunction(annotate_name(r, k, t))) f->eraseFromParent();
        }
      }
      if (ir.program.routes[r].when == ast::kNoExpr) continue;
      try {
        lowerer.EmitCondition(ir.program.routes[r].when, cond_name(r));
        cond_ok[r] = true;
      } catch (const codegen::NotLowered& e) {
        out.not_lowered.emplace_back(e.range, e.what());
        if (auto* f = module->getFunction(cond_name(r))) f->eraseFromParent();
      }
    }
    for (size_t a = 0; a < ir.program.asserts.size(); ++a) {
      try {
        lowerer.EmitTargetCondition(ir.program.asserts[a].cond, assert_name(a));
        assert_ok[a] = true;
      } catch (const codegen::NotLowered& e) {
        out.not_lowered.emplace_back(e.range, e.what());
        if (auto* f = module->getFunction(assert_name(a))) f->eraseFromParent();
      }
    }
    jp->assumed_present = lowerer.AssumedPresent();
    jp->strings = codegen::SortStrings(lowerer.Strings());
    jp->constants = lowerer.Constants();
    jp->prepared = lowerer.Prepared();
    jp->uses_target_names = lowerer.UsesTargetNames();
    jp->uses_helpers = lowerer.UsesHelpers();
    jp->reads_counters = lowerer.ReadsCounters();
  } catch (const std::exception& e) {
    out.error = std::string("internal JIT error: ") + e.what();
    return out;
  }
  if (options.no_fallback && !out.not_lowered.empty()) {
    out.error = "--no-fallback: " + std::to_string(out.not_lowered.size()) +
                " construct(s) would run on the interpreter";
    return out;
  }
  codegen::Session& s = *session->session;
  const codegen::ObjectKey key = s.KeyFor(*module);
  out.cache_key = codegen::KeyHex(key);
  out.lower_ms = MsSince(start);

  std::string error;
  codegen::ObjectBytes object = s.cache().Get(key, &out.cache);
  if (!object) {
    object = s.Compile(*module, &out.optimize_ms, &out.codegen_ms, &error);
    if (!object) {
      out.error = error;
      return out;
    }
    s.cache().Put(key, object);
  }
  start = std::chrono::steady_clock::now();
  jp->loaded = s.Load(object, &error);
  if (!jp->loaded.dylib) {
    out.error = error;
    return out;
  }
  for (size_t r = 0; r < routes; ++r) {
    if (kernel_ok[r]) {
      jp->kernels[r] =
          reinterpret_cast<JitPolicy::Kernel>(s.Lookup(jp->loaded, kernel_name(r), &error));
      jp->quick_kernels[r] =
          reinterpret_cast<JitPolicy::Kernel>(s.Lookup(jp->loaded, quick_name(r), &error));
    }
    if (cond_ok[r])
      jp->conditions[r] =
          reinterpret_cast<JitPolicy::Condition>(s.Lookup(jp->loaded, cond_name(r), &error));
    if ((kernel_ok[r] && (!jp->kernels[r] || !jp->quick_kernels[r])) ||
        (cond_ok[r] && !jp->conditions[r])) {
      out.error = "internal: " + error;
      return out;
    }
    if (kernel_ok[r] && HasBindingRules(ir.program.routes[r])) {
      jp->bindings[r] =
          reinterpret_cast<JitPolicy::Binding>(s.Lookup(jp->loaded, binding_name(r), &error));
      if (!jp->bindings[r]) {
        out.error = "internal: " + error;
        return out;
      }
    }
    if (split_ok[r]) {
      jp->splits[r] =
          reinterpret_cast<JitPolicy::Split>(s.Lookup(jp->loaded, split_name(r), &error));
      if (!jp->splits[r]) {
        out.error = "internal: " + error;
        return out;
      }
    }
    for (size_t k = 0; k < mirror_ok[r].size(); ++k) {
      if (!mirror_ok[r][k]) continue;
      jp->mirrors[r][k] =
          reinterpret_cast<JitPolicy::Split>(s.Lookup(jp->loaded, mirror_name(r, k), &error));
      if (!jp->mirrors[r][k]) {
        out.error = "internal: " + error;
        return out;
      }
    }
    for (size_t k = 0; k < annotate_ok[r].size(); ++k) {
      if (!annotate_ok[r][k]) continue;
      JitPolicy::Annotation& a = jp->annotations[r][k];
      a.with_target = reinterpret_cast<JitPolicy::TargetCondition>(
          s.Lookup(jp->loaded, annotate_name(r, k, true), &error));
      a.without_target = reinterpret_cast<JitPolicy::Condition>(
          s.Lookup(jp->loaded, annotate_name(r, k, false), &error));
      if (!a.with_target || !a.without_target) {
        out.error = "internal: " + error;
        return out;
      }
    }
    for (size_t k = 0; k < safe_ok[r].size(); ++k) {
      if (!safe_ok[r][k]) continue;
      jp->safe_defaults[r][k] =
          reinterpret_cast<JitPolicy::Condition>(s.Lookup(jp->loaded, safe_name(r, k), &error));
      if (!jp->safe_defaults[r][k]) {
        out.error = "internal: " + error;
        return out;
      }
    }
  }
  // The clause functions, by name.
  auto fn = [&](const std::string& name) -> void* {
    if (std::find(clause_fns.begin(), clause_fns.end(), name) == clause_fns.end()) return nullptr;
    void* p = s.Lookup(jp->loaded, name, &error);
    if (!p) throw std::runtime_error("internal: " + error);
    return p;
  };
  try {
    for (size_t r = 0; r < routes; ++r) {
      const std::string n = std::to_string(r);
      jp->spreads[r] = reinterpret_cast<JitPolicy::Spread>(fn("spread" + n));
      jp->affinities[r] = reinterpret_cast<JitPolicy::Affinity>(fn("affinity" + n));
      jp->pins[r] = reinterpret_cast<JitPolicy::Pin>(fn("pin" + n));
      for (size_t k = 0; k < jp->charges[r].size(); ++k) {
        JitPolicy::Annotation& a = jp->charges[r][k].amount;
        a.with_target = reinterpret_cast<JitPolicy::TargetCondition>(fn(charge_name(r, k, true)));
        a.without_target = reinterpret_cast<JitPolicy::Condition>(fn(charge_name(r, k, false)));
      }
    }
  } catch (const std::runtime_error& e) {
    out.error = e.what();
    return out;
  }
  for (size_t a = 0; a < assert_ok.size(); ++a) {
    if (!assert_ok[a]) continue;
    jp->assertions[a] =
        reinterpret_cast<JitPolicy::TargetCondition>(s.Lookup(jp->loaded, assert_name(a), &error));
    if (!jp->assertions[a]) {
      out.error = "internal: " + error;
      return out;
    }
  }
  out.link_ms = MsSince(start);
  // The compact path needs every clause compiled (see JitCompactEligible).
  jp->default_route = routes;
  for (size_t r = 0; r < routes; ++r)
    if (ir.program.routes[r].is_default && jp->default_route == routes) jp->default_route = r;
  // Counter reads need the decision's interpreter context (mixtral_jit_counter).
  jp->compact_eligible = out.not_lowered.empty() && CompactHandles(ir) && !jp->reads_counters;
  for (size_t r = 0; r < routes; ++r) {
    const auto& fb = ir.program.routes[r].fallback;
    if (!jp->kernels[r] || (fb && fb->count > 8)) jp->compact_eligible = false;
  }
  out.policy = std::move(jp);
  return out;
}

Decision EvaluateJit(const JitPolicy& jp, JitFrame& frame, const BoundRequest& request,
                     int64_t now_ms, const EvalOptions& options) {
  const Policy& policy = *jp.policy;
  JitFrame::Impl& f = *frame.impl;
  const BoundSnapshot& snapshot = *f.snapshot;
  internal::EvalCtx ctx = internal::DecisionCtx(policy, request, snapshot, now_ms);
  Decision d = internal::StartDecision(ctx, options);

  // A request that lacks a required field never comes from the binder; it is
  // decided by the interpreter rather than by kernels that assume the field.
  codegen::BuildRequestSlots(policy, request, &f.request);
  codegen::InternRequestStrings(policy, jp.strings, request, &f.request);
  // Compiled code evaluates every operand of `and` and `or` (no branches),
  // so it may read counters that the interpreter's short circuit skips: with
  // an audit record, whose counters_read must be what the interpreter read,
  // a policy that reads counters is decided by the interpreter.
  const bool native = codegen::RequestSlotsComplete(f.request, jp.assumed_present) &&
                      !(jp.reads_counters && ctx.hooks && ctx.hooks->record);
  codegen::KernelCtx kctx{f.request.data(),
                          f.targets.data(),
                          codegen::TargetStride(policy),
                          snapshot.targets.size(),
                          now_ms,
                          snapshot.taken_at_ms.value_or(0),
                          snapshot.taken_at_ms ? 1u : 0u,
                          0,
                          0,
                          f.StartDecision(jp, &ctx)};
  const auto& routes = ctx.ir->program.routes;
  std::vector<Fault> faults;
  size_t chosen = routes.size();
  // Annotation k of the chosen route with target t (SIZE_MAX: none).
  auto annotation = [&](const codegen::KernelCtx& kc, size_t k,
                        size_t t) -> std::optional<std::optional<Scalar>> {
    const JitPolicy::Annotation& a = jp.annotations[chosen][k];
    if (!a.with_target) return std::nullopt;
    uint64_t pv[2] = {0, 0};
    if (t == SIZE_MAX)
      a.without_target(&kc, pv);
    else
      a.with_target(&kc, t, pv);
    if (!pv[0]) return std::optional<Scalar>();
    return std::optional<Scalar>(AnnotationScalar(policy, routes[chosen].annotations[k], pv[1]));
  };
  chosen = internal::SelectRoute(
      ctx, options,
      [&](size_t i) -> std::optional<bool> {
        if (!native || !jp.conditions[i])
          return internal::Truth(internal::Eval(ctx, routes[i].when));
        uint64_t pv[2] = {0, 0};
        jp.conditions[i](&kctx, pv);
        if (!pv[0]) return std::nullopt;
        return pv[1] != 0;
      },
      &d, options.explain ? &faults : nullptr);
  if (chosen == routes.size()) return d;
  d.route = routes[chosen].name;
  if (!native || !jp.kernels[chosen]) {
    internal::EvaluateRoute(ctx, chosen, options, &d, nullptr, std::move(faults));
  } else {
    // Rules may read the variant, so the split goes first.
    std::optional<uint32_t> variant;
    // With audit hooks the interpreted split records (or, in replay, takes)
    // the bucket of a masked key.
    const bool native_split = jp.splits[chosen] && !ctx.hooks;
    if (native_split) {
      uint64_t arm = jp.splits[chosen](&kctx);
      if (arm != UINT64_MAX) variant = static_cast<uint32_t>(arm);
    } else {
      variant = internal::SplitVariant(ctx, chosen);
    }
    if (variant) {
      kctx.variant = *variant;
      kctx.has_variant = 1;
    }
    codegen::KernelOut kout{f.selected.data(), f.failed.data(),      f.missing.data(),
                            f.score.data(),    f.score_class.data(), f.survivors.data()};
    const bool full = options.explain || options.trace;
    (full ? jp.kernels : jp.quick_kernels)[chosen](&kctx, &kout, full ? 1 : 0);
    internal::KernelVerdicts verdicts;
    verdicts.selected = f.selected.data();
    verdicts.failed = f.failed.data();
    verdicts.missing = f.missing.data();
    verdicts.score = f.score.data();
    verdicts.score_class = f.score_class.data();
    if (auto* bind = jp.bindings[chosen])
      verdicts.binding = [&kctx, bind](size_t t) { return static_cast<size_t>(bind(&kctx, t)); };
    // Safe defaults are decided before the split (route_eval.cc's Run), so
    // their conditions see no variant.
    codegen::KernelCtx plain = kctx;
    plain.variant = 0;
    plain.has_variant = 0;
    const auto& safe = jp.safe_defaults[chosen];
    verdicts.safe_default = [&](size_t k) -> std::optional<std::optional<bool>> {
      if (!safe[k]) return std::nullopt;
      uint64_t pv[2] = {0, 0};
      safe[k](&plain, pv);
      return pv[0] ? std::optional<bool>(pv[1] != 0) : std::nullopt;
    };
    verdicts.annotation = [&](size_t k, size_t t) { return annotation(kctx, k, t); };
    if (native_split) verdicts.variant = variant;
    const auto& mirrors = jp.mirrors[chosen];
    verdicts.mirror = [&](size_t k) -> std::optional<bool> {
      if (!mirrors[k]) return std::nullopt;
      return mirrors[k](&kctx) != 0;
    };
    if (auto* spread = jp.spreads[chosen])
      verdicts.spread = [&kctx, spread](size_t n) -> std::optional<std::optional<size_t>> {
        const uint64_t pick = spread(&kctx, n);
        if (pick == UINT64_MAX) return std::optional<size_t>();
        return std::optional<size_t>(static_cast<size_t>(pick));
      };
    if (auto* affinity = jp.affinities[chosen])
      // `affinity` by value: it lives only as long as this `if`.
      verdicts.affinity = [&kctx, &snapshot,
                           affinity](size_t t) -> std::optional<std::optional<uint64_t>> {
        const std::string& name = snapshot.targets[t].name;
        uint64_t pv[2] = {0, 0};
        affinity(&kctx, name.data(), name.size(), pv);
        return pv[0] ? std::optional<uint64_t>(pv[1]) : std::optional<uint64_t>();
      };
    if (auto* pin = jp.pins[chosen])
      verdicts.pin = [&kctx, pin](size_t primary, size_t stage) {
        return pin(&kctx, primary, stage) != 0;
      };
    if (jp.charges_compiled[chosen])
      verdicts.charges = [&](size_t t) {
        return CompiledCharges(jp, chosen, kctx, request, snapshot, t);
      };
    internal::EvaluateRoute(ctx, chosen, options, &d, &verdicts, std::move(faults));
  }
  // Assertions read no variant either: they belong to no route.
  kctx.variant = 0;
  kctx.has_variant = 0;
  const bool compiled_route = native && jp.kernels[chosen];
  internal::CheckAssertions(
      ctx, options.explain, &d,
      [&](size_t a, size_t t) -> std::optional<std::optional<bool>> {
        if (!native || !jp.assertions[a]) return std::nullopt;
        uint64_t pv[2] = {0, 0};
        jp.assertions[a](&kctx, t, pv);
        return pv[0] ? std::optional<bool>(pv[1] != 0) : std::nullopt;
      },
      [&](size_t k, size_t t) -> std::optional<std::optional<Scalar>> {
        if (!compiled_route) return std::nullopt;
        return annotation(kctx, k, t);
      });
  return d;
}

}  // namespace mixtral
