// AuditMembers and the ready-made entries. Values are written through the
// canonical JSON helpers of src/io, so scalars come out canonical (§12).
#include <charconv>

#include "io/json_text.h"
#include "mixtral/runtime/audit.h"

namespace mixtral {

void AuditMembers::AddRaw(std::string_view key, std::string_view json) {
  const size_t begin = values_.size();
  values_.append(json.empty() ? std::string_view("null") : json);
  members_.push_back({std::string(key), begin, values_.size()});
}

void AuditMembers::AddString(std::string_view key, std::string_view value) {
  const size_t begin = values_.size();
  io::AppendJsonString(&values_, value);
  members_.push_back({std::string(key), begin, values_.size()});
}

void AuditMembers::AddInt(std::string_view key, int64_t value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  AddRaw(key, std::string_view(buf, static_cast<size_t>(end - buf)));
}

void AuditMembers::AddDouble(std::string_view key, double value) {
  const size_t begin = values_.size();
  io::AppendJsonDouble(&values_, value);
  members_.push_back({std::string(key), begin, values_.size()});
}

void AuditMembers::AddBool(std::string_view key, bool value) {
  AddRaw(key, value ? "true" : "false");
}

void AuditMembers::Clear() {
  members_.clear();
  values_.clear();
}

std::string_view AuditMembers::value(size_t i) const {
  const Member& m = members_[i];
  return std::string_view(values_).substr(m.begin, m.end - m.begin);
}

void ChargeAdjustEntry::Render(AuditMembers& out) const {
  out.AddDouble("amount", amount_);
  out.AddString("counter", counter_);
  out.AddString("decision_id", decision_id_);
  out.AddString("key", key_);
}

void PrerenderedEntry::Render(AuditMembers& out) const {
  for (const auto& [key, json] : members_) {
    out.AddRaw(key, json);
  }
}

}  // namespace mixtral
