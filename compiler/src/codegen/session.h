// A KaleidoscopeJIT-shaped wrapper around ORC's LLJIT, split into the stages
// that CompileJit times and caches separately:
//   KeyFor   the object-cache key of a lowered module;
//   Compile  optimisation and machine code, giving relocatable object bytes;
//   Load     links object bytes into a fresh JITDylib under its own
//            ResourceTracker, so that unloading one policy version frees
//            exactly its code, and cached objects (which all use the same
//            symbol names) never collide.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "codegen/llvm_shim.h"
#include "codegen/object_cache.h"

namespace mixtral::codegen {

// Bump when KernelCtx, KernelOut, Slot or any helper the kernels call changes
// meaning without changing the generated IR: it is part of every cache key.
inline constexpr uint32_t kHelperAbiVersion = 6;

struct Loaded {
  llvm::orc::JITDylib* dylib = nullptr;
  llvm::orc::ResourceTrackerSP tracker = nullptr;
};

class Session {
 public:
  // nullptr and *error set when the host cannot JIT.
  static std::unique_ptr<Session> Create(const JitSessionOptions& options, std::string* error);

  // SHA-256 over the module's IR and what else decides its machine code: the
  // LLVM version, target triple, CPU and features, optimisation pipeline and
  // helper ABI. Sets the module's data layout and triple first.
  ObjectKey KeyFor(llvm::Module& module);
  // Optimizes and compiles the module. Null with *error set on failure.
  ObjectBytes Compile(llvm::Module& module, double* optimize_ms, double* codegen_ms,
                      std::string* error);
  // Links an object into a new JITDylib. dylib null with *error on failure.
  Loaded Load(const ObjectBytes& object, std::string* error);
  void* Lookup(const Loaded& loaded, const std::string& name, std::string* error);
  // Frees a loaded object's code and its JITDylib.
  void Unload(Loaded& loaded);

  ObjectCache& cache() { return cache_; }

 private:
  explicit Session(const JitSessionOptions& options);
  ObjectCache cache_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::string key_prefix_;  // the environment half of every key
  std::mutex mu_;           // guards tm_ (optimisation, codegen) and next_
  uint64_t next_ = 0;       // JITDylib names
};

}  // namespace mixtral::codegen
