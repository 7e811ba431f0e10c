// Decoding literal tokens. Each returns nullopt with a message on bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mixtral::parse {

// INT tokens; `negated` admits 9223372036854775808 as INT64_MIN.
std::optional<int64_t> DecodeInt(std::string_view text, bool negated, std::string* error);
std::optional<double> DecodeFloat(std::string_view text, std::string* error);
std::optional<int64_t> DecodeDurationMs(std::string_view text, std::string* error);
// PERCENT ("12.5%") and BASIS_POINTS ("25bp") tokens, in basis points.
std::optional<int32_t> DecodeRateBp(std::string_view text, std::string* error);
// A STRING token, quotes included.
std::optional<std::string> DecodeString(std::string_view text, std::string* error);

}  // namespace mixtral::parse
