#include "audit/chain.h"

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "audit/record_parse.h"
#include "mixtral/runtime/audit.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral {

std::string AuditFileName(const std::string& log, uint64_t index) {
  if (index == 0) {
    return log;
  }
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%06llu.jsonl", static_cast<unsigned long long>(index));
  return log + suffix;
}

namespace audit {
namespace {

constexpr size_t kChunk = 64 * 1024;

// The position of the last '\n' before `end`, or -1; reads backwards.
bool FindNewlineBefore(AuditFileLayer& files, int fd, uint64_t end, uint64_t limit, int64_t* pos,
                       std::string* error) {
  std::string buf(kChunk, '\0');
  uint64_t scanned = 0;
  while (end > 0) {
    const uint64_t start = end > kChunk ? end - kChunk : 0;
    const size_t n = static_cast<size_t>(end - start);
    const long got = files.ReadAt(fd, buf.data(), n, start);
    if (got < 0 || static_cast<size_t>(got) != n) {
      *error = got < 0 ? ErrnoText(static_cast<int>(got)) : "file shrank while being read";
      return false;
    }
    for (size_t i = n; i > 0; --i) {
      if (buf[i - 1] == '\n') {
        *pos = static_cast<int64_t>(start + i - 1);
        return true;
      }
    }
    scanned += n;
    if (scanned > limit) {
      *error = "a line is longer than " + std::to_string(limit) + " bytes";
      return false;
    }
    end = start;
  }
  *pos = -1;
  return true;
}

}  // namespace

std::string ErrnoText(int negative_errno) { return std::strerror(-negative_errno); }

bool LastCompleteLine(AuditFileLayer& files, int fd, uint64_t size, std::string* line, bool* found,
                      uint64_t* torn_bytes, std::string* error) {
  *found = false;
  *torn_bytes = 0;
  int64_t last_nl = -1;
  if (!FindNewlineBefore(files, fd, size, kMaxLineBytes, &last_nl, error)) {
    return false;
  }
  *torn_bytes = size - static_cast<uint64_t>(last_nl + 1);
  if (last_nl < 0) {
    return true;
  }
  int64_t prev_nl = -1;
  if (!FindNewlineBefore(files, fd, static_cast<uint64_t>(last_nl), kMaxLineBytes, &prev_nl,
                         error)) {
    return false;
  }
  const uint64_t begin = static_cast<uint64_t>(prev_nl + 1);
  const size_t n = static_cast<size_t>(static_cast<uint64_t>(last_nl) - begin);
  line->assign(n, '\0');
  const long got = n == 0 ? 0 : files.ReadAt(fd, line->data(), n, begin);
  if (got < 0 || static_cast<size_t>(got) != n) {
    *error = got < 0 ? ErrnoText(static_cast<int>(got)) : "file shrank while being read";
    return false;
  }
  *found = true;
  return true;
}

std::vector<uint64_t> ExistingFileIndices(const std::string& log) {
  namespace fs = std::filesystem;
  std::vector<uint64_t> out;
  const fs::path path(log);
  const std::string prefix = path.filename().string() + ".";
  std::error_code ec;
  if (fs::exists(path, ec)) {
    out.push_back(0);
  }
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    constexpr std::string_view kExt = ".jsonl";
    if (name.size() <= prefix.size() + kExt.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - kExt.size(), kExt.size(), kExt) != 0) {
      continue;
    }
    const std::string digits =
        name.substr(prefix.size(), name.size() - prefix.size() - kExt.size());
    if (digits.size() < 6 || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const uint64_t index = std::stoull(digits);
    if (index > 0 && AuditFileName(log, index) == (dir / name).string()) {
      out.push_back(index);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> ReadChainTail(AuditFileLayer& files, const std::string& log,
                                         ChainTail* out) {
  *out = ChainTail{};
  out->last_hash = std::string(kAuditZeroHash);
  const std::vector<uint64_t> indices = ExistingFileIndices(log);
  if (indices.empty()) {
    return std::nullopt;
  }
  const uint64_t highest = indices.back();
  for (auto it = indices.rbegin(); it != indices.rend(); ++it) {
    const std::string name = AuditFileName(log, *it);
    const int fd = files.Open(name.c_str(), O_RDONLY, 0);
    if (fd < 0) {
      return "cannot read audit log " + name + ": " + ErrnoText(fd);
    }
    const int64_t size = files.Size(fd);
    std::string line;
    bool found = false;
    uint64_t torn = 0;
    std::string error;
    const bool read_ok = size >= 0 && LastCompleteLine(files, fd, static_cast<uint64_t>(size),
                                                       &line, &found, &torn, &error);
    files.Close(fd);
    if (size < 0) {
      return "cannot read audit log " + name + ": " + ErrnoText(static_cast<int>(size));
    }
    if (!read_ok) {
      return "cannot read audit log " + name + ": " + error;
    }
    if (*it == highest) {
      out->append_index = highest;
      out->append_size = static_cast<uint64_t>(size);
    }
    if (torn > 0 && !out->torn_file) {
      out->torn_file = name;
      out->torn_bytes = torn;
      if (*it == highest) {
        out->append_index = highest + 1;
        out->append_size = 0;
      }
    }
    if (!found) {
      continue;
    }
    nlohmann::json record;
    std::string parse_error;
    const nlohmann::json* seq = nullptr;
    if (ParseRecordLine(line, &record, &parse_error)) {
      auto s = record.find("seq");
      if (s != record.end() && s->is_number_unsigned()) {
        seq = &*s;
      }
    }
    if (seq == nullptr || seq->get<uint64_t>() == 0) {
      return "cannot continue the audit chain: the last complete line of " + name +
             " is not an audit record (run `mixtral audit verify`)";
    }
    out->last_seq = seq->get<uint64_t>();
    out->last_hash = Sha256Hex(line);
    break;
  }
  return std::nullopt;
}

}  // namespace audit
}  // namespace mixtral
