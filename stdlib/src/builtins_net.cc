// cidr_contains and is_ip. Addresses are parsed by inet_pton only: a parser of
// our own would disagree with the rest of the network stack on some input.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "builtins_impl.h"

namespace mixtral::stdlib_internal {
namespace {

struct Address {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  int bits() const { return family == AF_INET ? 32 : 128; }
};

struct Network {
  Address base;
  int prefix = 0;
};

std::optional<Address> ParseAddress(std::string_view text) {
  // inet_pton wants a NUL-terminated string; an embedded NUL would cut the
  // text short and let "10.0.0.1\0junk" through.
  char buf[INET6_ADDRSTRLEN];
  if (text.empty() || text.size() >= sizeof buf || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address addr;
  addr.family = text.find(':') == std::string_view::npos ? AF_INET : AF_INET6;
  if (inet_pton(addr.family, buf, addr.bytes.data()) != 1) {
    return std::nullopt;
  }
  return addr;
}

// Zeroes every bit after the first `prefix`.
Address Masked(Address addr, int prefix) {
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(prefix - 8 * i, 0, 8);  // leading bits of this byte to keep
    addr.bytes[i] &= static_cast<uint8_t>(0xFF00u >> keep);
  }
  return addr;
}

bool InNetwork(const Network& net, const Address& addr) {
  return addr.family == net.base.family && Masked(addr, net.prefix).bytes == net.base.bytes;
}

std::string FormatAddress(const Address& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(addr.family, addr.bytes.data(), buf, sizeof buf) == nullptr) {
    return "?";
  }
  return buf;
}

// On failure returns nullopt and, if `error` is set, a message for the user.
std::optional<Network> ParseNetwork(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<Network> {
    if (error != nullptr) {
      *error = "invalid CIDR \"" + std::string(text) + "\": " + std::string(why);
    }
    return std::nullopt;
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return fail("expected an address, '/' and a prefix length, as in \"10.0.0.0/8\"");
  }
  const std::optional<Address> base = ParseAddress(text.substr(0, slash));
  if (!base) {
    return fail("\"" + std::string(text.substr(0, slash)) + "\" is not an IP address");
  }

  const std::string_view digits = text.substr(slash + 1);
  const std::string range = "the prefix length must be 0 to " + std::to_string(base->bits());
  if (digits.empty() || digits.size() > 3) {
    return fail(range);
  }
  int prefix = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return fail(range);
    }
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > base->bits()) {
    return fail(range);
  }

  const Address masked = Masked(*base, prefix);
  if (masked.bytes != base->bytes) {
    return fail("bits are set after the prefix; the network is \"" + FormatAddress(masked) + "/" +
                std::to_string(prefix) + "\"");
  }
  return Network{*base, prefix};
}

class CidrArg final : public PreparedArg {
 public:
  explicit CidrArg(const Network& net) : net_(net) {}
  const Network& network() const { return net_; }

 private:
  Network net_;
};

}  // namespace

Value CidrContains(std::string_view cidr, std::string_view ip, const PreparedArg* prepared) {
  std::optional<Network> local;
  const Network* net = nullptr;
  if (const auto* arg = dynamic_cast<const CidrArg*>(prepared)) {
    net = &arg->network();
  } else {
    local = ParseNetwork(cidr, nullptr);
    if (!local) {
      return Value::Missing();
    }
    net = &*local;
  }
  const std::optional<Address> addr = ParseAddress(ip);
  if (!addr) {
    return Value::Missing();
  }
  return Value::Bool(InNetwork(*net, *addr));
}

Value IsIp(std::string_view s) { return Value::Bool(ParseAddress(s).has_value()); }

std::shared_ptr<const PreparedArg> PrepareCidr(std::string_view cidr, std::string* error) {
  const std::optional<Network> net = ParseNetwork(cidr, error);
  if (!net) {
    return nullptr;
  }
  return std::make_shared<const CidrArg>(*net);
}

}  // namespace mixtral::stdlib_internal
