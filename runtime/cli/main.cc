// bin/mixtral: the command-line front end. Exit codes follow contract §9:
// 0 ok, 1 the user's input is wrong, 2 usage, 3 internal error.
#include <cstring>
#include <exception>
#include <iostream>

#include "common.h"

namespace {

constexpr const char* kUsage =
    "mixtral: policy-as-code routing for ML inference\n"
    "\n"
    "usage: mixtral <command> [options]\n"
    "\n"
    "commands:\n"
    "  check FILE... [--werror] [--cost] [--max-cost N]  type-check policies; worst-case cost\n"
    "  eval --policy FILE ...         decide requests against a telemetry snapshot\n"
    "  fmt [-i | --check] FILE...     format policies canonically\n"
    "  test FILE|DIR... [--min-coverage N]  run policy tests, report rule coverage\n"
    "  bench --policy FILE ...        measure decisions per second and latency\n"
    "  audit verify FILE... [--strict] [--json]  check an audit log's hash chain\n"
    "  replay --policy FILE [--json] LOG...  re-decide an audit log's decisions, count changes\n"
    "  help                           show this text\n"
    "\n"
    "Run `mixtral <command> --help` for a command's options.\n";

int Dispatch(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return mixtral::cli::kUsage;
  }
  std::string cmd = argv[1];
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) {
      std::cout << kUsage;
      return mixtral::cli::kOk;
    }
  }
  if (cmd == "check") return mixtral::cli::CheckCommand(argc, argv);
  if (cmd == "eval") return mixtral::cli::EvalCommand(argc, argv);
  if (cmd == "fmt") return mixtral::cli::FmtCommand(argc, argv);
  if (cmd == "test") return mixtral::cli::TestCommand(argc, argv);
  if (cmd == "bench") return mixtral::cli::BenchCommand(argc, argv);
  if (cmd == "audit") return mixtral::cli::AuditCommand(argc, argv);
  if (cmd == "replay") return mixtral::cli::ReplayCommand(argc, argv);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::cout << kUsage;
    return mixtral::cli::kOk;
  }
  std::cerr << "mixtral: unknown command `" << cmd << "`\n\n" << kUsage;
  return mixtral::cli::kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    return Dispatch(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mixtral: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "mixtral: internal error\n";
  }
  return mixtral::cli::kInternal;
}
