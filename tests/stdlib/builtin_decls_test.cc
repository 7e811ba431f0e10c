#include <set>

#include "signature.h"
#include "test_support.h"

namespace mixtral::testing {
namespace {

using stdlib_internal::KindsOfType;
using stdlib_internal::MaskOf;
using stdlib_internal::ParseSignature;

TEST_CASE("the table is complete, indexed by id and sorted by name") {
  const auto decls = Builtins();
  REQUIRE(decls.size() == static_cast<size_t>(BuiltinId::kVersionAtLeast) + 1);
  std::set<std::string_view> names;
  for (size_t i = 0; i < decls.size(); ++i) {
    const BuiltinDecl& d = decls[i];
    CAPTURE(d.name);
    CHECK(static_cast<size_t>(d.id) == i);
    CHECK(names.insert(d.name).second);
    CHECK(ParseSignature(d.signature).valid);
    CHECK(!d.doc.empty());
    CHECK(d.doc.ends_with("."));
    CHECK(FindBuiltin(d.name) == &d);
  }
  CHECK(FindBuiltin("nope") == nullptr);
  CHECK(FindBuiltin("") == nullptr);
  CHECK(FindBuiltin("ABS") == nullptr);
  CHECK(FindBuiltin("abs ") == nullptr);
}

TEST_CASE("only matches and cidr_contains take a literal argument") {
  for (const BuiltinDecl& d : Builtins()) {
    CAPTURE(d.name);
    if (d.name == "matches") {
      CHECK(d.literal_arg == 1);
    } else if (d.name == "cidr_contains") {
      CHECK(d.literal_arg == 0);
    } else {
      CHECK(d.literal_arg == -1);
      std::string error;
      CHECK(PrepareLiteral(d.id, S("x"), &error) == nullptr);
      CHECK(error == "this built-in takes no literal argument");
    }
  }
}

TEST_CASE("the signature parser reads the notation of builtins.h") {
  using K = Value::Kind;
  const auto sig = ParseSignature("(string, num, coll) -> bool");
  REQUIRE(sig.valid);
  CHECK(sig.arity == 3);
  CHECK(sig.params[0] == MaskOf(K::kString));
  CHECK(sig.params[1] == (MaskOf(K::kInt) | MaskOf(K::kFloat)));
  CHECK(sig.params[2] == KindsOfType("coll"));
  CHECK(sig.result == MaskOf(K::kBool));
  CHECK(ParseSignature("() -> int").valid);
  CHECK(ParseSignature("(duration) -> float").params[0] == MaskOf(K::kInt));

  const std::string_view invalid[] = {
      "",
      "(int)",
      "(int) ->",
      "(int) -> foo",
      "(foo) -> int",
      "(int,int) -> int",
      "(int, ) -> int",
      "(, int) -> int",
      "int -> int",
      "(int, int, int, int) -> int",
      "(int)-> int",
  };
  for (std::string_view text : invalid) {
    CAPTURE(text);
    CHECK(!ParseSignature(text).valid);
  }
}

// A value of a kind that the parameter accepts.
Value SampleFor(stdlib_internal::KindMask kinds) {
  if (kinds & MaskOf(Value::Kind::kString)) {
    return S("1");
  }
  if (kinds & MaskOf(Value::Kind::kInt)) {
    return I(1);
  }
  if (kinds & MaskOf(Value::Kind::kFloat)) {
    return F(1.0);
  }
  return B(true);
}

// Every built-in, handed the wrong number or kinds of arguments, returns
// missing instead of reading a value as the wrong kind.
TEST_CASE("calls that do not fit the signature give missing") {
  const Value odd_ones[] = {M(), B(true), Value::Enum(2), Value::ListOf({I(1)}),
                            Value::MapOf({{S("k"), I(1)}})};
  for (const BuiltinDecl& d : Builtins()) {
    CAPTURE(d.name);
    const auto sig = ParseSignature(d.signature);
    for (size_t n = 0; n <= 4; ++n) {
      if (n == sig.arity) {
        continue;
      }
      std::vector<Value> args(n, I(1));
      CHECK(CallBuiltin(d.id, args, nullptr).is_missing());
    }
    for (const Value& odd : odd_ones) {
      CAPTURE(DescribeValue(odd));
      for (size_t i = 0; i < sig.arity; ++i) {
        if (sig.params[i] & MaskOf(odd.kind())) {
          continue;  // len takes lists and maps
        }
        std::vector<Value> args;
        for (size_t k = 0; k < sig.arity; ++k) {
          args.push_back(SampleFor(sig.params[k]));
        }
        args[i] = odd;
        CHECK(CallBuiltin(d.id, args, nullptr).is_missing());
      }
    }
  }
  const Value one[] = {I(1)};
  CHECK(CallBuiltin(static_cast<BuiltinId>(999), one, nullptr).is_missing());
}

TEST_CASE("a prepared argument of the wrong built-in is ignored") {
  std::string error;
  auto regex = PrepareLiteral(BuiltinId::kMatches, S("^10\\."), &error);
  auto cidr = PrepareLiteral(BuiltinId::kCidrContains, S("10.0.0.0/8"), &error);
  REQUIRE(regex != nullptr);
  REQUIRE(cidr != nullptr);
  CHECK(DescribeValue(Call("cidr_contains", {S("10.0.0.0/8"), S("10.1.1.1")}, regex.get())) ==
        "bool:true");
  CHECK(DescribeValue(Call("matches", {S("10.1.1.1"), S("^10\\.")}, cidr.get())) == "bool:true");
}

}  // namespace
}  // namespace mixtral::testing
