// The file layer under the audit log: the handful of POSIX calls the writer
// makes, behind an interface so that tests can count them. A kill -9 cannot
// tell a write that reached the page cache from one that reached the disk, so
// the only way to prove that `always` syncs every record and `batch` syncs on
// its interval is to count the fdatasync calls.
//
//   class CountingFiles : public mixtral::AuditFileLayer { ... forward to
//       mixtral::PosixAuditFiles(), counting Fdatasync ... };
//   CountingFiles files;
//   mixtral::AuditOptions options;
//   options.files = &files;   // must outlive the writer
//
// Every call returns what its POSIX namesake returns, except that failures
// come back as -errno rather than -1 with errno set, so that an
// implementation shared between threads needs no thread-local state.
// Implementations must be safe for concurrent use: the writer thread and the
// thread that opens or closes the writer may both call them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mixtral {

class AuditFileLayer {
 public:
  virtual ~AuditFileLayer() = default;

  // open(2): a descriptor, or -errno.
  virtual int Open(const char* path, int flags, unsigned mode) = 0;
  // write(2) of at most `size` bytes: the count written, or -errno.
  virtual long Write(int fd, const char* data, size_t size) = 0;
  // pread(2): the count read (0 at the end), or -errno.
  virtual long ReadAt(int fd, char* buf, size_t size, uint64_t offset) = 0;
  // The file's size (fstat), or -errno.
  virtual int64_t Size(int fd) = 0;
  // fdatasync(2) on a log or snapshot file: 0 or -errno.
  virtual int Fdatasync(int fd) = 0;
  // fsync(2) of a directory, so that a file just created or renamed in it
  // survives a crash: 0 or -errno.
  virtual int SyncDir(const char* path) = 0;
  // flock(2): 0 or -errno (-EWOULDBLOCK when LOCK_NB finds it held).
  virtual int Flock(int fd, int operation) = 0;
  // close(2): 0 or -errno.
  virtual int Close(int fd) = 0;
  // rename(2): 0 or -errno.
  virtual int Rename(const char* from, const char* to) = 0;
  // mkdir(2): 0 or -errno (-EEXIST when it exists).
  virtual int MakeDir(const char* path, unsigned mode) = 0;
};

// The real thing: one stateless process-wide instance.
AuditFileLayer& PosixAuditFiles();

}  // namespace mixtral
