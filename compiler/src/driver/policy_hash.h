#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mixtral::driver {

// "sha256:" + SHA-256 of the sorted lines "<relative path> <sha256 of bytes>\n"
// over the policy file and every import (contract §12).
std::string PolicyHash(const std::vector<std::pair<std::string, std::string>>& path_and_bytes);

}  // namespace mixtral::driver
