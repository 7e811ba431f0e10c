// The outline of a checked policy: the names a runtime keys its counters by
// and what a request must carry, without the IR.
//
//   mixtral::PolicyOutline o = mixtral::Outline(*policy);
//   for (size_t r = 0; r < o.rules.size(); ++r) ... policy->routes[r] ...
#pragma once

#include <string>
#include <vector>

#include "mixtral/compiler/policy.h"

namespace mixtral {

struct PolicyOutline {
  std::vector<std::vector<std::string>> rules;  // per route: require/forbid names, in order
  std::vector<std::string> assertions;          // declaration order
  std::vector<bool> request_fields_read;        // by request slot: any expression reads it
};

PolicyOutline Outline(const Policy& policy);

}  // namespace mixtral
