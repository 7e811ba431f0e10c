#include "audit/log_sink.h"

#include <fcntl.h>

#include <cerrno>
#include <filesystem>

#include "audit/chain.h"
#include "mixtral/runtime/audit.h"

namespace mixtral::audit {
namespace {

// Big enough to amortise write(2) over hundreds of records, small enough
// that a burst never holds much in memory.
constexpr size_t kWriteChunk = 256 * 1024;

}  // namespace

LogSink::LogSink(AuditFileLayer* files, std::string log, uint64_t rotate_bytes, bool sync_files,
                 Stats* stats)
    : files_(files),
      log_(std::move(log)),
      rotate_bytes_(rotate_bytes),
      sync_files_(sync_files),
      stats_(stats) {
  const std::filesystem::path p(log_);
  dir_ = p.has_parent_path() ? p.parent_path().string() : ".";
}

LogSink::~LogSink() { Close(); }

bool LogSink::Fail(std::string_view what, int negative_errno) {
  error_ = std::string(what) + " " + AuditFileName(log_, index_) + ": " + ErrnoText(negative_errno);
  return false;
}

bool LogSink::Open(uint64_t index, uint64_t size) {
  Close();
  index_ = index;
  file_bytes_ = size;
  const std::string name = AuditFileName(log_, index);
  const int fd = files_->Open(name.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    return Fail("cannot open", fd);
  }
  fd_ = fd;
  if (size == 0 && sync_files_) {
    // The file may be new: its directory entry must survive a crash too.
    if (const int r = files_->SyncDir(dir_.c_str()); r < 0) {
      error_ = "cannot sync directory " + dir_ + ": " + ErrnoText(r);
      return false;
    }
  }
  return true;
}

bool LogSink::Rotate() {
  if (!Sync()) {
    return false;
  }
  if (!Open(index_ + 1, 0)) {
    return false;
  }
  Stats::Bump(stats_->rotations);
  return true;
}

bool LogSink::Append(std::string_view line, bool entry) {
  const uint64_t in_file = file_bytes_ + buffer_.size();
  if (rotate_bytes_ > 0 && in_file > 0 && in_file + line.size() + 1 > rotate_bytes_) {
    if (!Rotate()) {
      if (entry) {
        Stats::Bump(stats_->dropped);
      }
      return false;
    }
  }
  buffer_.append(line);
  buffer_.push_back('\n');
  lines_.push_back({buffer_.size(), entry});
  if (buffer_.size() >= kWriteChunk) {
    return WriteOut();
  }
  return true;
}

bool LogSink::WriteOut() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const long n = files_->Write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n <= 0) {
      // What was written stays: the file now ends in a torn line, which the
      // next writer to open the log recovers from. The rest is lost.
      for (const LineEnd& l : lines_) {
        if (l.end <= done) {
          Stats::Bump(stats_->records_written);
        } else if (l.entry) {
          Stats::Bump(stats_->dropped);
        }
      }
      lines_.clear();
      buffer_.clear();
      return Fail("cannot write", n < 0 ? static_cast<int>(n) : -EIO);
    }
    done += static_cast<size_t>(n);
    file_bytes_ += static_cast<uint64_t>(n);
    Stats::Bump(stats_->bytes, static_cast<uint64_t>(n));
    dirty_ = true;
  }
  Stats::Bump(stats_->records_written, lines_.size());
  lines_.clear();
  buffer_.clear();
  return true;
}

bool LogSink::Sync() {
  if (!WriteOut()) {
    return false;
  }
  if (!dirty_ || !sync_files_) {
    return true;
  }
  if (const int r = files_->Fdatasync(fd_); r < 0) {
    return Fail("cannot fdatasync", r);
  }
  Stats::Bump(stats_->syncs);
  dirty_ = false;
  return true;
}

void LogSink::Close() {
  if (fd_ >= 0) {
    files_->Close(fd_);
    fd_ = -1;
  }
}

}  // namespace mixtral::audit
