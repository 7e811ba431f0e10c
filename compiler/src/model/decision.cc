#include "mixtral/compiler/decision.h"

#include <cmath>
#include <cstring>

namespace mixtral {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kRouted:
      return "routed";
    case Outcome::kDegraded:
      return "degraded";
    case Outcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

bool Score::operator==(const Score& o) const {
  if (target != o.target || value.has_value() != o.value.has_value()) return false;
  if (!value) return true;
  // Bitwise: NaN equals NaN, and -0 differs from +0, as replay needs.
  return std::memcmp(&*value, &*o.value, sizeof(double)) == 0 ||
         (std::isnan(*value) && std::isnan(*o.value));
}

bool Decision::SameDecision(const Decision& o) const {
  bool same = route == o.route && outcome == o.outcome && target == o.target &&
              fallbacks == o.fallbacks && mirrors == o.mirrors && variant == o.variant &&
              escalation == o.escalation && ensemble == o.ensemble && reject == o.reject &&
              degraded_reason == o.degraded_reason && annotations == o.annotations;
  if (same && explain && o.explain) same = *explain == *o.explain;
  return same;
}

}  // namespace mixtral
