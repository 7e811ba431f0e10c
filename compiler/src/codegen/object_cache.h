// The compiled-object cache: relocatable machine code for one policy module,
// keyed by ObjectKey (see Session::KeyFor), kept in a bounded in-memory LRU
// and, optionally, in a directory that survives the process.
//
// Correctness rests on the key: it hashes the lowered module itself together
// with everything else that decides the machine code, so equal keys mean
// interchangeable objects. A file read back from disk is trusted only when
// its header names the same key and its payload matches the stored SHA-256;
// anything else is ignored and recompiled.
//
// Thread-safe. No LLVM types: objects are plain bytes.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mixtral/compiler/jit.h"

namespace mixtral::codegen {

using ObjectKey = std::array<uint8_t, 32>;
using ObjectBytes = std::shared_ptr<const std::string>;

std::string KeyHex(const ObjectKey& key);

class ObjectCache {
 public:
  // `max_entries` 0: nothing is kept in memory. `directory` "": no disk cache.
  ObjectCache(size_t max_entries, std::string directory);

  // The object for `key`, or null. Memory first, then disk (a disk hit is
  // then kept in memory too). *from says which answered.
  ObjectBytes Get(const ObjectKey& key, JitCacheSource* from);
  // Remembers a freshly compiled object, evicting the least recently used
  // entry beyond the bound, and writes it through to the directory.
  void Put(const ObjectKey& key, ObjectBytes object);

  JitCacheStats stats() const;

 private:
  ObjectBytes ReadFile(const ObjectKey& key);  // null when absent or untrusted
  void WriteFile(const ObjectKey& key, const std::string& object);
  void Remember(const ObjectKey& key, ObjectBytes object);  // mu_ held

  const size_t max_entries_;
  const std::string directory_;
  mutable std::mutex mu_;
  // Most recently used first; index_ points into it.
  std::list<std::pair<ObjectKey, ObjectBytes>> lru_;
  std::map<ObjectKey, std::list<std::pair<ObjectKey, ObjectBytes>>::iterator> index_;
  JitCacheStats stats_;
  uint64_t temp_counter_ = 0;
};

}  // namespace mixtral::codegen
