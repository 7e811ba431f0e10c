// The real file layer: each call is its POSIX namesake, retried on EINTR,
// with failures as -errno.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "mixtral/runtime/audit_files.h"

namespace mixtral {
namespace {

template <typename F>
auto Retry(F call) {
  for (;;) {
    auto r = call();
    if (r >= 0) {
      return r;
    }
    if (errno != EINTR) {
      return static_cast<decltype(r)>(-errno);
    }
  }
}

class PosixFiles final : public AuditFileLayer {
 public:
  int Open(const char* path, int flags, unsigned mode) override {
    return Retry([&] { return ::open(path, flags | O_CLOEXEC, static_cast<mode_t>(mode)); });
  }
  long Write(int fd, const char* data, size_t size) override {
    return Retry([&] { return static_cast<long>(::write(fd, data, size)); });
  }
  long ReadAt(int fd, char* buf, size_t size, uint64_t offset) override {
    return Retry(
        [&] { return static_cast<long>(::pread(fd, buf, size, static_cast<off_t>(offset))); });
  }
  int64_t Size(int fd) override {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      return -errno;
    }
    return static_cast<int64_t>(st.st_size);
  }
  int Fdatasync(int fd) override {
    return Retry([&] { return ::fdatasync(fd); });
  }
  int SyncDir(const char* path) override {
    const int fd = Open(path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
      return fd;
    }
    const int r = Retry([&] { return ::fsync(fd); });
    ::close(fd);
    return r;
  }
  int Flock(int fd, int operation) override {
    return Retry([&] { return ::flock(fd, operation); });
  }
  int Close(int fd) override {
    // Linux releases the descriptor even when close reports EINTR, so a
    // retry could close a descriptor another thread has just been given.
    return ::close(fd) == 0 ? 0 : -errno;
  }
  int Rename(const char* from, const char* to) override {
    return Retry([&] { return ::rename(from, to); });
  }
  int MakeDir(const char* path, unsigned mode) override {
    return ::mkdir(path, static_cast<mode_t>(mode)) == 0 ? 0 : -errno;
  }
};

}  // namespace

AuditFileLayer& PosixAuditFiles() {
  static PosixFiles files;
  return files;
}

}  // namespace mixtral
