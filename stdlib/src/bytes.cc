#include "mixtral/stdlib/bytes.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

namespace mixtral {

// Well-formed sequences per the Unicode Standard, Table 3-7. Narrowing the
// second byte's range for E0, ED, F0 and F4 is what rules out overlong forms,
// surrogates (U+D800..U+DFFF) and code points above U+10FFFF.
std::optional<size_t> FindInvalidUtf8(std::string_view bytes) {
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    const auto b0 = static_cast<uint8_t>(bytes[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) {
        lo = 0xA0;
      }
      if (b0 == 0xED) {
        hi = 0x9F;
      }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) {
        lo = 0x90;
      }
      if (b0 == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return i;  // a stray continuation byte, C0/C1 (always overlong) or F5..FF
    }
    if (n - i < len) {
      return i;
    }
    const auto b1 = static_cast<uint8_t>(bytes[i + 1]);
    if (b1 < lo || b1 > hi) {
      return i;
    }
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<uint8_t>(bytes[i + k]) & 0xC0) != 0x80) {
        return i;
      }
    }
    i += len;
  }
  return std::nullopt;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) {
      ++count;
    }
  }
  return count;
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return std::string();  // only on allocation failure inside libcrypto
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{2} * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

}  // namespace mixtral
