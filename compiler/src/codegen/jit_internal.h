// The JIT's internal objects, shared by the engine files of codegen/.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "codegen/frame.h"
#include "codegen/session.h"
#include "mixtral/compiler/jit.h"

namespace mixtral {

class JitSession {
 public:
  std::unique_ptr<codegen::Session> session;
};

class JitPolicy {
 public:
  ~JitPolicy() {
    // Frees this policy's code; callers hold a reference while deciding.
    if (session) session->session->Unload(loaded);
  }
  using Kernel = uint64_t (*)(const codegen::KernelCtx*, const codegen::KernelOut*, uint64_t);
  using Condition = void (*)(const codegen::KernelCtx*, uint64_t*);
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<JitSession> session;
  codegen::Loaded loaded;
  std::vector<Kernel> kernels;        // per route; null when interpreted
  std::vector<Kernel> quick_kernels;  // the same without explanation (failed is 0 or 1)
  std::vector<Condition> conditions;  // per route `when`; null when absent or interpreted
  using Binding = uint64_t (*)(const codegen::KernelCtx*, uint64_t target);
  using TargetCondition = void (*)(const codegen::KernelCtx*, uint64_t target, uint64_t*);
  std::vector<Binding> bindings;  // per route; null without binding rules or kernel
  std::vector<std::vector<Condition>> safe_defaults;  // per route, per clause; null: interpreted
  std::vector<TargetCondition> assertions;            // per assertion; null: interpreted
  // An annotation's value, with the primary target and without one (then
  // every target reference is missing); both null when interpreted.
  struct Annotation {
    TargetCondition with_target = nullptr;
    Condition without_target = nullptr;
  };
  std::vector<std::vector<Annotation>> annotations;  // per route, per clause
  using Split = uint64_t (*)(const codegen::KernelCtx*);
  std::vector<Split> splits;                // per route; null without a split or when interpreted
  std::vector<std::vector<Split>> mirrors;  // per route, per clause: 1 = samples; null: interpreted
  bool compact_eligible = false;            // see JitCompactEligible
  std::vector<uint32_t> assumed_present;    // request slots: see RequestSlotsComplete
  codegen::StringIds strings;               // literals compared with (lower_string.cc)
  std::vector<Value> constants;             // Lowerer::Constants
  std::vector<const PreparedArg*> prepared;  // Lowerer::Prepared; owned by policy->ir
  bool uses_target_names = false;            // Lowerer::UsesTargetNames
  bool uses_helpers = false;                 // Lowerer::UsesHelpers
  bool reads_counters = false;               // Lowerer::ReadsCounters
  size_t default_route = 0;                  // the `default` route, or routes.size()
  std::string no_eligible_target = "no eligible target";
  std::string missing_required_field = "request: missing required field";
  // The clauses after ranking (last: the compact path's fields keep their
  // places in memory).
  using Spread = uint64_t (*)(const codegen::KernelCtx*, uint64_t n);
  std::vector<Spread> spreads;  // per route; null without `spread` or when interpreted
  using Affinity = void (*)(const codegen::KernelCtx*, const char* name, uint64_t len, uint64_t*);
  std::vector<Affinity> affinities;  // per route; null without `affinity` or when interpreted
  using Pin = uint64_t (*)(const codegen::KernelCtx*, uint64_t primary, uint64_t stage);
  std::vector<Pin> pins;  // per route; null without a cascade `pin` or when interpreted
  // A `charge` clause: its counter, the request field that keys it (or -1:
  // the decision's target's name), and its amount.
  struct ChargePlan {
    std::string counter;
    int key_field = -1;
    bool amount_float = false;
    Annotation amount;
  };
  std::vector<std::vector<ChargePlan>> charges;  // per route, per clause
  std::vector<bool> charges_compiled;            // per route: every clause compiled
};

struct JitFrame::Impl {
  const BoundSnapshot* snapshot = nullptr;
  std::vector<codegen::Slot> request, targets;
  std::vector<uint8_t> selected, score_class;
  std::vector<uint64_t> failed, missing;
  std::vector<double> score;
  std::vector<uint32_t> survivors;
  std::vector<Value> names;   // the targets' names, when compiled code reads them as Values
  std::deque<Value> scratch;  // values that helpers computed for the current decision
  codegen::BoxEnv env;
  // Points env at the policy's tables and empties the scratch store: once per
  // decision, before any compiled code runs.
  const codegen::BoxEnv* StartDecision(const JitPolicy& policy,
                                       const internal::EvalCtx* eval = nullptr) {
    if (!policy.uses_helpers) return nullptr;
    scratch.clear();
    env = codegen::BoxEnv{policy.constants.data(), policy.prepared.data(), &scratch, eval};
    return &env;
  }
  std::vector<uint64_t> weights;  // the compact path's affinity weights, by target
};

}  // namespace mixtral
