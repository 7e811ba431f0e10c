#include "codegen/session.h"

#include <cstdlib>

namespace mixtral::codegen {
namespace {

std::string ErrorText(llvm::Error e) {
  std::string s;
  llvm::handleAllErrors(std::move(e),
                        [&](const llvm::ErrorInfoBase& info) { s += info.message(); });
  return s;
}

}  // namespace

std::unique_ptr<Session> Session::Create(std::string* error) {
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
  auto s = std::unique_ptr<Session>(new Session());
  s->jit_ = std::move(*jit);
  s->tm_ = std::move(*tm);
  return s;
}

std::string Session::NextPrefix() {
  std::lock_guard<std::mutex> lock(mu_);
  return "mx" + std::to_string(next_++) + "_";
}

llvm::orc::ResourceTrackerSP Session::Add(std::unique_ptr<llvm::Module> module,
                                          std::unique_ptr<llvm::LLVMContext> context,
                                          std::string* error) {
  module->setDataLayout(jit_->getDataLayout());
  module->setTargetTriple(jit_->getTargetTriple().str());
  if (std::getenv("MIXTRAL_DUMP_IR")) module->print(llvm::errs(), nullptr);
  if (llvm::verifyModule(*module, &llvm::errs())) {
    *error = "internal: generated IR does not verify";
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm_.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(*module, mam);
  }
  auto tracker = jit_->getMainJITDylib().createResourceTracker();
  if (auto err = jit_->addIRModule(
          tracker, llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    *error = ErrorText(std::move(err));
    return nullptr;
  }
  return tracker;
}

void* Session::Lookup(const std::string& name, std::string* error) {
  auto addr = jit_->lookup(name);
  if (!addr) {
    *error = ErrorText(addr.takeError());
    return nullptr;
  }
  return addr->toPtr<void*>();
}

}  // namespace mixtral::codegen
