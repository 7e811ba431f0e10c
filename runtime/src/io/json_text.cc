#include "io/json_text.h"

#include <charconv>
#include <cmath>

namespace mixtral::io {

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending stretch of bytes written raw
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
      continue;
    }
    out->append(s.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else {
      const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out->append(esc, sizeof esc);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendJsonDouble(std::string* out, double d) {
  if (std::isnan(d)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[32];  // the shortest form of any double is at most 24 characters
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  out->append(text);
  // to_chars writes integral values as "1" or "-0", which would read back as ints.
  if (text.find_first_of(".e") == std::string_view::npos) {
    out->append(".0");
  }
}

void JsonWriter::Newline(size_t depth) {
  out_->push_back('\n');
  out_->append(2 * depth, ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) {
    return;
  }
  if (has_items_.back()) {
    out_->push_back(',');
  }
  has_items_.back() = true;
  if (pretty_) {
    Newline(has_items_.size());
  }
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key);
  out_->append(pretty_ ? ": " : ":");
  after_key_ = true;
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_->push_back(c);
  has_items_.push_back(false);
}

void JsonWriter::Close(char c) {
  const bool had_items = has_items_.back();
  has_items_.pop_back();
  if (pretty_ && had_items) {
    Newline(has_items_.size());
  }
  out_->push_back(c);
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Bool(bool b) {
  BeforeValue();
  out_->append(b ? "true" : "false");
}

void JsonWriter::Int(int64_t i) {
  BeforeValue();
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, i);
  out_->append(buf, static_cast<size_t>(end - buf));
}

void JsonWriter::Double(double d) {
  BeforeValue();
  AppendJsonDouble(out_, d);
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
}

}  // namespace mixtral::io
