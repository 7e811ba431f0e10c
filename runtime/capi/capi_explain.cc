// The C ABI: the explanation's parts, read without JSON.
#include "capi_internal.h"

namespace {

const mixtral::Explain* X(const mixtral_decision_t* d) {
  return d && d->decision.explain() ? &*d->decision.explain() : nullptr;
}

template <typename T>
const T* At(const std::vector<T>* v, size_t i) {
  return v && i < v->size() ? &(*v)[i] : nullptr;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>* Removed(
    const mixtral_decision_t* d) {
  return X(d) ? &X(d)->removed : nullptr;
}
const std::vector<mixtral::Dropped>* Dropped(const mixtral_decision_t* d) {
  return X(d) ? &X(d)->dropped : nullptr;
}
const std::vector<mixtral::Score>* Scores(const mixtral_decision_t* d) {
  return X(d) ? &X(d)->scores : nullptr;
}
const std::vector<mixtral::Fault>* Faults(const mixtral_decision_t* d) {
  return X(d) ? &X(d)->faults : nullptr;
}
const std::vector<std::string>* Assertions(const mixtral_decision_t* d) {
  return X(d) ? &X(d)->assertions : nullptr;
}

template <typename V>
size_t Count(const V* v) {
  return v ? v->size() : 0;
}

}  // namespace

extern "C" {

int mixtral_decision_has_explain(const mixtral_decision_t* d) { return X(d) ? 1 : 0; }

size_t mixtral_decision_removed_count(const mixtral_decision_t* d) { return Count(Removed(d)); }
const char* mixtral_decision_removed_target(const mixtral_decision_t* d, size_t i) {
  const auto* r = At(Removed(d), i);
  return r ? r->first.c_str() : nullptr;
}
size_t mixtral_decision_removed_rule_count(const mixtral_decision_t* d, size_t i) {
  const auto* r = At(Removed(d), i);
  return r ? r->second.size() : 0;
}
const char* mixtral_decision_removed_rule(const mixtral_decision_t* d, size_t i, size_t k) {
  const auto* r = At(Removed(d), i);
  const std::string* rule = r ? At(&r->second, k) : nullptr;
  return rule ? rule->c_str() : nullptr;
}

size_t mixtral_decision_dropped_count(const mixtral_decision_t* d) { return Count(Dropped(d)); }
const char* mixtral_decision_dropped_target(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Dropped(d), i);
  return x ? x->target.c_str() : nullptr;
}
const char* mixtral_decision_dropped_role(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Dropped(d), i);
  return x ? x->role.c_str() : nullptr;
}
const char* mixtral_decision_dropped_rule(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Dropped(d), i);
  return x ? x->rule.c_str() : nullptr;
}

size_t mixtral_decision_score_count(const mixtral_decision_t* d) { return Count(Scores(d)); }
const char* mixtral_decision_score_target(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Scores(d), i);
  return x ? x->target.c_str() : nullptr;
}
int mixtral_decision_score_has_value(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Scores(d), i);
  return x && x->value ? 1 : 0;
}
double mixtral_decision_score_value(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Scores(d), i);
  return x && x->value ? *x->value : 0.0;
}

size_t mixtral_decision_fault_count(const mixtral_decision_t* d) { return Count(Faults(d)); }
const char* mixtral_decision_fault_target(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Faults(d), i);
  return x ? x->target.c_str() : nullptr;
}
const char* mixtral_decision_fault_rule(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Faults(d), i);
  return x ? x->rule.c_str() : nullptr;
}
size_t mixtral_decision_fault_field_count(const mixtral_decision_t* d, size_t i) {
  const auto* x = At(Faults(d), i);
  return x ? x->fields.size() : 0;
}
const char* mixtral_decision_fault_field(const mixtral_decision_t* d, size_t i, size_t k) {
  const auto* x = At(Faults(d), i);
  const std::string* f = x ? At(&x->fields, k) : nullptr;
  return f ? f->c_str() : nullptr;
}

size_t mixtral_decision_assertion_count(const mixtral_decision_t* d) {
  return Count(Assertions(d));
}
const char* mixtral_decision_assertion(const mixtral_decision_t* d, size_t i) {
  const std::string* a = At(Assertions(d), i);
  return a ? a->c_str() : nullptr;
}

}  // extern "C"
