#include "codegen/object_cache.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "mixtral/stdlib/bytes.h"

namespace mixtral::codegen {
namespace {

namespace fs = std::filesystem;

// On-disk layout of `<directory>/<key hex>.mxo`:
//   8 bytes  magic, which also versions this layout
//  32 bytes  the key, compared with the one asked for
//   8 bytes  payload size, little-endian
//  64 bytes  SHA-256 of the payload, lowercase hex
//   payload  the relocatable object
constexpr char kMagic[8] = {'M', 'X', 'J', 'I', 'T', 'O', 'B', '1'};
constexpr size_t kHeaderBytes = 8 + 32 + 8 + 64;
// No policy object comes near this; a larger file is not ours.
constexpr uint64_t kMaxObjectBytes = uint64_t{64} << 20;

std::string FileName(const std::string& dir, const ObjectKey& key) {
  return (fs::path(dir) / (KeyHex(key) + ".mxo")).string();
}

}  // namespace

std::string KeyHex(const ObjectKey& key) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : key) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

ObjectCache::ObjectCache(size_t max_entries, std::string directory)
    : max_entries_(max_entries), directory_(std::move(directory)) {}

ObjectBytes ObjectCache::Get(const ObjectKey& key, JitCacheSource* from) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++stats_.memory_hits;
      *from = JitCacheSource::kMemory;
      return it->second->second;
    }
  }
  if (!directory_.empty()) {
    // Read outside the lock: a slow disk must not stall hits on other keys.
    if (ObjectBytes object = ReadFile(key)) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.disk_hits;
      Remember(key, object);
      *from = JitCacheSource::kDisk;
      return object;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.misses;
  *from = JitCacheSource::kCompiled;
  return nullptr;
}

void ObjectCache::Put(const ObjectKey& key, ObjectBytes object) {
  if (!directory_.empty()) WriteFile(key, *object);
  std::lock_guard<std::mutex> lock(mu_);
  Remember(key, std::move(object));
}

JitCacheStats ObjectCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  JitCacheStats s = stats_;
  s.entries = lru_.size();
  return s;
}

void ObjectCache::Remember(const ObjectKey& key, ObjectBytes object) {
  if (max_entries_ == 0) return;
  auto it = index_.find(key);
  if (it != index_.end()) {  // two threads compiled the same policy at once
    it->second->second = std::move(object);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, std::move(object));
  index_[key] = lru_.begin();
  while (lru_.size() > max_entries_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
    ++stats_.evictions;
  }
}

ObjectBytes ObjectCache::ReadFile(const ObjectKey& key) {
  std::ifstream in(FileName(directory_, key), std::ios::binary);
  if (!in) return nullptr;  // not cached: an ordinary miss
  auto reject = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.disk_rejected;
    return nullptr;
  };
  char header[kHeaderBytes];
  if (!in.read(header, kHeaderBytes)) return reject();
  if (std::memcmp(header, kMagic, 8) != 0 || std::memcmp(header + 8, key.data(), 32) != 0)
    return reject();
  uint64_t size = 0;
  for (int i = 7; i >= 0; --i) size = size << 8 | static_cast<uint8_t>(header[40 + i]);
  if (size == 0 || size > kMaxObjectBytes) return reject();
  auto object = std::make_shared<std::string>(size, '\0');
  if (!in.read(object->data(), static_cast<std::streamsize>(size)) || in.peek() != EOF)
    return reject();
  if (Sha256Hex(*object) != std::string_view(header + 48, 64)) return reject();
  return object;
}

void ObjectCache::WriteFile(const ObjectKey& key, const std::string& object) {
  std::error_code ec;
  if (!fs::exists(directory_, ec)) {
    // Loading an object runs its code: a directory we create is ours alone.
    fs::create_directories(directory_, ec);
    if (!ec) fs::permissions(directory_, fs::perms::owner_all, ec);
  }
  if (ec) return;  // a cache that cannot be written is only slower
  uint64_t n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = temp_counter_++;
  }
  // A unique temporary name, then rename: readers see a whole file or none,
  // whichever process or thread writes.
  std::string final_name = FileName(directory_, key);
  std::string temp = final_name + ".tmp." + std::to_string(getpid()) + "." + std::to_string(n);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    char size[8];
    for (int i = 0; i < 8; ++i) size[i] = static_cast<char>(object.size() >> (8 * i));
    std::string digest = Sha256Hex(object);
    out.write(kMagic, 8);
    out.write(reinterpret_cast<const char*>(key.data()), 32);
    out.write(size, 8);
    out.write(digest.data(), 64);
    out.write(object.data(), static_cast<std::streamsize>(object.size()));
    out.close();
    if (!out) {
      fs::remove(temp, ec);
      return;
    }
  }
  fs::rename(temp, final_name, ec);
  if (ec) {
    fs::remove(temp, ec);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.disk_writes;
}

}  // namespace mixtral::codegen
