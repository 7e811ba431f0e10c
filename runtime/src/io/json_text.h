// Internal: writing JSON text in the canonical form of contract §12, compact
// or indented. Both the canonicalizer and DecisionToJson write through here,
// so a decision's compact JSON is canonical by construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mixtral::io {

// A string literal: `"` and `\` escaped, control characters (below 0x20, and
// 0x7f) as \u00xx, everything else raw UTF-8.
void AppendJsonString(std::string* out, std::string_view s);

// Shortest round-trip form, always with a '.' or an exponent so it reads back
// as a float; -0.0 keeps its sign; NaN and the infinities become the strings
// "NaN", "Infinity" and "-Infinity".
void AppendJsonDouble(std::string* out, double d);

// A streaming writer. It does not sort: callers emit keys in code-point order.
// With `pretty`, containers open onto new lines indented by 2 spaces per
// level, keys are followed by ": ", and empty containers stay "{}" / "[]".
class JsonWriter {
 public:
  JsonWriter(std::string* out, bool pretty) : out_(out), pretty_(pretty) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);

  void Null();
  void Bool(bool b);
  void Int(int64_t i);
  void Double(double d);
  void String(std::string_view s);

 private:
  void BeforeValue();
  void Open(char c);
  void Close(char c);
  void Newline(size_t depth);

  std::string* out_;
  bool pretty_;
  bool after_key_ = false;
  std::vector<bool> has_items_;  // per open container
};

}  // namespace mixtral::io
