// Hashing primitives fixed by contract §6. Both engines call these, never
// std::hash, so that a key gets the same bucket everywhere and forever.
//
//   Fnv1a64("foobar") == 0x85944171f73967e8
//   Bucket("foobar", 100) == 68
//   MixedBucket10k("canary", "tenant-7")  // split/sample bucket in [0, 10000)
#pragma once

#include <cstdint>
#include <string_view>

namespace mixtral {

inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

// FNV-1a 64, continuing from `state` so that a key can be hashed in pieces
// without building a concatenated string.
constexpr uint64_t Fnv1a64(std::string_view bytes, uint64_t state = kFnvOffsetBasis) {
  for (unsigned char c : bytes) {
    state ^= c;
    state *= kFnvPrime;
  }
  return state;
}

// MurmurHash3's 64-bit finaliser.
constexpr uint64_t Fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// bucket(key, n): FNV-1a 64 of key mod n, as unsigned. n must be > 0.
constexpr uint64_t Bucket(std::string_view key, uint64_t n) { return Fnv1a64(key) % n; }

// fmix64(FNV-1a(salt + ":" + key)) mod 10000: the split and sample bucket.
constexpr uint32_t MixedBucket10k(std::string_view salt, std::string_view key) {
  uint64_t h = Fnv1a64(salt);
  h = Fnv1a64(":", h);
  h = Fnv1a64(key, h);
  return static_cast<uint32_t>(Fmix64(h) % 10000);
}

// Rendezvous (highest-random-weight) weight of `target` for `key`:
// fmix64(FNV-1a(key + ":" + target)). The survivor with the highest weight wins.
constexpr uint64_t RendezvousWeight(std::string_view key, std::string_view target) {
  uint64_t h = Fnv1a64(key);
  h = Fnv1a64(":", h);
  h = Fnv1a64(target, h);
  return Fmix64(h);
}

}  // namespace mixtral
