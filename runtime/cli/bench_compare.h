// Comparing a decision with one line of an `--expected` file (contract §10):
// any subset of the decision fields plus `first_reason`.
#pragma once

#include <string>

#include "mixtral/compiler/decision.h"

namespace mixtral::cli {

bool MatchesExpected(const Decision& d, const std::string& expected_json_line);

}  // namespace mixtral::cli
