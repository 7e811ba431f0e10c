// Byte-level helpers every layer needs: UTF-8 validation and SHA-256.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mixtral {

// The byte offset of the first invalid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or nullopt.
std::optional<size_t> FindInvalidUtf8(std::string_view bytes);

// Number of code points in valid UTF-8.
size_t CountCodePoints(std::string_view utf8);

// Lowercase hex SHA-256 (libcrypto; never a hand-written SHA).
std::string Sha256Hex(std::string_view bytes);

}  // namespace mixtral
