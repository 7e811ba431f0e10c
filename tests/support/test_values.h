// Values as short, deterministic text, so that a table of test cases can
// state the expected value as a string: "int:42", "list[str:a,str:b]",
// "map{str:cpu=float:0.5}", "missing".
#pragma once

#include <charconv>
#include <string>

#include "mixtral/stdlib/value.h"

namespace mixtral::testing {

inline std::string DescribeValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kMissing:
      return "missing";
    case Value::Kind::kBool:
      return v.as_bool() ? "bool:true" : "bool:false";
    case Value::Kind::kInt:
      return "int:" + std::to_string(v.as_int());
    case Value::Kind::kFloat: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_float());
      return "float:" + std::string(buf, end);
    }
    case Value::Kind::kString:
      return "str:" + std::string(v.as_string());
    case Value::Kind::kEnum:
      return "enum:" + std::to_string(v.as_enum());
    case Value::Kind::kList:
    case Value::Kind::kSet: {
      const bool set = v.kind() == Value::Kind::kSet;
      std::string s = set ? "set{" : "list[";
      for (size_t i = 0; i < v.as_list().size(); ++i) {
        if (i > 0) s += ",";
        s += DescribeValue(v.as_list()[i]);
      }
      return s + (set ? "}" : "]");
    }
    case Value::Kind::kMap: {
      std::string s = "map{";
      for (size_t i = 0; i < v.as_map().size(); ++i) {
        if (i > 0) s += ",";
        s += DescribeValue(v.as_map()[i].first) + "=" + DescribeValue(v.as_map()[i].second);
      }
      return s + "}";
    }
  }
  return "?";
}

}  // namespace mixtral::testing
