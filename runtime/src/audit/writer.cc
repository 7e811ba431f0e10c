// AuditWriter: the writer thread that renders, chains, writes and syncs.
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <filesystem>
#include <mutex>
#include <thread>

#include "audit/chain.h"
#include "audit/entry_queue.h"
#include "audit/log_sink.h"
#include "audit/record_line.h"
#include "audit/snapshot_store.h"
#include "audit/stats.h"
#include "audit/writer_access.h"
#include "mixtral/runtime/audit.h"
#include "mixtral/runtime/inputs.h"
#include "mixtral/stdlib/bytes.h"

namespace mixtral {

using Clock = std::chrono::steady_clock;

class AuditWriter::Impl {
 public:
  explicit Impl(AuditOptions options)
      : options_(std::move(options)),
        files_(options_.files != nullptr ? options_.files : &PosixAuditFiles()),
        sync_files_(options_.durability != AuditDurability::kNone),
        sink_(files_, options_.path, options_.rotate_bytes, sync_files_, &stats_),
        snapshots_(files_, options_.path, sync_files_, &stats_),
        queue_(options_.queue_capacity, options_.overflow, &stats_) {}

  ~Impl() { Close(); }

  std::optional<std::string> Start();
  bool Append(std::unique_ptr<AuditEntry> entry) { return queue_.Push(std::move(entry)); }
  bool Flush() { return queue_.Flush(); }
  void Close();
  audit::EntryQueue& queue() { return queue_; }
  const AuditOptions& options() const { return options_; }

  AuditCounters counters() const { return stats_.Read(); }
  std::optional<std::string> error() const {
    std::lock_guard lock(published_mu_);
    return error_;
  }
  std::pair<uint64_t, std::string> head() const {
    std::lock_guard lock(published_mu_);
    return {published_seq_, published_hash_};
  }

 private:
  std::optional<std::string> Lock();
  void Run();
  void RunLoop();
  void Publish();
  void Fail(const std::string& message);
  int64_t NowMs() const;
  // Renders, chains and buffers one record; syncs it too under kAlways.
  template <typename RenderFn>
  bool WriteRecord(std::string_view kind, bool entry, RenderFn&& render);
  bool WriteGap(uint64_t dropped);
  // Why the last WriteRecord or WriteGap failed.
  const std::string& RecordError() const {
    return record_error_.empty() ? sink_.error() : record_error_;
  }

  AuditOptions options_;
  AuditFileLayer* files_;
  bool sync_files_;
  audit::Stats stats_;
  audit::LogSink sink_;
  audit::SnapshotStore snapshots_;
  audit::EntryQueue queue_;
  int lock_fd_ = -1;
  std::thread thread_;

  // The writer thread's own (the opening thread's before it starts).
  uint64_t seq_ = 0;
  std::string prev_hash_;
  bool failed_ = false;
  AuditMembers members_;
  std::vector<uint32_t> order_;
  std::string line_;
  std::string record_error_;

  mutable std::mutex published_mu_;
  uint64_t published_seq_ = 0;
  std::string published_hash_;
  std::optional<std::string> error_;
};

int64_t AuditWriter::Impl::NowMs() const {
  if (options_.clock_ms) {
    return options_.clock_ms();
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> AuditWriter::Impl::Lock() {
  const int fd = files_->Open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    return "cannot open audit log " + options_.path + ": " + audit::ErrnoText(fd);
  }
  if (const int r = files_->Flock(fd, LOCK_EX | LOCK_NB); r < 0) {
    files_->Close(fd);
    if (r == -EWOULDBLOCK) {
      return "audit log " + options_.path +
             " is in use: another writer holds its lock (one writer per log)";
    }
    return "cannot lock audit log " + options_.path + ": " + audit::ErrnoText(r);
  }
  lock_fd_ = fd;
  return std::nullopt;
}

std::optional<std::string> AuditWriter::Impl::Start() {
  if (options_.path.empty()) {
    return std::string("audit log path is empty");
  }
  if (options_.queue_capacity == 0) {
    return std::string("audit queue capacity must be at least 1");
  }
  if (auto err = Lock()) {
    return err;
  }
  audit::ChainTail tail;
  if (auto err = audit::ReadChainTail(*files_, options_.path, &tail)) {
    return err;
  }
  seq_ = tail.last_seq;
  prev_hash_ = tail.last_hash;
  if (!sink_.Open(tail.append_index, tail.append_size)) {
    return sink_.error();
  }
  if (tail.torn_file) {
    const std::string torn_name = std::filesystem::path(*tail.torn_file).filename().string();
    const bool ok = WriteRecord("recovered", /*entry=*/false, [&](AuditMembers& m) {
      m.AddString("file", torn_name);
      m.AddInt("torn_bytes", static_cast<int64_t>(tail.torn_bytes));
    });
    if (!ok) {
      return RecordError();
    }
    if (!sink_.Sync()) {
      return sink_.error();
    }
  }
  Publish();
  thread_ = std::thread([this] { Run(); });
  return std::nullopt;
}

template <typename RenderFn>
bool AuditWriter::Impl::WriteRecord(std::string_view kind, bool entry, RenderFn&& render) {
  record_error_.clear();
  members_.Clear();
  render(members_);
  const std::string ts = FormatTime(NowMs());
  audit::RenderRecordLine(members_, {kind, seq_ + 1, prev_hash_, ts}, &order_, &line_);
  if (!sink_.Append(line_, entry)) {
    return false;
  }
  ++seq_;
  prev_hash_ = Sha256Hex(line_);
  if (prev_hash_.size() != kAuditZeroHash.size()) {
    // libcrypto could not allocate: the chain cannot go on.
    record_error_ = "cannot hash audit record " + std::to_string(seq_) + " (libcrypto failed)";
    return false;
  }
  if (options_.durability == AuditDurability::kAlways) {
    return sink_.Sync();
  }
  return true;
}

bool AuditWriter::Impl::WriteGap(uint64_t dropped) {
  audit::Stats::Bump(stats_.gaps);
  return WriteRecord("gap", /*entry=*/false,
                     [&](AuditMembers& m) { m.AddInt("dropped", static_cast<int64_t>(dropped)); });
}

void AuditWriter::Impl::Publish() {
  std::lock_guard lock(published_mu_);
  published_seq_ = seq_;
  published_hash_ = prev_hash_;
}

void AuditWriter::Impl::Fail(const std::string& message) {
  failed_ = true;
  {
    std::lock_guard lock(published_mu_);
    error_ = message;
  }
  queue_.Fail();
}

void AuditWriter::Impl::Run() {
  // An exception cannot leave a thread; a writer that cannot go on says why.
  try {
    RunLoop();
  } catch (const std::exception& e) {
    Fail(std::string("audit writer stopped: ") + e.what());
  } catch (...) {
    Fail("audit writer stopped: internal error");
  }
}

void AuditWriter::Impl::RunLoop() {
  const bool batch_mode = options_.durability == AuditDurability::kBatch;
  Clock::time_point last_sync = Clock::now();
  audit::EntryQueue::Batch batch;
  for (;;) {
    std::optional<Clock::time_point> deadline;
    if (batch_mode && sink_.dirty()) {
      deadline = last_sync + options_.sync_interval;
    }
    batch.items.clear();
    queue_.Take(&batch, deadline);
    uint64_t lost = 0;  // entries not even tried once the writer failed
    uint32_t since_check = 0;
    auto write = [&](const AuditEntry& entry, uint64_t dropped_before) {
      // A backlog can make one batch take longer than the sync interval;
      // the interval holds within it too.
      if (batch_mode && !failed_ && ++since_check == 256) {
        since_check = 0;
        if (Clock::now() >= last_sync + options_.sync_interval) {
          if (!sink_.Sync()) {
            Fail(sink_.error());
          }
          last_sync = Clock::now();
        }
      }
      if (!failed_ && dropped_before > 0 && !WriteGap(dropped_before)) {
        Fail(RecordError());
      }
      if (failed_) {
        ++lost;
        return;
      }
      if (const AuditSnapshot* snapshot = entry.snapshot()) {
        snapshots_.Ensure(*snapshot);
      }
      // A failed record is counted as dropped by the sink.
      if (!WriteRecord(entry.kind(), /*entry=*/true, [&](AuditMembers& m) { entry.Render(m); })) {
        Fail(RecordError());
      }
    };
    // The rings first: a thread's decision comes before what it appended
    // to the shared queue afterwards (a charge_adjust of that decision).
    for (const audit::EntryQueue::RingWork& work : batch.rings) {
      uint64_t& reported = work.ring->drops_reported();
      work.ring->Consume(work.until, [&](const audit::RecordRing::Header& h, const AuditEntry& e) {
        const uint64_t before = h.drops > reported ? h.drops - reported : 0;
        reported += before;
        write(e, before);
      });
      if (work.drops > reported) {
        const uint64_t trailing = work.drops - reported;
        reported = work.drops;
        if (!failed_ && !WriteGap(trailing)) {
          Fail(RecordError());
        }
      }
    }
    for (audit::EntryQueue::Item& item : batch.items) {
      write(*item.entry, item.dropped_before);
      item.entry.reset();  // recycled on this thread, as the header promises
    }
    if (!failed_ && batch.trailing_drops > 0 && !WriteGap(batch.trailing_drops)) {
      Fail(RecordError());
    }
    bool synced = false;
    if (!failed_) {
      const bool due = batch_mode && Clock::now() >= last_sync + options_.sync_interval;
      const bool want_sync = batch.flush != 0 || batch.closing || due;
      if (!(want_sync ? sink_.Sync() : sink_.WriteOut())) {
        Fail(sink_.error());
      } else if (want_sync) {
        synced = true;
        last_sync = Clock::now();
      }
    }
    if (lost > 0) {
      audit::Stats::Bump(stats_.dropped, lost);
    }
    Publish();
    queue_.Done(batch, synced);
    if (batch.closing) {
      return;
    }
  }
}

void AuditWriter::Impl::Close() {
  if (thread_.joinable()) {
    queue_.Close();
    thread_.join();
  }
  sink_.Close();
  if (lock_fd_ >= 0) {
    files_->Close(lock_fd_);  // closing releases the flock
    lock_fd_ = -1;
  }
}

audit::EntryQueue& audit::WriterAccess::Queue(AuditWriter& writer) { return writer.impl_->queue(); }

size_t audit::WriterAccess::WorkerBufferBytes(const AuditWriter& writer) {
  return writer.impl_->options().worker_buffer_bytes;
}

AuditWriter::AuditWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditWriter::~AuditWriter() = default;

std::unique_ptr<AuditWriter> AuditWriter::Open(AuditOptions options, std::string* error) {
  try {
    auto impl = std::make_unique<Impl>(std::move(options));
    if (auto err = impl->Start()) {
      *error = *err;
      return nullptr;
    }
    return std::unique_ptr<AuditWriter>(new AuditWriter(std::move(impl)));
  } catch (const std::exception& e) {
    *error = std::string("cannot open audit log: ") + e.what();
  } catch (...) {
    *error = "cannot open audit log: internal error";
  }
  return nullptr;
}

bool AuditWriter::Append(std::unique_ptr<AuditEntry> entry) {
  return impl_->Append(std::move(entry));
}
bool AuditWriter::Flush() { return impl_->Flush(); }
void AuditWriter::Close() { impl_->Close(); }
AuditCounters AuditWriter::counters() const { return impl_->counters(); }
std::optional<std::string> AuditWriter::error() const { return impl_->error(); }
std::pair<uint64_t, std::string> AuditWriter::head() const { return impl_->head(); }

}  // namespace mixtral
