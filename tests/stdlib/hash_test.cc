// Contract §6 vectors. The fmix64 and mixed-bucket vectors were computed with
// an independent Python implementation of FNV-1a 64 and MurmurHash3's fmix64
// (see stdlib/README.md), not with this code.
#include "mixtral/stdlib/hash.h"

#include "test_support.h"

namespace mixtral::testing {
namespace {

static_assert(Fnv1a64("foobar") == 0x85944171f73967e8ULL, "usable in constant expressions");
static_assert(Bucket("foobar", 100) == 68);

TEST_CASE("FNV-1a 64 matches the contract's vectors") {
  struct Case {
    std::string_view key;
    uint64_t want;
  };
  const Case cases[] = {
      {"", 0xcbf29ce484222325ULL},
      {"a", 0xaf63dc4c8601ec8cULL},
      {"foobar", 0x85944171f73967e8ULL},
      {":", 0xaf63b74c8601adadULL},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    CHECK(Fnv1a64(c.key) == c.want);
  }
  CHECK(Bucket("foobar", 100) == 68);
}

TEST_CASE("FNV-1a 64 can hash a key in pieces") {
  CHECK(Fnv1a64("bar", Fnv1a64("foo")) == Fnv1a64("foobar"));
  CHECK(Fnv1a64("", Fnv1a64("foobar")) == Fnv1a64("foobar"));
}

TEST_CASE("fmix64 matches MurmurHash3") {
  struct Case {
    uint64_t in;
    uint64_t want;
  };
  const Case cases[] = {
      {0, 0},
      {1, 0xb456bcfc34c2cb2cULL},
      {2, 0x3abf2a20650683e7ULL},
      {0xcbf29ce484222325ULL, 0xefd01f60ba992926ULL},
      {0xffffffffffffffffULL, 0x64b5720b4b825f21ULL},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(Fmix64(c.in) == c.want);
  }
}

TEST_CASE("MixedBucket10k is fmix64(FNV-1a(salt:key)) mod 10000") {
  struct Case {
    std::string_view salt;
    std::string_view key;
    uint32_t want;
  };
  const Case cases[] = {
      {"canary", "tenant-7", 7065},
      {"canary", "tenant-8", 4774},
      {"split", "user-1", 7916},
      {"exp", "user-42", 1306},
      {"", "", 1709},
      {"sample", "\xC3\xBC", 7939},  // ü
      {"trial", "user-0", 5947},
      {"trial", "user-1", 8334},
      {"trial", "user-2", 3990},
  };
  for (const Case& c : cases) {
    CAPTURE(c.salt);
    CAPTURE(c.key);
    CHECK(MixedBucket10k(c.salt, c.key) == c.want);
  }
  // Only the bytes of salt + ":" + key count, wherever a colon sits.
  CHECK(MixedBucket10k("a", "b:c") == MixedBucket10k("a:b", "c"));
}

TEST_CASE("RendezvousWeight is fmix64(FNV-1a(key:target))") {
  CHECK(RendezvousWeight("tenant-7", "gpu-a") == 0x90f4686a3b7688a9ULL);
  CHECK(RendezvousWeight("tenant-7", "gpu-b") == 0xcbc080b1f4a8b659ULL);
}

}  // namespace
}  // namespace mixtral::testing
