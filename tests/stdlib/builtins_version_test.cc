#include "test_support.h"

namespace mixtral::testing {
namespace {

TEST_CASE("version_at_least compares dotted numbers") {
  struct Case {
    std::string_view v;
    std::string_view min;
    Value want;
  };
  const Case cases[] = {
      {"v1.10.2", "1.9", B(true)},
      {"1.9", "1.10", B(false)},
      {"1.10", "1.9.9", B(true)},
      {"1.2", "1.2.0", B(true)},
      {"1.2.0", "1.2", B(true)},
      {"1.2", "1.2.1", B(false)},
      {"1.2.0.0.1", "1.2", B(true)},
      {"v2", "1.99.99", B(true)},
      {"1.02", "1.2", B(true)},
      {"1.2", "1.02", B(true)},
      {"0", "0.0.0", B(true)},
      {"1.2.3", "v1.2.3", B(true)},
      {"99999999999999999999999.0", "99999999999999999999998.9", B(true)},
      {"99999999999999999999998", "99999999999999999999999", B(false)},
      {"10", "9", B(true)},
      // Not versions.
      {"1.2-rc1", "1.0", M()},
      {"1.0", "1.2-rc1", M()},
      {"", "1", M()},
      {"v", "1", M()},
      {"vv1", "1", M()},
      {"V1.0", "1", M()},
      {"1..2", "1", M()},
      {"1.2.", "1", M()},
      {".1", "0", M()},
      {" 1.2", "1", M()},
      {"1.2", "x", M()},
      {"+1", "1", M()},
      {"1.-2", "1", M()},
  };
  for (const Case& c : cases) {
    CAPTURE(c.v);
    CAPTURE(c.min);
    CHECK(DescribeValue(Call("version_at_least", {S(c.v), S(c.min)})) == DescribeValue(c.want));
  }
}

}  // namespace
}  // namespace mixtral::testing
