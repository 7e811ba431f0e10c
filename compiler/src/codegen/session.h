// A KaleidoscopeJIT-shaped wrapper around ORC's LLJIT. Each compiled policy
// version gets its own ResourceTracker, so replacing a policy frees exactly
// its code once nothing uses it.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "codegen/llvm_shim.h"

namespace mixtral::codegen {

class Session {
 public:
  // nullptr and *error set when the host cannot JIT.
  static std::unique_ptr<Session> Create(std::string* error);

  // Optimizes the module for the host and adds it under a fresh tracker.
  // Returns the tracker, or nullptr with *error set.
  llvm::orc::ResourceTrackerSP Add(std::unique_ptr<llvm::Module> module,
                                   std::unique_ptr<llvm::LLVMContext> context, std::string* error);
  void* Lookup(const std::string& name, std::string* error);
  const llvm::DataLayout& data_layout() const { return jit_->getDataLayout(); }
  const llvm::Triple& triple() const { return jit_->getTargetTriple(); }
  // A process-unique prefix for one policy's symbols.
  std::string NextPrefix();

 private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::mutex mu_;  // guards optimisation and prefix numbering; ORC is itself thread-safe
  uint64_t next_ = 0;
};

}  // namespace mixtral::codegen
