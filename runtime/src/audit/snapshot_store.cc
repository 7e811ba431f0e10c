#include "audit/snapshot_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "audit/chain.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral::audit {
namespace {

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

SnapshotStore::SnapshotStore(AuditFileLayer* files, const std::string& log, bool sync_files,
                             Stats* stats)
    : files_(files), dir_(log + ".snapshots"), sync_files_(sync_files), stats_(stats) {
  const std::filesystem::path p(log);
  parent_ = p.has_parent_path() ? p.parent_path().string() : ".";
}

void SnapshotStore::Ensure(const AuditSnapshot& snapshot) {
  if (stored_.count(snapshot.sha256) > 0) {
    return;
  }
  if (Store(snapshot)) {
    stored_.insert(snapshot.sha256);
  } else {
    Stats::Bump(stats_->snapshot_errors);
  }
}

bool SnapshotStore::Store(const AuditSnapshot& snapshot) {
  // The sha becomes a file name: anything but 64 hex digits could escape the
  // directory.
  if (!IsSha256Hex(snapshot.sha256) || !snapshot.canonical_json) {
    last_error_ = "snapshot sha256 is not 64 lowercase hex digits";
    return false;
  }
  const std::string path = dir_ + "/" + snapshot.sha256 + ".json";
  if (const int fd = files_->Open(path.c_str(), O_RDONLY, 0); fd >= 0) {
    files_->Close(fd);  // stored by an earlier writer
    return true;
  }
  const std::string& text = *snapshot.canonical_json;
  if (Sha256Hex(text) != snapshot.sha256) {
    last_error_ = "snapshot text does not hash to " + snapshot.sha256;
    return false;
  }
  if (const int r = files_->MakeDir(dir_.c_str(), 0755); r < 0 && r != -EEXIST) {
    last_error_ = "cannot create " + dir_ + ": " + ErrnoText(r);
    return false;
  } else if (r == 0 && sync_files_) {
    files_->SyncDir(parent_.c_str());
  }
  // A reader sees either no file or the whole of it.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = files_->Open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    last_error_ = "cannot create " + tmp + ": " + ErrnoText(fd);
    return false;
  }
  size_t done = 0;
  int err = 0;
  while (done < text.size() && err == 0) {
    const long n = files_->Write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      err = n < 0 ? static_cast<int>(n) : -EIO;
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (err == 0 && sync_files_) {
    err = files_->Fdatasync(fd);
  }
  files_->Close(fd);
  if (err == 0) {
    err = files_->Rename(tmp.c_str(), path.c_str());
  }
  if (err == 0 && sync_files_) {
    err = files_->SyncDir(dir_.c_str());
  }
  if (err != 0) {
    last_error_ = "cannot store snapshot " + path + ": " + ErrnoText(err);
    return false;
  }
  Stats::Bump(stats_->snapshots_written);
  return true;
}

}  // namespace mixtral::audit
