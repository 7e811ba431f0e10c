#include "audit/line_reader.h"

#include <cstring>

namespace mixtral::audit {
namespace {

constexpr size_t kChunk = 1 << 20;

}  // namespace

LineReader::~LineReader() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
}

bool LineReader::Fill() {
  if (eof_ || error_) {
    return false;
  }
  buf_.erase(0, pos_);
  pos_ = 0;
  const size_t old = buf_.size();
  buf_.resize(old + kChunk);
  const size_t got = std::fread(buf_.data() + old, 1, kChunk, file_);
  buf_.resize(old + got);
  if (got < kChunk) {
    eof_ = std::feof(file_) != 0;
    error_ = std::ferror(file_) != 0;
  }
  return got > 0;
}

LineReader::Status LineReader::Next(std::string* line) {
  if (file_ == nullptr) {
    return Status::kError;
  }
  size_t scanned = pos_;
  for (;;) {
    const void* nl = std::memchr(buf_.data() + scanned, '\n', buf_.size() - scanned);
    if (nl != nullptr) {
      const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      line->assign(buf_, pos_, end - pos_);
      pos_ = end + 1;
      return Status::kLine;
    }
    if (buf_.size() - pos_ > max_) {
      return Status::kTooLong;
    }
    scanned = buf_.size();
    const size_t before = pos_;
    if (!Fill()) {
      if (error_) {
        return Status::kError;
      }
      if (buf_.size() > pos_) {
        torn_bytes_ = buf_.size() - pos_;
        pos_ = buf_.size();
        return Status::kTorn;
      }
      return Status::kEnd;
    }
    scanned -= before;  // Fill moved the unread bytes to the front
  }
}

}  // namespace mixtral::audit
