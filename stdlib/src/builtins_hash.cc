// bucket and sample_bucket (contract §6).
#include "builtins_impl.h"
#include "mixtral/stdlib/hash.h"

namespace mixtral::stdlib_internal {

Value BucketOf(std::string_view key, int64_t n) {
  if (n <= 0) {
    return Value::Missing();
  }
  // The result is below n, so it fits back into an int64.
  return Value::Int(static_cast<int64_t>(Bucket(key, static_cast<uint64_t>(n))));
}

Value SampleBucket(std::string_view salt, std::string_view key) {
  return Value::Int(MixedBucket10k(salt, key));
}

}  // namespace mixtral::stdlib_internal
