#include "test_support.h"

namespace mixtral::testing {
namespace {

TEST_CASE("bucket and sample_bucket") {
  const CallCase cases[] = {
      {"bucket", {S("foobar"), I(100)}, I(68)},
      {"bucket", {S("a"), I(7)}, I(5)},
      {"bucket", {S(""), I(1)}, I(0)},
      {"bucket", {S(""), I(kMaxInt)}, I(5472609002491880230)},
      {"bucket", {S("a"), I(0)}, M()},
      {"bucket", {S("a"), I(-5)}, M()},
      {"bucket", {S("a"), I(kMinInt)}, M()},
      {"sample_bucket", {S("canary"), S("tenant-7")}, I(7065)},
      {"sample_bucket", {S("trial"), S("user-0")}, I(5947)},
      {"sample_bucket", {S(""), S("")}, I(1709)},
  };
  CheckCalls(cases);
}

}  // namespace
}  // namespace mixtral::testing
