// `mixtral check FILE...`: compile, report, exit 0 or 1. With --cost, also
// print each route's worst-case operations per decision (docs/COST.md) on
// stdout; with --max-cost N, a route whose figure exceeds N is error E0310.
#include <charconv>
#include <iostream>
#include <optional>

#include "args.h"
#include "common.h"
#include "mixtral/compiler/cost.h"

namespace mixtral::cli {
namespace {

constexpr const char* kCheckUsage =
    "usage: mixtral check FILE... [--werror] [--cost]\n"
    "                     [--targets N] [--list-size N] [--max-cost N]\n"
    "  --werror       treat warnings as errors\n"
    "  --cost         print each route's worst-case operations per decision\n"
    "  --targets N    T for the figure (default: the static targets, or 16 if none)\n"
    "  --list-size N  L for every run-time collection (default 16)\n"
    "  --max-cost N   fail (E0310) when a route's figure exceeds N\n";

constexpr int64_t kDefaultTargets = 16;
constexpr int64_t kDefaultListSize = 16;

struct CostOptions {
  bool print = false;
  std::optional<int64_t> targets;
  int64_t list_size = kDefaultListSize;
  std::optional<int64_t> max_cost;
};

// A whole number >= `min`, written in decimal digits only.
std::optional<int64_t> ParseCount(const std::string& text, int64_t min) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < min) return std::nullopt;
  return v;
}

// 2087 -> "2,087".
std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Prints the routes' costs and reports those over budget. Returns false if
// any route exceeds --max-cost.
bool ReportCost(const std::string& path, const CompileResult& r, const CostOptions& o) {
  const Policy& policy = *r.policy;
  const int64_t targets = o.targets.value_or(
      policy.static_targets.empty() ? kDefaultTargets
                                    : static_cast<int64_t>(policy.static_targets.size()));
  bool within = true;
  for (const RouteCost& c : AnalyzeCost(policy)) {
    const int64_t figure = c.Evaluate(targets, o.list_size);
    std::string at = "at T=" + std::to_string(targets);
    if (c.HasLists()) at += ", L=" + std::to_string(o.list_size);
    if (o.print) {
      std::cout << path << ": route " << c.route << ": " << c.Format()
                << " ops per decision = " << Grouped(figure) << " ops " << at << "\n";
    }
    if (o.max_cost && figure > *o.max_cost) {
      Diagnostic d;
      d.code = "E0310";
      d.range = c.range;
      d.message = "route `" + c.route + "` exceeds --max-cost " + Grouped(*o.max_cost) + ": " +
                  Grouped(figure) + " ops per decision " + at;
      std::cerr << RenderDiagnostic(d, r.sources);
      within = false;
    }
  }
  return within;
}

}  // namespace

int CheckCommand(int argc, char** argv) {
  Args args({"--targets", "--list-size", "--max-cost"}, {"--werror", "--cost"});
  if (auto err = args.Parse(argc, argv, 2)) {
    std::cerr << "mixtral check: " << *err << "\n" << kCheckUsage;
    return kUsage;
  }
  if (args.positional().empty()) {
    std::cerr << kCheckUsage;
    return kUsage;
  }
  CostOptions cost;
  cost.print = args.Has("--cost");
  struct NumberFlag {
    const char* flag;
    int64_t min;
    std::optional<int64_t>* out;
  };
  std::optional<int64_t> list_size;
  for (const NumberFlag& f :
       {NumberFlag{"--targets", 1, &cost.targets}, NumberFlag{"--list-size", 0, &list_size},
        NumberFlag{"--max-cost", 0, &cost.max_cost}}) {
    std::optional<std::string> text = args.Get(f.flag);
    if (!text) continue;
    *f.out = ParseCount(*text, f.min);
    if (!*f.out) {
      std::cerr << "mixtral check: " << f.flag << " needs a whole number >= " << f.min << ", not `"
                << *text << "`\n"
                << kCheckUsage;
      return kUsage;
    }
  }
  if (list_size) cost.list_size = *list_size;
  const bool analyze = cost.print || cost.max_cost;
  if (!analyze && (cost.targets || list_size)) {
    std::cerr << "mixtral check: --targets and --list-size need --cost or --max-cost\n"
              << kCheckUsage;
    return kUsage;
  }

  int failed = 0;
  for (const std::string& path : args.positional()) {
    if (!analyze) {
      if (!CompileReporting(path, args.Has("--werror"))) ++failed;
      continue;
    }
    bool ok = false;
    CompileResult r = CompileAndReport(path, args.Has("--werror"), &ok);
    if (!ok || !ReportCost(path, r, cost)) ++failed;
  }
  std::cerr << "checked " << args.positional().size() << " file"
            << (args.positional().size() == 1 ? "" : "s") << ": " << failed << " failed\n";
  return failed ? kUserError : kOk;
}

}  // namespace mixtral::cli
