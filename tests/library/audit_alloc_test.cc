// An audited decision allocates nothing on the deciding thread once its
// buffers and the audit log's entry pool are warm. Every malloc in the
// process goes through here, but only the deciding thread's are counted: the
// audit writer's thread renders records and may allocate. Each decision is
// flushed to the log before the next, so that the records in flight (and
// with them the entries the pool must hold) are the same in the sizing pass
// and the counted one. (Not under sanitizers: they own malloc.)
//
//   audit_alloc_test POLICY DATA_DIR LOG_DIR
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mixtral/compiler/jit.h"
#include "mixtral/runtime/engine.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {

std::atomic<bool> counting{false};
pthread_t counted_thread;  // written before `counting` is set
std::atomic<size_t> allocations{0};

void Count() {
  if (counting.load(std::memory_order_acquire) && pthread_equal(pthread_self(), counted_thread))
    allocations.fetch_add(1, std::memory_order_relaxed);
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

extern "C" {
void* malloc(size_t n) noexcept {
  Count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) noexcept {
  Count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) noexcept {
  Count();
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t align, size_t n) noexcept {
  Count();
  return __libc_memalign(align, n);
}
void* memalign(size_t align, size_t n) noexcept {
  Count();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, size_t align, size_t n) noexcept {
  Count();
  *out = __libc_memalign(align, n);
  return *out ? 0 : 12;  // ENOMEM
}
void free(void* p) noexcept { __libc_free(p); }
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: audit_alloc_test POLICY DATA_DIR LOG_DIR\n");
    return 2;
  }
  if (!mixtral::JitAvailable()) {
    std::printf("audit_alloc_test: this build has no JIT; the allocation-free path is the JIT's\n");
    return 0;
  }
  const std::string data = argv[2];
  const std::string log = std::string(argv[3]) + "/audit_alloc_test.jsonl";
  std::filesystem::remove(log);
  std::filesystem::remove_all(log + ".snapshots");
  mixtral::AuditOptions ao;
  ao.path = log;
  ao.durability = mixtral::AuditDurability::kNone;
  std::string error;
  std::shared_ptr<mixtral::AuditWriter> writer = mixtral::AuditWriter::Open(ao, &error);
  if (!writer) {
    std::fprintf(stderr, "audit_alloc_test: %s\n", error.c_str());
    return 1;
  }
  mixtral::EngineOptions o;
  o.clock = [] { return int64_t{1735689600000}; };
  o.audit = writer;
  auto engine = mixtral::Engine::Create(o);
  if (!engine->LoadPolicyFile(argv[1]).ok ||
      engine->PublishSnapshot(Read(data + "/telemetry.json"), Read(data + "/targets.json"))) {
    std::fprintf(stderr, "audit_alloc_test: cannot load the policy or the snapshot\n");
    return 1;
  }
  // Requests bound once (their strings are values); `tenant` is set again
  // before each decision, into the request's own buffer, so that both ways a
  // string reaches the record are exercised.
  std::vector<std::unique_ptr<mixtral::EngineRequest>> requests;
  std::vector<std::string> tenants;
  std::istringstream lines(Read(data + "/requests.jsonl"));
  for (std::string line; std::getline(lines, line) && requests.size() < 5000;) {
    requests.push_back(engine->NewRequest());
    if (requests.back()->SetJson(line).code != mixtral::ErrorCode::kOk) return 1;
    tenants.push_back("tenant-" + std::to_string(requests.size() % 97));
  }
  const int tenant = requests.front()->FieldIndex("tenant");
  auto worker = engine->NewWorker();
  mixtral::EngineDecision d;
  bool failed = tenant < 0 || requests.empty();
  counted_thread = pthread_self();
  for (int pass = 0; pass < 2; ++pass) {
    counting.store(pass == 1, std::memory_order_release);  // the first pass sizes every buffer
    for (size_t i = 0; i < requests.size(); ++i) {
      const size_t field = static_cast<size_t>(tenant);
      if (requests[i]->SetString(field, tenants[i]).code != mixtral::ErrorCode::kOk) failed = true;
      if (engine->Decide(*worker, *requests[i], {}, &d).code != mixtral::ErrorCode::kOk)
        failed = true;
      if (!writer->Flush()) failed = true;
    }
    counting.store(false, std::memory_order_release);
  }
  const uint64_t written = writer->counters().records_written;
  std::printf("audit_alloc_test: %zu audited decisions counted, %zu allocations, %llu records\n",
              tenants.size(), allocations.load(), static_cast<unsigned long long>(written));
  worker.reset();
  requests.clear();
  engine.reset();
  writer->Close();
  std::filesystem::remove(log);
  std::filesystem::remove_all(log + ".snapshots");
  if (failed || written != 2 * tenants.size()) {
    std::fprintf(stderr, "audit_alloc_test: decisions or records failed\n");
    return 1;
  }
  return allocations.load() == 0 ? 0 : 1;
}
