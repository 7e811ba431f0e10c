// Internal: reading a log file line by line in bounded memory, telling a
// complete line (ended by '\n') from a torn tail.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace mixtral::audit {

class LineReader {
 public:
  enum class Status {
    kLine,     // *line holds a complete line, without its newline
    kEnd,      // no more bytes
    kTorn,     // the file ends in a line without a newline, of torn_bytes() bytes
    kTooLong,  // a line longer than the limit
    kError,    // a read failed
  };

  // Takes ownership of `file` (may be null: every Next is kError).
  LineReader(std::FILE* file, uint64_t max_line_bytes) : file_(file), max_(max_line_bytes) {}
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  Status Next(std::string* line);
  uint64_t torn_bytes() const { return torn_bytes_; }

 private:
  bool Fill();

  std::FILE* file_;
  uint64_t max_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  bool error_ = false;
  uint64_t torn_bytes_ = 0;
};

}  // namespace mixtral::audit
