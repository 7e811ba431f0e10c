// The JIT's compiled-object cache (jit.h) and the front end's CompileCache
// (compiler.h): hits on identical source, misses on any change that reaches
// the compiled code (a single constant included), decisions from a cached
// object equal to a fresh compile's, and a disk cache that never trusts a
// file whose header or checksum does not match.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "mixtral/compiler/compiler.h"
#include "mixtral/compiler/interpreter.h"
#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/inputs.h"

namespace {

namespace fs = std::filesystem;
using mixtral::JitCacheSource;

// %d is the queue bound, so two policies can differ in one constant only.
constexpr const char* kPolicy = R"(policy cache_test version "1"
type Tier = enum { free, pro }
request {
  tier: Tier
  budget_ms: int
}
target attributes {
  cost: float
  gpu: bool
}
telemetry per target {
  p95_ms: float
  queue: int
}
target a { cost: 3.0, gpu: true }
target b { cost: 1.0, gpu: false }
target c { cost: 2.0, gpu: true }
route main {
  require latency: telemetry.p95_ms <= request.budget_ms
  require queue: telemetry.queue < %d
  forbid free_gpu: request.tier == free and target.gpu
  minimize cost: target.cost weight (request.tier == pro ? 2.0 : 1.0)
  minimize latency: telemetry.p95_ms weight 0.01
  fallback 1
}
)";

constexpr const char* kSnapshot = R"({"taken_at": 0, "targets": [
  {"name": "a", "p95_ms": 100.0, "queue": 10},
  {"name": "b", "p95_ms": 400.0, "queue": 50},
  {"name": "c", "p95_ms": 150.0, "queue": 30}]})";

const char* const kRequests[] = {
    R"({"tier": "pro", "budget_ms": 500})",  R"({"tier": "free", "budget_ms": 500})",
    R"({"tier": "pro", "budget_ms": 120})",  R"({"tier": "free", "budget_ms": 200})",
    R"({"tier": "pro", "budget_ms": 1000})",
};

std::string Source(int queue_bound) {
  char text[2048];
  std::snprintf(text, sizeof text, kPolicy, queue_bound);
  return text;
}

std::shared_ptr<const mixtral::Policy> Compile(const std::string& source) {
  mixtral::CompileResult cr = mixtral::CompileSource("cache_test.mxl", source);
  REQUIRE(cr.policy);
  return cr.policy;
}

std::shared_ptr<mixtral::JitSession> Session(mixtral::JitSessionOptions options = {}) {
  std::string error;
  auto s = mixtral::NewJitSession(options, &error);
  REQUIRE_MESSAGE(s, error);
  return s;
}

mixtral::JitCompileResult Jit(const std::shared_ptr<mixtral::JitSession>& session,
                              std::shared_ptr<const mixtral::Policy> policy) {
  mixtral::JitCompileOptions o;
  o.no_fallback = true;
  mixtral::JitCompileResult r = mixtral::CompileJit(session, std::move(policy), o);
  REQUIRE_MESSAGE(r.policy, r.error);
  return r;
}

// A decision as JSON without its policy_hash, which differs between any two
// policies: what is left comes from the compiled code and the pipeline.
std::string WithoutHash(std::string json) {
  const std::string key = "\"policy_hash\":\"";
  size_t at = json.find(key);
  REQUIRE(at != std::string::npos);
  size_t end = json.find('"', at + key.size());
  json.erase(at, end + 1 - at);
  return json;
}

// Every request's decision, with the full explanation, as JSON.
std::vector<std::string> Decide(const mixtral::JitPolicy& jp) {
  const mixtral::Policy& policy = mixtral::JitSource(jp);
  mixtral::BoundSnapshot snapshot;
  REQUIRE_FALSE(mixtral::BindSnapshotJson(policy, kSnapshot, std::nullopt, &snapshot));
  mixtral::JitFrame frame;
  frame.SetSnapshot(jp, snapshot);
  std::vector<std::string> out;
  for (const char* text : kRequests) {
    mixtral::BoundRequest request;
    REQUIRE_FALSE(mixtral::BindRequestJson(policy, text, {}, &request));
    out.push_back(
        WithoutHash(mixtral::DecisionToJson(mixtral::EvaluateJit(jp, frame, request, 0, {}))));
  }
  return out;
}

std::vector<std::string> Interpret(const mixtral::Policy& policy) {
  mixtral::BoundSnapshot snapshot;
  REQUIRE_FALSE(mixtral::BindSnapshotJson(policy, kSnapshot, std::nullopt, &snapshot));
  std::vector<std::string> out;
  for (const char* text : kRequests) {
    mixtral::BoundRequest request;
    REQUIRE_FALSE(mixtral::BindRequestJson(policy, text, {}, &request));
    out.push_back(
        WithoutHash(mixtral::DecisionToJson(mixtral::Evaluate(policy, request, snapshot, 0, {}))));
  }
  return out;
}

// A fresh directory under the system's temporary folder, removed afterwards.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "mixtral-jit-cache-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<fs::path> Objects() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(path))
      if (e.path().extension() == ".mxo") out.push_back(e.path());
    return out;
  }
  fs::path path;
};

void Corrupt(const fs::path& file, std::streamoff offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  f.seekp(offset);
  c = static_cast<char>(c ^ 0x5a);
  f.write(&c, 1);
}

}  // namespace

TEST_CASE("the object cache hits on identical source and shares no state between loads") {
  if (!mixtral::JitAvailable()) return;
  auto session = Session();
  const std::string source = Source(40);
  mixtral::JitCompileResult first = Jit(session, Compile(source));
  CHECK(first.cache == JitCacheSource::kCompiled);
  CHECK(first.optimize_ms > 0);
  // Compiled again from the same text: a new Policy object, the same code.
  mixtral::JitCompileResult second = Jit(session, Compile(source));
  CHECK(second.cache == JitCacheSource::kMemory);
  CHECK(second.cache_key == first.cache_key);
  CHECK(second.optimize_ms == 0);
  CHECK(second.codegen_ms == 0);
  mixtral::JitCacheStats stats = mixtral::GetJitCacheStats(*session);
  CHECK(stats.misses == 1);
  CHECK(stats.memory_hits == 1);
  CHECK(stats.entries == 1);

  const std::vector<std::string> fresh = Decide(*first.policy);
  CHECK(fresh == Interpret(*Compile(source)));
  // Freeing the first load must leave the cached one's code intact.
  first.policy.reset();
  CHECK(Decide(*second.policy) == fresh);
}

TEST_CASE("the object cache misses on a policy that differs in one constant") {
  if (!mixtral::JitAvailable()) return;
  auto session = Session();
  mixtral::JitCompileResult a = Jit(session, Compile(Source(40)));
  mixtral::JitCompileResult b = Jit(session, Compile(Source(41)));
  CHECK(b.cache == JitCacheSource::kCompiled);
  CHECK(a.cache_key != b.cache_key);
  CHECK(mixtral::GetJitCacheStats(*session).misses == 2);
  // Queues are 10, 50 and 30: a bound of 25 also removes target c, so each
  // load must run its own constant.
  mixtral::JitCompileResult c = Jit(session, Compile(Source(25)));
  CHECK(c.cache == JitCacheSource::kCompiled);
  CHECK(Decide(*c.policy) == Interpret(*Compile(Source(25))));
  CHECK(Decide(*a.policy) == Interpret(*Compile(Source(40))));
  CHECK(Decide(*c.policy) != Decide(*a.policy));
}

TEST_CASE("the in-memory object cache is bounded") {
  if (!mixtral::JitAvailable()) return;
  mixtral::JitSessionOptions options;
  options.cache_entries = 2;
  auto session = Session(options);
  for (int bound : {10, 20, 30}) Jit(session, Compile(Source(bound)));
  mixtral::JitCacheStats stats = mixtral::GetJitCacheStats(*session);
  CHECK(stats.entries == 2);
  CHECK(stats.evictions == 1);
  CHECK(Jit(session, Compile(Source(30))).cache == JitCacheSource::kMemory);
  CHECK(Jit(session, Compile(Source(10))).cache == JitCacheSource::kCompiled);  // evicted
}

TEST_CASE("the disk cache serves later sessions and ignores corrupted files") {
  if (!mixtral::JitAvailable()) return;
  TempDir dir;
  mixtral::JitSessionOptions options;
  options.cache_dir = dir.path.string();
  const std::string source = Source(40);
  std::vector<std::string> fresh;
  {
    auto writer = Session(options);
    mixtral::JitCompileResult r = Jit(writer, Compile(source));
    CHECK(r.cache == JitCacheSource::kCompiled);
    CHECK(mixtral::GetJitCacheStats(*writer).disk_writes == 1);
    fresh = Decide(*r.policy);
  }
  REQUIRE(dir.Objects().size() == 1);
  const fs::path file = dir.Objects()[0];
  CHECK(file.stem().string() == Jit(Session(), Compile(source)).cache_key);

  SUBCASE("an intact file is loaded and decides as a fresh compile") {
    auto reader = Session(options);
    mixtral::JitCompileResult r = Jit(reader, Compile(source));
    CHECK(r.cache == JitCacheSource::kDisk);
    CHECK(mixtral::GetJitCacheStats(*reader).disk_hits == 1);
    CHECK(Decide(*r.policy) == fresh);
  }
  struct Damage {
    const char* what;
    std::streamoff offset;  // into the file; -1 truncates it instead
  };
  const Damage kDamages[] = {
      {"the magic", 0},     {"the key in the header", 20},          {"the payload size", 41},
      {"the checksum", 60}, {"the payload", 8 + 32 + 8 + 64 + 100}, {"a truncated file", -1},
  };
  for (const Damage& d : kDamages) {
    SUBCASE(d.what) {
      if (d.offset < 0)
        fs::resize_file(file, fs::file_size(file) - 1);
      else
        Corrupt(file, d.offset);
      auto reader = Session(options);
      mixtral::JitCompileResult r = Jit(reader, Compile(source));
      CHECK(r.cache == JitCacheSource::kCompiled);
      mixtral::JitCacheStats stats = mixtral::GetJitCacheStats(*reader);
      CHECK(stats.disk_rejected == 1);
      CHECK(stats.disk_writes == 1);  // replaced by a good copy
      CHECK(Decide(*r.policy) == fresh);
      CHECK(Jit(Session(options), Compile(source)).cache == JitCacheSource::kDisk);
    }
  }
  SUBCASE("another policy's object under this key is not trusted") {
    {
      auto other = Session(options);
      Jit(other, Compile(Source(41)));
    }
    REQUIRE(dir.Objects().size() == 2);
    const fs::path other = dir.Objects()[0] == file ? dir.Objects()[1] : dir.Objects()[0];
    fs::copy_file(other, file, fs::copy_options::overwrite_existing);
    auto reader = Session(options);
    mixtral::JitCompileResult r = Jit(reader, Compile(source));
    CHECK(r.cache == JitCacheSource::kCompiled);
    CHECK(mixtral::GetJitCacheStats(*reader).disk_rejected == 1);
    CHECK(Decide(*r.policy) == fresh);
  }
}

TEST_CASE("the front-end cache hits on the same bytes and re-reads every import") {
  std::map<std::string, std::string> files = {
      {"dir/main.mxl",
       "policy p version \"1\"\nimport \"lib.mxl\"\ntarget t { }\nroute r { require ok: "
       "LIMIT > 1 }\n"},
      {"dir/lib.mxl", "let LIMIT = 2\n"},
  };
  mixtral::CompileOptions options;
  options.read_file = [&](const std::string& path) -> std::optional<std::string> {
    auto it = files.find(fs::path(path).lexically_normal().generic_string());
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  options.cache = std::make_shared<mixtral::CompileCache>(4);
  mixtral::CompileResult first = mixtral::CompileFile("dir/main.mxl", options);
  REQUIRE_MESSAGE(
      first.policy,
      (first.diagnostics.items().empty() ? std::string() : first.diagnostics.items()[0].message));
  CHECK_FALSE(first.from_cache);
  CHECK(first.timings.parse_ms > 0);

  mixtral::CompileResult again = mixtral::CompileFile("dir/main.mxl", options);
  CHECK(again.from_cache);
  CHECK(again.policy == first.policy);
  CHECK(options.cache->stats().hits == 1);

  // Only an import changes: the root's bytes are the same, yet it must miss.
  files["dir/lib.mxl"] = "let LIMIT = 0\n";
  mixtral::CompileResult edited = mixtral::CompileFile("dir/main.mxl", options);
  REQUIRE(edited.policy);
  CHECK_FALSE(edited.from_cache);
  CHECK(edited.policy->hash != first.policy->hash);
  CHECK(options.cache->stats().misses == 2);
  CHECK(mixtral::CompileFile("dir/main.mxl", options).from_cache);
}
