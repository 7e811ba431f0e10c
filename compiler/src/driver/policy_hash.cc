#include "driver/policy_hash.h"

#include <algorithm>

#include "mixtral/stdlib/bytes.h"

namespace mixtral::driver {

std::string PolicyHash(const std::vector<std::pair<std::string, std::string>>& path_and_bytes) {
  std::vector<std::string> lines;
  for (const auto& [path, bytes] : path_and_bytes) lines.push_back(path + " " + Sha256Hex(bytes));
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  return "sha256:" + Sha256Hex(all);
}

}  // namespace mixtral::driver
