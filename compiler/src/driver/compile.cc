// The compile driver: the one place that lists the front end's passes, in
// order. Each pass lives in its own folder; this file only sequences them.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "check/checker.h"
#include "driver/compile_cache.h"
#include "driver/policy_hash.h"
#include "ir/policy_ir.h"
#include "mixtral/compiler/compiler.h"
#include "mixtral/stdlib/bytes.h"
#include "parse/parse.h"
#include "passes/derived.h"
#include "passes/validate.h"

namespace mixtral {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxImportedFiles = 256;

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Reads at most one byte past the policy limit: enough for the front end to
// report E0004, and an import of /dev/zero cannot exhaust memory.
std::optional<std::string> ReadFromDisk(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(parse::kMaxPolicyBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return std::nullopt;
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

class Driver {
 public:
  Driver(const CompileOptions& options, CompileResult* out)
      : options_(options), out_(*out), ir_(std::make_shared<internal::PolicyIR>()) {
    read_ = options.read_file ? options.read_file : ReadFromDisk;
  }

  void Run(const std::string& path, std::string text) {
    root_dir_ = fs::path(path).parent_path();
    auto start = std::chrono::steady_clock::now();
    bool loaded = Load(path, std::move(text), /*is_root=*/true);
    out_.timings.parse_ms = MsSince(start);
    if (!loaded) return;
    Dump("parse");
    start = std::chrono::steady_clock::now();
    Check();
    out_.timings.check_ms = MsSince(start);
  }

  // Every import read, as (path given to the reader, SHA-256 of its bytes).
  const std::vector<std::pair<std::string, std::string>>& imports() const { return imports_; }

 private:
  void Check() {
    auto policy = std::make_shared<Policy>();
    check::Checker checker(policy.get(), ir_.get(), &out_.diagnostics);
    checker.Run();
    Dump("check");
    if (out_.diagnostics.has_errors()) return;
    passes::Validate(*policy, *ir_, &out_.diagnostics);
    Dump("validate");
    if (out_.diagnostics.has_errors()) return;
    passes::FindDerivedExprs(*policy, ir_.get());
    policy->hash = driver::PolicyHash(hashed_);
    policy->ir = ir_;
    out_.policy = std::move(policy);
  }

  // Parses a file and, depth first, everything it imports.
  bool Load(const std::string& path, std::string text, bool is_root) {
    std::string key = fs::weakly_canonical(fs::path(path)).string();
    uint32_t file = out_.sources.Add(path, std::move(text));
    const std::string& body = out_.sources.text(file);
    hashed_.emplace_back(fs::path(path).lexically_relative(root_dir_).generic_string(), body);
    if (!is_root) imports_.emplace_back(path, Sha256Hex(body));
    loaded_.insert(key);
    stack_.push_back(key);
    size_t first_import = ir_->program.imports.size();
    bool ok = parse::ParseFile(file, body, is_root, &ir_->program, &out_.diagnostics);
    std::vector<ast::ImportDecl> imports(ir_->program.imports.begin() + first_import,
                                         ir_->program.imports.end());
    for (const ast::ImportDecl& imp : imports) {
      if (fs::path(imp.path).is_absolute()) {
        // A policy and its imports move together: paths are relative.
        out_.diagnostics.Error(
            "E0105", imp.range,
            "import `" + imp.path + "` is absolute; write it relative to this file");
        ok = false;
        continue;
      }
      fs::path target = fs::path(path).parent_path() / imp.path;
      std::string tkey = fs::weakly_canonical(target).string();
      if (std::find(stack_.begin(), stack_.end(), tkey) != stack_.end()) {
        out_.diagnostics.Error("E0106", imp.range,
                               "import cycle: `" + imp.path + "` imports this file again");
        ok = false;
        continue;
      }
      if (loaded_.count(tkey)) continue;  // each file once
      if (loaded_.size() >= kMaxImportedFiles) {
        out_.diagnostics.Error("E0105", imp.range, "more than 256 files imported");
        ok = false;
        continue;
      }
      std::optional<std::string> bytes = read_(target.string());
      if (!bytes) {
        out_.diagnostics.Error("E0105", imp.range,
                               "cannot read imported file `" + target.string() + "`");
        ok = false;
        continue;
      }
      ok &= Load(target.string(), std::move(*bytes), false);
    }
    stack_.pop_back();
    return ok && !out_.diagnostics.has_errors();
  }

  void Dump(const std::string& pass) {
    if (options_.dump_after != pass) return;
    const ast::Program& p = ir_->program;
    std::cerr << "== IR after " << pass << " ==\n";
    for (const ast::Route& r : p.routes) {
      std::cerr << "route " << r.name << "\n";
      for (const ast::Rule& rule : r.rules)
        std::cerr << "  " << (rule.forbid ? "forbid " : "require ") << rule.name << ": "
                  << ast::PrintExpr(p, rule.cond) << "\n";
      for (const ast::Objective& o : r.objectives)
        std::cerr << "  " << (o.maximize ? "maximize " : "minimize ") << o.name << ": "
                  << ast::PrintExpr(p, o.value)
                  << (o.weight != ast::kNoExpr ? " weight " + ast::PrintExpr(p, o.weight) : "")
                  << "\n";
    }
  }

  const CompileOptions& options_;
  CompileResult& out_;
  std::shared_ptr<internal::PolicyIR> ir_;
  std::function<std::optional<std::string>(const std::string&)> read_;
  fs::path root_dir_;
  std::set<std::string> loaded_;
  std::vector<std::string> stack_;
  std::vector<std::pair<std::string, std::string>> hashed_;
  std::vector<std::pair<std::string, std::string>> imports_;
};

}  // namespace

const std::vector<std::string>& PassNames() {
  static const std::vector<std::string> kPasses = {"parse", "check", "validate"};
  return kPasses;
}

CompileResult CompileSource(const std::string& path, std::string text,
                            const CompileOptions& options) {
  const bool use_cache = options.cache && options.dump_after.empty();
  std::string root_sha;
  if (use_cache) {
    root_sha = Sha256Hex(text);
    auto read = options.read_file ? options.read_file : ReadFromDisk;
    if (auto hit = options.cache->impl->Find(path, root_sha, read)) return std::move(*hit);
  }
  CompileResult out;
  std::vector<std::pair<std::string, std::string>> imports;
  try {
    Driver driver(options, &out);
    driver.Run(path, std::move(text));
    imports = driver.imports();
  } catch (const std::exception& e) {
    // A bug in mixtral, not in the policy: say so plainly.
    out.policy.reset();
    out.diagnostics.Error("E0000", SourceRange{},
                          std::string("internal compiler error: ") + e.what());
  }
  // Only successes are kept: a failed compile is cheap to repeat and its
  // diagnostics should always be fresh.
  if (use_cache && out.policy)
    options.cache->impl->Insert(CompileCache::Impl::Entry{path, root_sha, std::move(imports), out});
  return out;
}

CompileResult CompileFile(const std::string& path, const CompileOptions& options) {
  auto read = options.read_file ? options.read_file : ReadFromDisk;
  std::optional<std::string> text = read(path);
  if (!text) {
    CompileResult out;
    out.diagnostics.Error("E0105", SourceRange{}, "cannot read policy file `" + path + "`");
    return out;
  }
  return CompileSource(path, std::move(*text), options);
}

}  // namespace mixtral
