// VerifyAuditLog: checks a log's hash chain across its files (contract §11).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "audit/chain.h"
#include "audit/line_reader.h"
#include "audit/record_parse.h"
#include "mixtral/runtime/audit.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral {
namespace audit {
namespace {

constexpr uint64_t kNoRecord = std::numeric_limits<uint64_t>::max();

bool IsKnownKind(const std::string& kind) {
  return kind == "decision" || kind == "gap" || kind == "charge_adjust" || kind == "recovered";
}

std::string BaseName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string Where(const std::string& file, uint64_t line, uint64_t seq) {
  return file + ":" + std::to_string(line) + " (seq " + std::to_string(seq) + ")";
}

struct FileInfo {
  std::string path;
  size_t arg_index = 0;
  uint64_t first_seq = kNoRecord;  // kNoRecord: no complete line
  uint64_t torn_bytes = 0;         // of a file whose only line is torn
};

// The seq of a file's first line, to order the files by. A problem when the
// file cannot be read or its first line is not a record.
std::optional<AuditProblem> FirstSeq(FileInfo* info) {
  LineReader reader(std::fopen(info->path.c_str(), "rb"), kMaxLineBytes);
  std::string line;
  switch (reader.Next(&line)) {
    case LineReader::Status::kLine:
      break;
    case LineReader::Status::kEnd:
      return std::nullopt;
    case LineReader::Status::kTorn:
      info->torn_bytes = reader.torn_bytes();
      return std::nullopt;
    case LineReader::Status::kTooLong:
      return AuditProblem{info->path, 1, std::nullopt, "line is longer than the limit"};
    case LineReader::Status::kError:
      return AuditProblem{info->path, 0, std::nullopt,
                          std::string("cannot read: ") + std::strerror(errno)};
  }
  nlohmann::json record;
  std::string error;
  if (!ParseRecordLine(line, &record, &error)) {
    return AuditProblem{info->path, 1, std::nullopt, error};
  }
  auto seq = record.find("seq");
  if (seq == record.end() || !seq->is_number_unsigned()) {
    return AuditProblem{info->path, 1, std::nullopt, "no seq (a positive integer)"};
  }
  info->first_seq = seq->get<uint64_t>();
  return std::nullopt;
}

// Walks the lines of the files in chain order.
class ChainChecker {
 public:
  explicit ChainChecker(AuditVerifyResult* result) : r_(result) {
    r_->head_hash = std::string(kAuditZeroHash);
  }

  // False once a problem is found.
  bool CheckFile(const std::string& path);

 private:
  bool Problem(const std::string& file, uint64_t line, std::optional<uint64_t> seq,
               std::string message) {
    r_->broken = AuditProblem{file, line, seq, std::move(message)};
    return false;
  }
  bool CheckLine(const std::string& file, uint64_t line_no, const std::string& line);
  // The unrecovered torn tail a `recovered` record names, or null.
  AuditTornTail* FindTorn(const std::string& name, uint64_t bytes);

  AuditVerifyResult* r_;
  std::string prev_where_;  // "file:line (seq N)" of the last complete line
  // The torn tail that ended the last file, while no record has come after it.
  std::optional<size_t> torn_pending_;
};

AuditTornTail* ChainChecker::FindTorn(const std::string& name, uint64_t bytes) {
  for (AuditTornTail& t : r_->torn_tails) {
    if (!t.recovered && BaseName(t.file) == name && t.bytes == bytes) {
      return &t;
    }
  }
  return nullptr;
}

bool ChainChecker::CheckLine(const std::string& file, uint64_t line_no, const std::string& line) {
  nlohmann::json record;
  std::string error;
  if (!ParseRecordLine(line, &record, &error)) {
    return Problem(file, line_no, std::nullopt, error);
  }
  auto seq_it = record.find("seq");
  if (seq_it == record.end() || !seq_it->is_number_unsigned() || *seq_it == 0) {
    return Problem(file, line_no, std::nullopt, "no seq (a positive integer)");
  }
  const uint64_t seq = seq_it->get<uint64_t>();
  auto kind = record.find("kind");
  if (kind == record.end() || !kind->is_string() || !IsKnownKind(kind->get<std::string>())) {
    return Problem(file, line_no, seq,
                   "kind is not one of decision, gap, charge_adjust, recovered");
  }
  auto ts = record.find("ts");
  if (ts == record.end() || !ts->is_string()) {
    return Problem(file, line_no, seq, "no ts");
  }
  auto prev = record.find("prev_hash");
  if (prev == record.end() || !prev->is_string()) {
    return Problem(file, line_no, seq, "no prev_hash");
  }
  const uint64_t expected = r_->last_seq + 1;
  if (seq != expected) {
    if (seq > expected) {
      return Problem(
          file, line_no, seq,
          "seq " + std::to_string(seq) + " where " + std::to_string(expected) +
              " was expected: " + std::to_string(seq - expected) + " record(s) missing" +
              (r_->last_seq > 0 ? " after " + prev_where_ : std::string(" at the start")) +
              " (a line or a whole file was deleted)");
    }
    return Problem(file, line_no, seq,
                   "seq " + std::to_string(seq) + " where " + std::to_string(expected) +
                       " was expected: repeated or out of order");
  }
  if (prev->get<std::string>() != r_->head_hash) {
    if (seq == 1) {
      return Problem(file, line_no, seq, "prev_hash of seq 1 is not 64 zeros");
    }
    return Problem(file, line_no, seq,
                   "prev_hash is not the SHA-256 of the previous line, " + prev_where_ +
                       ": that line or this one was altered");
  }
  if (kind->get<std::string>() == "recovered") {
    auto torn_file = record.find("file");
    auto torn_bytes = record.find("torn_bytes");
    if (torn_file == record.end() || !torn_file->is_string() || torn_bytes == record.end() ||
        !torn_bytes->is_number_unsigned()) {
      return Problem(file, line_no, seq, "recovered record without file and torn_bytes");
    }
    AuditTornTail* torn = FindTorn(torn_file->get<std::string>(), torn_bytes->get<uint64_t>());
    if (torn == nullptr) {
      return Problem(file, line_no, seq,
                     "recovered record names " + torn_file->get<std::string>() + " (" +
                         std::to_string(torn_bytes->get<uint64_t>()) +
                         " torn bytes), but no such torn tail precedes it");
    }
    torn->recovered = true;
    // When a crash tore the first recovery too, its record names the later
    // torn file, and covers the earlier one as well.
    if (torn_pending_) {
      r_->torn_tails[*torn_pending_].recovered = true;
      torn_pending_.reset();
    }
  } else if (torn_pending_) {
    return Problem(file, line_no, seq,
                   "follows the torn tail of " + r_->torn_tails[*torn_pending_].file +
                       " but is not a recovered record");
  }
  r_->last_seq = seq;
  r_->head_hash = Sha256Hex(line);
  ++r_->records;
  prev_where_ = Where(file, line_no, seq);
  return true;
}

bool ChainChecker::CheckFile(const std::string& path) {
  LineReader reader(std::fopen(path.c_str(), "rb"), kMaxLineBytes);
  std::string line;
  for (uint64_t line_no = 1;; ++line_no) {
    switch (reader.Next(&line)) {
      case LineReader::Status::kLine:
        if (!CheckLine(path, line_no, line)) {
          return false;
        }
        continue;
      case LineReader::Status::kEnd:
        return true;
      case LineReader::Status::kTorn:
        torn_pending_ = r_->torn_tails.size();
        r_->torn_tails.push_back({path, reader.torn_bytes(), false});
        return true;
      case LineReader::Status::kTooLong:
        return Problem(path, line_no, std::nullopt, "line is longer than the limit");
      case LineReader::Status::kError:
        return Problem(path, line_no, std::nullopt,
                       std::string("cannot read: ") + std::strerror(errno));
    }
  }
}

}  // namespace
}  // namespace audit

std::string AuditProblem::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
  }
  out += ": ";
  if (seq) {
    out += "seq " + std::to_string(*seq) + ": ";
  }
  return out + message;
}

bool AuditVerifyResult::ok() const { return !broken; }

AuditVerifyResult VerifyAuditLog(const std::vector<std::string>& files,
                                 const AuditVerifyOptions& options) {
  AuditVerifyResult result;
  try {
    std::vector<audit::FileInfo> infos;
    for (size_t i = 0; i < files.size(); ++i) {
      std::error_code ec;
      if (std::filesystem::is_directory(files[i], ec)) {
        // `audit.jsonl*` also matches the snapshot store.
        if (files[i].size() > 10 && files[i].ends_with(".snapshots")) {
          continue;
        }
        result.broken = AuditProblem{files[i], 0, std::nullopt, "is a directory"};
        return result;
      }
      audit::FileInfo info{files[i], i, audit::kNoRecord};
      if (auto problem = audit::FirstSeq(&info)) {
        result.broken = std::move(problem);
        return result;
      }
      infos.push_back(std::move(info));
    }
    // Files with no complete line (empty, or a lone torn line) go last.
    std::stable_sort(infos.begin(), infos.end(),
                     [](const audit::FileInfo& a, const audit::FileInfo& b) {
                       return a.first_seq < b.first_seq;
                     });
    // A file whose only line is torn has no seq to place it by; a
    // `recovered` record that names it may come anywhere later in the chain.
    for (const audit::FileInfo& info : infos) {
      if (info.torn_bytes > 0) {
        result.torn_tails.push_back({info.path, info.torn_bytes, false});
      }
    }
    audit::ChainChecker checker(&result);
    for (const audit::FileInfo& info : infos) {
      result.files.push_back(info.path);
      if (info.first_seq != audit::kNoRecord && !checker.CheckFile(info.path)) {
        return result;
      }
    }
    if (options.strict) {
      for (const AuditTornTail& t : result.torn_tails) {
        if (!t.recovered) {
          result.broken = AuditProblem{t.file, 0, std::nullopt,
                                       "torn tail of " + std::to_string(t.bytes) +
                                           " bytes (an unfinished line, not recovered)"};
          break;
        }
      }
    }
  } catch (const std::exception& e) {
    result.broken = AuditProblem{"", 0, std::nullopt, std::string("internal error: ") + e.what()};
  } catch (...) {
    result.broken = AuditProblem{"", 0, std::nullopt, "internal error"};
  }
  return result;
}

}  // namespace mixtral
