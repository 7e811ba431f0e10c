#include "test_support.h"

namespace mixtral::testing {
namespace {

TEST_CASE("cidr_contains matches addresses of the network's family") {
  struct Case {
    std::string_view cidr;
    std::string_view ip;
    Value want;
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.1.2.3", B(true)},
      {"10.0.0.0/8", "10.255.255.255", B(true)},
      {"10.0.0.0/8", "11.0.0.0", B(false)},
      {"10.0.0.0/8", "9.255.255.255", B(false)},
      {"192.168.1.128/25", "192.168.1.127", B(false)},
      {"192.168.1.128/25", "192.168.1.128", B(true)},
      {"192.168.1.128/25", "192.168.1.255", B(true)},
      {"1.2.3.4/32", "1.2.3.4", B(true)},
      {"1.2.3.4/32", "1.2.3.5", B(false)},
      {"0.0.0.0/0", "203.0.113.9", B(true)},
      {"2001:db8::/32", "2001:db8::1", B(true)},
      {"2001:db8::/32", "2001:DB8:ffff::1", B(true)},
      {"2001:db8::/32", "2001:db9::1", B(false)},
      {"2001:db8::/33", "2001:db8:7fff::1", B(true)},
      {"2001:db8::/33", "2001:db8:8000::", B(false)},
      {"::/0", "::1", B(true)},
      {"::1/128", "::1", B(true)},
      // IPv4 never matches an IPv6 network, nor the reverse, mapped or not.
      {"::/0", "1.2.3.4", B(false)},
      {"0.0.0.0/0", "::1", B(false)},
      {"10.0.0.0/8", "::ffff:10.0.0.1", B(false)},
      {"::ffff:0:0/96", "10.0.0.1", B(false)},
      {"::ffff:0:0/96", "::ffff:10.0.0.1", B(true)},
      // An unparsable address is missing, not false.
      {"10.0.0.0/8", "not-an-ip", M()},
      {"10.0.0.0/8", "", M()},
      {"10.0.0.0/8", "10.0.0.256", M()},
      {"10.0.0.0/8", "10.0.0", M()},
      {"10.0.0.0/8", "10.0.0.1/32", M()},
      {"10.0.0.0/8", " 10.0.0.1", M()},
      {"10.0.0.0/8", std::string_view("10.0.0.1\0x", 10), M()},
      {"2001:db8::/32", "2001:db8::1%eth0", M()},
  };
  // Both paths must agree: the network prepared once and the one parsed per call.
  auto check_all = [&](bool use_prepared) {
    for (const Case& c : cases) {
      CAPTURE(c.cidr);
      CAPTURE(c.ip);
      std::string error;
      auto prepared = PrepareLiteral(BuiltinId::kCidrContains, S(c.cidr), &error);
      REQUIRE_MESSAGE(prepared != nullptr, error);
      const PreparedArg* arg = use_prepared ? prepared.get() : nullptr;
      CHECK(DescribeValue(Call("cidr_contains", {S(c.cidr), S(c.ip)}, arg)) ==
            DescribeValue(c.want));
    }
  };
  SUBCASE("prepared") { check_all(true); }
  SUBCASE("parsed per call") { check_all(false); }
}

TEST_CASE("a bad CIDR literal is a compile error with a precise message") {
  struct Case {
    std::string_view cidr;
    std::string_view message;
  };
  const Case cases[] = {
      {"10.0.0.0",
       R"(invalid CIDR "10.0.0.0": expected an address, '/' and a prefix length, as in "10.0.0.0/8")"},
      {"10.0.0/8", R"(invalid CIDR "10.0.0/8": "10.0.0" is not an IP address)"},
      {"/8", R"(invalid CIDR "/8": "" is not an IP address)"},
      {"10.0.0.0/33", R"(invalid CIDR "10.0.0.0/33": the prefix length must be 0 to 32)"},
      {"2001:db8::/129", R"(invalid CIDR "2001:db8::/129": the prefix length must be 0 to 128)"},
      {"10.0.0.0/", R"(invalid CIDR "10.0.0.0/": the prefix length must be 0 to 32)"},
      {"10.0.0.0/-1", R"(invalid CIDR "10.0.0.0/-1": the prefix length must be 0 to 32)"},
      {"10.0.0.0/ 8", R"(invalid CIDR "10.0.0.0/ 8": the prefix length must be 0 to 32)"},
      {"10.0.0.0/8/8", R"(invalid CIDR "10.0.0.0/8/8": the prefix length must be 0 to 32)"},
      {"10.0.0.0/0008", R"(invalid CIDR "10.0.0.0/0008": the prefix length must be 0 to 32)"},
      {"10.0.0.1/8",
       R"(invalid CIDR "10.0.0.1/8": bits are set after the prefix; the network is "10.0.0.0/8")"},
      {"2001:db8::1/32",
       R"(invalid CIDR "2001:db8::1/32": bits are set after the prefix; the network is "2001:db8::/32")"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.cidr);
    std::string error;
    CHECK(PrepareLiteral(BuiltinId::kCidrContains, S(c.cidr), &error) == nullptr);
    CHECK(error == c.message);
    // Unprepared, a bad network gives missing.
    CHECK(Call("cidr_contains", {S(c.cidr), S("10.0.0.1")}).is_missing());
  }
}

TEST_CASE("is_ip accepts IPv4 and IPv6 addresses only") {
  const CallCase cases[] = {
      {"is_ip", {S("192.0.2.1")}, B(true)},
      {"is_ip", {S("0.0.0.0")}, B(true)},
      {"is_ip", {S("255.255.255.255")}, B(true)},
      {"is_ip", {S("::")}, B(true)},
      {"is_ip", {S("::1")}, B(true)},
      {"is_ip", {S("2001:db8::1")}, B(true)},
      {"is_ip", {S("::ffff:192.0.2.1")}, B(true)},
      {"is_ip", {S("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")}, B(true)},
      {"is_ip", {S("256.0.0.1")}, B(false)},
      {"is_ip", {S("1.2.3")}, B(false)},
      {"is_ip", {S("1.2.3.4.5")}, B(false)},
      {"is_ip", {S("01.2.3.4")}, B(false)},
      {"is_ip", {S("")}, B(false)},
      {"is_ip", {S("fe80::1%eth0")}, B(false)},
      {"is_ip", {S("10.0.0.0/8")}, B(false)},
      {"is_ip", {S("1.2.3.4:80")}, B(false)},
      {"is_ip", {S("[::1]")}, B(false)},
      {"is_ip", {S("1:2:3:4:5:6:7:8:9")}, B(false)},
      {"is_ip", {S(std::string(100, '1'))}, B(false)},
      {"is_ip", {S(std::string_view("1.2.3.4\0", 8))}, B(false)},
  };
  CheckCalls(cases);
}

}  // namespace
}  // namespace mixtral::testing
