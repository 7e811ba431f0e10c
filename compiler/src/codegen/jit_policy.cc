#include <chrono>

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
  size_t n = snapshot.targets.size();
  impl->selected.assign(n, 0);
  impl->score_class.assign(n, 0);
  impl->failed.assign(n, 0);
  impl->missing.assign(n, 0);
  impl->score.assign(n, 0.0);
  impl->survivors.assign(n, 0);
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

// Clauses that the shared pipeline interprets, for --no-fallback.
void InterpretedClauses(const internal::PolicyIR& ir,
                        std::vector<std::pair<SourceRange, std::string>>* out) {
  for (const ast::Route& r : ir.program.routes) {
    auto note = [&](SourceRange where, const char* what) {
      out->emplace_back(where,
                        std::string(what) + " in route `" + r.name + "` runs on the interpreter");
    };
    for (const ast::SafeDefault& x : r.safe_defaults) note(x.range, "`safe default`");
    if (r.split) note(r.split->range, "`split`");
    if (r.spread) note(r.spread->range, "`spread`");
    if (r.affinity) note(r.affinity->range, "`affinity`");
    for (const ast::MirrorClause& x : r.mirrors) note(x.range, "`mirror`");
    if (r.cascade) note(r.cascade->range, "`cascade`");
    if (r.fallback && r.fallback->is_named)
      note(r.fallback->range, "a named `fallback` list (binding rules)");
    if (r.otherwise.kind == ast::Otherwise::Kind::kDegrade)
      note(r.otherwise.range, "`otherwise degrade` (binding rules)");
    if (r.ensemble) note(r.ensemble->range, "`ensemble`");
    for (const ast::Annotate& x : r.annotations) note(x.range, "`annotate`");
    for (const ast::ChargeClause& x : r.charges) note(x.range, "`charge`");
  }
  for (const ast::AssertDecl& a : ir.program.asserts)
    out->emplace_back(a.range, "assertion `" + a.name + "` runs on the interpreter");
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

  auto start = std::chrono::steady_clock::now();
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("policy", *context);
  // Every policy loads into its own JITDylib, so its symbols need no unique
  // prefix: equal policies lower to equal modules and share cached objects.
  auto kernel_name = [](size_t r) { return "route" + std::to_string(r); };
  auto quick_name = [](size_t r) { return "quick" + std::to_string(r); };
  auto cond_name = [](size_t r) { return "when" + std::to_string(r); };
  std::vector<bool> kernel_ok(routes, false), cond_ok(routes, false);
  try {
    codegen::Lowerer lowerer(*policy, *context, *module);
    for (size_t r = 0; r < routes; ++r) {
      try {
        lowerer.EmitRouteKernel(r, kernel_name(r));
        // Lowers the same expressions, so it cannot fail where the first did not.
        lowerer.EmitQuickKernel(r, quick_name(r));
        kernel_ok[r] = true;
      } catch (const codegen::NotLowered& e) {
        out.not_lowered.emplace_back(e.range, e.what());
        // Drop the half-built functions so the module still verifies.
        if (auto* f = module->getFunction(kernel_name(r))) f->eraseFromParent();
        if (auto* f = module->getFunction(quick_name(r))) f->eraseFromParent();
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
    jp->assumed_present = lowerer.AssumedPresent();
  } catch (const std::exception& e) {
    out.error = std::string("internal JIT error: ") + e.what();
    return out;
  }
  InterpretedClauses(ir, &out.not_lowered);
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
  }
  out.link_ms = MsSince(start);
  // The compact path needs every clause compiled (see JitCompactEligible).
  jp->default_route = routes;
  for (size_t r = 0; r < routes; ++r)
    if (ir.program.routes[r].is_default && jp->default_route == routes) jp->default_route = r;
  jp->compact_eligible = out.not_lowered.empty();
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
  const bool native = codegen::RequestSlotsComplete(f.request, jp.assumed_present);
  codegen::KernelCtx kctx{f.request.data(),
                          f.targets.data(),
                          codegen::TargetStride(policy),
                          snapshot.targets.size(),
                          now_ms,
                          snapshot.taken_at_ms.value_or(0),
                          snapshot.taken_at_ms ? 1u : 0u,
                          0,
                          0};
  const auto& routes = ctx.ir->program.routes;
  std::vector<Fault> faults;
  size_t chosen = internal::SelectRoute(
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
    if (auto v = internal::SplitVariant(ctx, chosen)) {
      kctx.variant = *v;
      kctx.has_variant = 1;
    }
    codegen::KernelOut kout{f.selected.data(), f.failed.data(),      f.missing.data(),
                            f.score.data(),    f.score_class.data(), f.survivors.data()};
    const bool full = options.explain || options.trace;
    (full ? jp.kernels : jp.quick_kernels)[chosen](&kctx, &kout, full ? 1 : 0);
    internal::KernelVerdicts verdicts{f.selected.data(), f.failed.data(), f.missing.data(),
                                      f.score.data(), f.score_class.data()};
    internal::EvaluateRoute(ctx, chosen, options, &d, &verdicts, std::move(faults));
  }
  internal::CheckAssertions(ctx, options.explain, &d);
  return d;
}

}  // namespace mixtral
