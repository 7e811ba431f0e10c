// C ABI decisions per second on route16, with 1 and 2 threads, through
// libmixtral.so exactly as a proxy links it.
//
//   build/bin/capi_bench examples/route16/route16.mxl bench/route16/data [SECONDS]
//
// Two loops per thread count: "decide" decides requests whose fields were
// set beforehand (one request handle per workload request), and "set+decide"
// sets every field by index and then decides, with one reused handle.
#include <mixtral/mixtral.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Setting {
  int32_t field;
  std::string s;
  bool is_string;
  long long i;
};

std::vector<std::vector<Setting>> Parse(mixtral_request_t* req, const std::string& text) {
  std::vector<std::vector<Setting>> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<Setting> r;
    size_t p = 0;
    while ((p = line.find('"', p)) != std::string::npos) {
      size_t kend = line.find('"', p + 1);
      Setting s{mixtral_request_field_index(req, line.substr(p + 1, kend - p - 1).c_str()), "",
                false, 0};
      p = line.find(':', kend) + 1;
      if (line[p] == '"') {
        size_t vend = line.find('"', p + 1);
        s.s = line.substr(p + 1, vend - p - 1);
        s.is_string = true;
        p = vend + 1;
      } else {
        s.i = std::strtoll(line.c_str() + p, nullptr, 10);
      }
      r.push_back(std::move(s));
    }
    out.push_back(std::move(r));
  }
  return out;
}

void Fill(mixtral_request_t* req, const std::vector<Setting>& r) {
  mixtral_request_clear(req);
  for (const Setting& s : r) {
    if (s.is_string)
      mixtral_request_set_string(req, s.field, s.s.data(), s.s.size());
    else
      mixtral_request_set_int(req, s.field, s.i);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: capi_bench POLICY DATA_DIR [SECONDS]\n");
    return 2;
  }
  const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
  const std::string dir = argv[2];
  std::string telemetry = Read(dir + "/telemetry.json"), inventory = Read(dir + "/targets.json");
  mixtral_engine_t* engine = nullptr;
  mixtral_error_t* err = nullptr;
  if (mixtral_engine_new(MIXTRAL_ENGINE_AUTO, &engine, &err) != MIXTRAL_OK ||
      mixtral_engine_load_policy_file(engine, argv[1], &err) != MIXTRAL_OK ||
      mixtral_engine_publish_snapshot(engine, telemetry.data(), telemetry.size(), inventory.data(),
                                      inventory.size(), &err) != MIXTRAL_OK) {
    std::fprintf(stderr, "capi_bench: %s\n", mixtral_error_message(err));
    return 1;
  }
  mixtral_request_t* probe = nullptr;
  mixtral_request_new(engine, &probe, nullptr);
  const auto requests = Parse(probe, Read(dir + "/requests.jsonl"));
  mixtral_request_free(probe);
  mixtral_decide_options_t o;
  std::memset(&o, 0, sizeof o);
  o.has_now = 1;
  o.now_ms = 1735689600000;  // the snapshot's taken_at: route16's data is from 2025

  std::printf("{\"requests\": %zu, \"results\": [\n", requests.size());
  bool first = true;
  for (int threads : {1, 2}) {
    for (bool set_fields : {false, true}) {
      std::atomic<bool> stop{false};
      std::vector<uint64_t> counts(threads);
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          mixtral_decision_t* dec = nullptr;
          mixtral_decision_new(engine, &dec, nullptr);
          std::vector<mixtral_request_t*> handles(set_fields ? 1 : requests.size());
          for (size_t i = 0; i < handles.size(); ++i) {
            mixtral_request_new(engine, &handles[i], nullptr);
            Fill(handles[i], requests[i]);
          }
          uint64_t n = 0;
          for (size_t i = 0; !stop.load(std::memory_order_relaxed); i = (i + 1) % requests.size()) {
            mixtral_request_t* req = handles[set_fields ? 0 : i];
            if (set_fields) Fill(req, requests[i]);
            mixtral_decide(engine, req, dec, &o);
            ++n;
          }
          counts[t] = n;
          for (auto* h : handles) mixtral_request_free(h);
          mixtral_decision_free(dec);
        });
      }
      auto start = std::chrono::steady_clock::now();
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      stop = true;
      for (auto& th : pool) th.join();
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      uint64_t total = 0;
      for (uint64_t c : counts) total += c;
      double per_s = total / elapsed;
      std::printf(
          "%s  {\"threads\": %d, \"loop\": \"%s\", \"decisions_per_s\": %.0f, "
          "\"ns_per_decision_per_thread\": %.1f}",
          first ? "" : ",\n", threads, set_fields ? "set+decide" : "decide", per_s,
          1e9 * threads / per_s);
      first = false;
    }
  }
  std::printf("\n]}\n");
  mixtral_engine_free(engine);
  return 0;
}
