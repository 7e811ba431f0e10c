// Compiling a policy version for the engine: the front end, then the JIT
// where chosen, and what the decision path precomputes per version.
#include <openssl/sha.h>

#include <cstring>
#include <sstream>

#include "engine/internal.h"
#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/outline.h"

namespace mixtral {
namespace {

void DescribeType(const TypeTable& types, TypeId t, std::ostringstream& out) {
  const TypeInfo& info = types.info(t);
  out << static_cast<int>(info.kind);
  switch (info.kind) {
    case TypeKind::kEnum:
      out << "{";
      for (const std::string& m : types.enum_info(t).members) out << m.size() << ":" << m << ",";
      out << "}";
      break;
    case TypeKind::kList:
    case TypeKind::kSet:
      out << "<";
      DescribeType(types, info.elem, out);
      out << ">";
      break;
    case TypeKind::kMap:
      out << "<";
      DescribeType(types, info.key, out);
      out << ",";
      DescribeType(types, info.elem, out);
      out << ">";
      break;
    default:
      break;
  }
}

std::string DescribeDefault(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt:
      return "i" + std::to_string(v.as_int());
    case Value::Kind::kFloat: {
      uint64_t bits;
      double f = v.as_float();
      std::memcpy(&bits, &f, sizeof bits);
      return "f" + std::to_string(bits);
    }
    case Value::Kind::kEnum:
      return "e" + std::to_string(v.as_enum());
    case Value::Kind::kString:
      return "s" + std::to_string(v.as_string().size()) + ":" + std::string(v.as_string());
    default:
      return "?";  // collections as defaults: kind only
  }
}

}  // namespace

// The request schema alone, structurally: names, types (enum members in
// order), optionality, defaults, the id and sensitive marks, `closed`. Two
// policies with equal ids lay requests out identically, whatever else differs.
uint64_t RequestSchemaId(const Policy& policy) {
  std::ostringstream out;
  out << "mixtral-request-schema-v1;closed=" << policy.request.closed << ";";
  for (const FieldInfo& f : policy.request.fields) {
    out << f.name.size() << ":" << f.name << ";";
    DescribeType(policy.types, f.type, out);
    out << ";" << f.optional << f.is_id << f.sensitive << ";";
    out << (f.default_value ? DescribeDefault(*f.default_value) : "-") << ";";
  }
  std::string text = out.str();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | digest[i];
  return id == 0 ? 1 : id;  // 0 means "no schema"
}

std::shared_ptr<const CompiledVersion> CompileVersion(Engine::Impl& e, const std::string& path,
                                                      std::string text, bool from_file,
                                                      LoadResult* result) {
  // Reloading unchanged bytes (a rollback, a config push that changed
  // nothing) reuses the checked policy and, below, the JIT's object cache.
  CompileOptions options;
  options.cache = e.compile_cache;
  CompileResult cr =
      from_file ? CompileFile(path, options) : CompileSource(path, std::move(text), options);
  std::string rendered;
  for (const Diagnostic& d : cr.diagnostics.Sorted()) rendered += RenderDiagnostic(d, cr.sources);
  result->rendered = rendered;
  result->errors = cr.diagnostics.error_count();
  result->warnings = cr.diagnostics.warning_count();
  if (!cr.policy) return nullptr;

  auto v = std::make_shared<CompiledVersion>();
  v->policy = cr.policy;
  v->schema_id = RequestSchemaId(*cr.policy);
  for (bool read : Outline(*cr.policy).request_fields_read) v->reads_request_field.push_back(read);
  for (const FieldInfo& f : cr.policy->request.fields) {
    v->sensitive.push_back(f.sensitive ? 1 : 0);
    v->has_sensitive |= f.sensitive;
  }
  v->audit_interpreted = v->has_sensitive && DerivesFromMasked(*cr.policy, v->sensitive);
  // Counters survive a reload that keeps their name and window: Declare
  // returns the same id (SPEC §6.9).
  for (size_t i = 0; i < cr.policy->counters.size(); ++i) {
    const int64_t window_ms = cr.policy->counter_windows_ms[i];
    CounterSpec spec{cr.policy->counters[i], window_ms * 1'000'000};
    CounterDeclared d = e.counters->Declare(spec);
    if (d.status != CounterStatus::kOk) {
      result->rendered += "mixtral: counter `" + spec.name + "` (window " +
                          std::to_string(window_ms) +
                          " ms) cannot be declared: " + CounterStatusName(d.status) + "\n";
      ++result->errors;
      return nullptr;
    }
    v->counter_ids.push_back(d.id);
  }

  const bool want_jit = e.options.engine == EngineKind::kJit ||
                        (e.options.engine == EngineKind::kAuto && JitAvailable());
  if (want_jit) {
    if (!JitAvailable()) {
      result->rendered += "mixtral: the JIT was requested, but this build has no JIT\n";
      ++result->errors;
      return nullptr;
    }
    if (!e.jit_session) {
      std::string error;
      e.jit_session = NewJitSession(&error);
      if (!e.jit_session) {
        result->rendered += "mixtral: cannot start the JIT: " + error + "\n";
        ++result->errors;
        return nullptr;
      }
    }
    JitCompileOptions jo;
    jo.no_fallback = e.options.no_fallback;
    JitCompileResult jr = CompileJit(e.jit_session, cr.policy, jo);
    if (!jr.policy) {
      result->rendered += "mixtral: " + jr.error + "\n";
      for (const auto& [range, what] : jr.not_lowered)
        result->rendered += "  " + std::to_string(range.begin.line) + ":" +
                            std::to_string(range.begin.col) + ": " + what + "\n";
      ++result->errors;
      return nullptr;
    }
    v->jit = jr.policy;
    v->compact = JitCompactEligible(*jr.policy);
  }
  return v;
}

}  // namespace mixtral
