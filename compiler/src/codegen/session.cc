#include "codegen/session.h"

#include <chrono>
#include <cstdlib>

#include "codegen/frame.h"

namespace mixtral::codegen {
namespace {

std::string ErrorText(llvm::Error e) {
  std::string s;
  llvm::handleAllErrors(std::move(e),
                        [&](const llvm::ErrorInfoBase& info) { s += info.message(); });
  return s;
}

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Names the optimisation pipeline in cache keys; change it with RunPipeline.
constexpr const char* kPipeline =
    "sroa early-cse instcombine simplifycfg reassociate loop(rotate licm) instcombine "
    "simplifycfg; codegen Default, fp-fusion strict";

// The few passes the kernels need, instead of the O2 pipeline: promote the
// per-function scratch to registers, fold the constant presence bits,
// simplify the rule chains, and hoist what depends only on the request out
// of the loop over targets. route16: optimisation 8.7 -> 2.1 ms, with the
// same decision speed as O2 (O2's vectorizers and unrolling only added
// compile time for loops over a handful of targets with early exits).
// Reassociate touches integers and booleans only: the IR carries no
// fast-math flags, so floats stay exactly as written (contract §5).
void RunPipeline(llvm::Module& module, llvm::TargetMachine* tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::FunctionPassManager fpm;
  fpm.addPass(llvm::SROAPass(llvm::SROAOptions::ModifyCFG));
  fpm.addPass(llvm::EarlyCSEPass(/*UseMemorySSA=*/true));
  fpm.addPass(llvm::InstCombinePass());
  fpm.addPass(llvm::SimplifyCFGPass());
  fpm.addPass(llvm::ReassociatePass());
  llvm::LoopPassManager lpm;
  lpm.addPass(llvm::LoopRotatePass());
  lpm.addPass(llvm::LICMPass(llvm::LICMOptions()));
  fpm.addPass(llvm::createFunctionToLoopPassAdaptor(std::move(lpm), /*UseMemorySSA=*/true));
  fpm.addPass(llvm::InstCombinePass());
  fpm.addPass(llvm::SimplifyCFGPass());
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
  mpm.run(module, mam);
}

}  // namespace

Session::Session(const JitSessionOptions& options)
    : cache_(options.cache_entries, options.cache_dir) {}

std::unique_ptr<Session> Session::Create(const JitSessionOptions& options, std::string* error) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    *error = ErrorText(jtmb.takeError());
    return nullptr;
  }
  // Contract §5: no FMA contraction, whatever the CPU offers.
  jtmb->getOptions().AllowFPOpFusion = llvm::FPOpFusion::Strict;
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    *error = ErrorText(tm.takeError());
    return nullptr;
  }
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) {
    *error = ErrorText(jit.takeError());
    return nullptr;
  }
  auto s = std::unique_ptr<Session>(new Session(options));
  s->jit_ = std::move(*jit);
  s->tm_ = std::move(*tm);
  s->key_prefix_ = "mixtral-jit helper-abi " + std::to_string(kHelperAbiVersion) + "\nllvm " +
                   LLVM_VERSION_STRING + "\ntriple " + s->tm_->getTargetTriple().str() + "\ncpu " +
                   s->tm_->getTargetCPU().str() + "\nfeatures " +
                   s->tm_->getTargetFeatureString().str() + "\npipeline " + kPipeline + "\n\n";
  return s;
}

ObjectKey Session::KeyFor(llvm::Module& module) {
  module.setDataLayout(jit_->getDataLayout());
  module.setTargetTriple(jit_->getTargetTriple().str());
  std::string ir;
  llvm::raw_string_ostream os(ir);
  module.print(os, nullptr);
  os.flush();
  llvm::SHA256 sha;
  sha.update(key_prefix_);
  sha.update(ir);
  std::array<uint8_t, 32> digest = sha.final();
  ObjectKey key;
  std::copy(digest.begin(), digest.end(), key.begin());
  return key;
}

ObjectBytes Session::Compile(llvm::Module& module, double* optimize_ms, double* codegen_ms,
                             std::string* error) {
  if (std::getenv("MIXTRAL_DUMP_IR")) module.print(llvm::errs(), nullptr);
  if (llvm::verifyModule(module, &llvm::errs())) {
    *error = "internal: generated IR does not verify";
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto start = std::chrono::steady_clock::now();
  RunPipeline(module, tm_.get());
  *optimize_ms = MsSince(start);
  if (std::getenv("MIXTRAL_DUMP_IR")) module.print(llvm::errs(), nullptr);
  start = std::chrono::steady_clock::now();
  auto buffer = llvm::orc::SimpleCompiler(*tm_)(module);
  *codegen_ms = MsSince(start);
  if (!buffer) {
    *error = ErrorText(buffer.takeError());
    return nullptr;
  }
  return std::make_shared<const std::string>((*buffer)->getBuffer().str());
}

Loaded Session::Load(const ObjectBytes& object, std::string* error) {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    name = "mixtral_policy" + std::to_string(next_++);
  }
  auto jd = jit_->createJITDylib(name);
  if (!jd) {
    *error = ErrorText(jd.takeError());
    return Loaded();
  }
  // The helpers that compiled code calls (frame.h), by absolute address:
  // resolved at link time, so cached objects stay position independent.
  llvm::orc::SymbolMap helpers;
  auto define = [&](const char* symbol, auto* fn) {
    helpers[jit_->mangleAndIntern(symbol)] = llvm::orc::ExecutorSymbolDef(
        llvm::orc::ExecutorAddr::fromPtr(fn),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  };
  define(kSplitBucketSymbol, &mixtral_jit_split_bucket);
  define(kBinarySymbol, &mixtral_jit_binary);
  define(kIndexSymbol, &mixtral_jit_index);
  define(kCallSymbol, &mixtral_jit_call);
  define(kCounterSymbol, &mixtral_jit_counter);
  define(kCollectionSymbol, &mixtral_jit_collection);
  define(kSpreadBucketSymbol, &mixtral_jit_spread_bucket);
  define(kSameStringSymbol, &mixtral_jit_same_string);
  define(kRendezvousSymbol, &mixtral_jit_rendezvous);
  if (auto err = jd->define(llvm::orc::absoluteSymbols(std::move(helpers)))) {
    *error = ErrorText(std::move(err));
    llvm::cantFail(jit_->getExecutionSession().removeJITDylib(*jd));
    return Loaded();
  }
  Loaded loaded{&*jd, jd->createResourceTracker()};
  if (auto err = jit_->addObjectFile(loaded.tracker,
                                     llvm::MemoryBuffer::getMemBufferCopy(*object, name))) {
    *error = ErrorText(std::move(err));
    Unload(loaded);
    return Loaded();
  }
  return loaded;
}

void* Session::Lookup(const Loaded& loaded, const std::string& name, std::string* error) {
  auto addr = jit_->lookup(*loaded.dylib, name);
  if (!addr) {
    *error = ErrorText(addr.takeError());
    return nullptr;
  }
  return addr->toPtr<void*>();
}

void Session::Unload(Loaded& loaded) {
  if (!loaded.dylib) return;
  // The tracker frees the code; removing the dylib drops its emptied symbol table.
  llvm::cantFail(loaded.tracker->remove());
  llvm::cantFail(jit_->getExecutionSession().removeJITDylib(*loaded.dylib));
  loaded = Loaded();
}

}  // namespace mixtral::codegen
