// Internal: the writer thread's end of the log files. It buffers lines,
// writes them with as few write(2) calls as it can, syncs when told to, and
// starts the next numbered file when the current one would pass the
// rotation limit. Files are only ever appended to: never renamed, truncated
// or deleted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/stats.h"
#include "mixtral/runtime/audit_files.h"

namespace mixtral::audit {

class LogSink {
 public:
  // `sync_files`: fdatasync a file before leaving it, and the directory after
  // creating one (every durability but kNone).
  LogSink(AuditFileLayer* files, std::string log, uint64_t rotate_bytes, bool sync_files,
          Stats* stats);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // Opens file `index` for appending; `size` bytes are already in it.
  bool Open(uint64_t index, uint64_t size);

  // Buffers one line and its newline, first moving to the next file if the
  // line would take the current one past the rotation limit. A file always
  // takes at least one line, however long. Lines count in records_written
  // once written; an `entry` line that never is counts in dropped.
  bool Append(std::string_view line, bool entry);
  // Writes what is buffered.
  bool WriteOut();
  // WriteOut, then fdatasync if anything was written since the last sync.
  bool Sync();
  bool dirty() const { return dirty_ || !buffer_.empty(); }
  size_t buffered() const { return buffer_.size(); }
  void Close();

  // Why the last call failed, naming the file.
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string_view what, int negative_errno);
  bool Rotate();

  AuditFileLayer* files_;
  std::string log_;
  std::string dir_;
  uint64_t rotate_bytes_;
  bool sync_files_;
  Stats* stats_;
  int fd_ = -1;
  uint64_t index_ = 0;
  uint64_t file_bytes_ = 0;  // written to the current file, buffer excluded
  bool dirty_ = false;       // written since the last fdatasync
  std::string buffer_;
  struct LineEnd {
    size_t end;  // offset in buffer_ just past the newline
    bool entry;
  };
  std::vector<LineEnd> lines_;  // of buffer_
  std::string error_;
};

}  // namespace mixtral::audit
