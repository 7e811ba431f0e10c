// Budget charges in the library (SPEC §6.9, §8.14): applying a decision's
// charges to the counter store, reading counters for the interpreter, and
// charge_adjust, which corrects them once the data plane knows better.
#include <cmath>

#include "engine/internal.h"
#include "mixtral/compiler/interpreter.h"

namespace mixtral {
namespace {

std::optional<size_t> CounterIndex(const Policy& p, std::string_view name) {
  for (size_t i = 0; i < p.counters.size(); ++i)
    if (p.counters[i] == name) return i;
  return std::nullopt;
}

}  // namespace

Fault RefusedChargeFault(std::string_view target, const Charge& charge,
                         const ChargeReceipt& receipt) {
  return Fault{std::string(target),
               "charge:" + charge.counter,
               {std::string("refused by the counter store: ") + CounterStatusName(receipt.status)}};
}

std::optional<double> LiveCounters::Read(size_t counter_index, std::string_view key) {
  if (!store || !version || counter_index >= version->counter_ids.size()) return std::nullopt;
  CounterRead r = store->Read(version->counter_ids[counter_index], key);
  // kFull / kKeyTooLong: the key may have lost charges, so it reads missing
  // (fail closed, SPEC §6.9).
  if (r.status != CounterStatus::kOk) return std::nullopt;
  return r.value;
}

void EngineInternals::ApplyCharges(Engine::Impl& e, const std::shared_ptr<const CompiledVersion>& v,
                                   const std::shared_ptr<const BoundSnapshot>& snapshot,
                                   const BoundRequest& request, EngineDecision* out) {
  const std::vector<Charge>& charges = out->full_.charges;
  std::vector<CounterCharge> batch;
  batch.reserve(charges.size());
  for (const Charge& c : charges) {
    std::optional<size_t> i = CounterIndex(*v->policy, c.counter);
    // The checker makes every charged counter a declared one (E0102).
    batch.push_back(CounterCharge{i ? v->counter_ids[*i] : CounterId(~0u), c.key, c.amount});
  }
  out->receipts_.resize(batch.size());
  if (!e.options.offline_counters) e.counters->ChargeMany(batch, out->receipts_);
  // A charge the store refused (full, a key too long, an amount out of
  // range) is a fault of its clause (SPEC §8.14); the audit record lists it
  // apart from the charges made (audit_record.cc).
  if (out->full_.explain) {
    for (size_t k = 0; k < charges.size(); ++k)
      if (out->receipts_[k].status != CounterStatus::kOk)
        out->full_.explain->faults.push_back(
            RefusedChargeFault(out->target(), charges[k], out->receipts_[k]));
  }
  // What ChargeAdjust needs to recompute the charges later.
  out->charged_version_ = v;
  out->charged_snapshot_ = snapshot;
  out->pinned_request_ = request.fields;
}

EngineError EngineInternals::ChargeAdjust(Engine::Impl& e, EngineDecision& d,
                                          std::string_view target, std::optional<double> cost) {
  if (!d.charged_version_ || d.full_.charges.empty())
    return EngineError{ErrorCode::kInvalidInput, "this decision made no charges"};
  if (d.adjusted_)
    return EngineError{ErrorCode::kUsage, "this decision's charges were adjusted already"};
  const CompiledVersion& v = *d.charged_version_;
  const BoundSnapshot& snapshot = *d.charged_snapshot_;
  bool known = false;
  for (const BoundTarget& t : snapshot.targets) known |= t.name == target;
  if (!known)
    return EngineError{ErrorCode::kInvalidInput, "no target named \"" + std::string(target) +
                                                     "\" in the decision's snapshot"};
  if (cost && !std::isfinite(*cost))
    return EngineError{ErrorCode::kInvalidInput, "actual_cost must be a finite number"};
  try {
    // Re-run the charge clauses as the decision would have with the other
    // target: the same request, snapshot, now, and counter values read.
    EvalRecord record;
    record.counters_read = d.counters_read_;
    LiveCounters live;
    live.store = e.counters.get();
    live.version = &v;
    EvalOptions eo;
    eo.explain = false;
    eo.record = &record;
    if (!e.options.offline_counters) eo.counters = &live;
    BoundRequest request{d.pinned_request_};
    std::vector<RecomputedCharge> fresh =
        RecomputeCharges(*v.policy, d.route_, request, snapshot, target, d.now_ms_, eo);
    if (cost)
      for (RecomputedCharge& f : fresh)
        if (f.amount_reads_target) f.charge.amount = *cost;

    std::vector<std::unique_ptr<AuditEntry>> records;
    auto correct = [&](const std::string& counter, const std::string& key, double delta,
                       const ChargeReceipt* original) {
      if (delta == 0.0) return;
      std::optional<size_t> i = CounterIndex(*v.policy, counter);
      if (i && !e.options.offline_counters) {
        const CounterId id = v.counter_ids[*i];
        if (original && original->status == CounterStatus::kOk)
          e.counters->Adjust(CounterAdjust{id, key, original->at_ns, delta});
        else
          e.counters->Charge(id, key, delta);
      }
      records.push_back(std::make_unique<ChargeAdjustEntry>(d.decision_id_, counter, key, delta));
    };
    std::vector<bool> matched(fresh.size(), false);
    for (size_t k = 0; k < d.full_.charges.size(); ++k) {
      const Charge& old = d.full_.charges[k];
      const ChargeReceipt* receipt = k < d.receipts_.size() ? &d.receipts_[k] : nullptr;
      size_t j = 0;
      while (j < fresh.size() && fresh[j].charge.counter != old.counter) ++j;
      if (j == fresh.size()) {
        correct(old.counter, old.key, -old.amount, receipt);  // no charge with that target
        continue;
      }
      matched[j] = true;
      const Charge& now = fresh[j].charge;
      if (now.key == old.key) {
        correct(old.counter, old.key, now.amount - old.amount, receipt);
      } else {
        // A per-target key moved: refund the old key, charge the new one.
        correct(old.counter, old.key, -old.amount, receipt);
        correct(now.counter, now.key, now.amount, nullptr);
      }
    }
    for (size_t j = 0; j < fresh.size(); ++j)
      if (!matched[j])
        correct(fresh[j].charge.counter, fresh[j].charge.key, fresh[j].charge.amount, nullptr);
    d.adjusted_ = true;
    if (e.options.audit)
      for (auto& r : records) e.options.audit->Append(std::move(r));
    return {};
  } catch (...) {
    return EngineError{ErrorCode::kInternal, "internal error in charge_adjust"};
  }
}

}  // namespace mixtral
