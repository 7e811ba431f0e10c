// audit_log_tool: writes audit records through AuditWriter, for the shell
// tests of `mixtral audit verify` until the engine writes them itself.
//
//   audit_log_tool LOG [--records N] [--forever] [--durability none|batch|always]
//                      [--rotate-bytes B] [--queue N] [--overflow block|drop]
//
// Every tenth record is a charge_adjust, the rest decision-like records.
// Prints the writer's counters as one JSON line on stdout when done. With
// --forever it appends about 20,000 records/s until killed.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "mixtral/runtime/audit.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "audit_log_tool: " << why
            << "\nusage: audit_log_tool LOG [--records N] [--forever] "
               "[--durability none|batch|always] [--rotate-bytes B] [--queue N] "
               "[--overflow block|drop]\n";
  return 2;
}

std::unique_ptr<mixtral::AuditEntry> Record(uint64_t i) {
  if (i % 10 == 0) {
    return std::make_unique<mixtral::ChargeAdjustEntry>("d-" + std::to_string(i - 1),
                                                        "tenant_spend", "acme", 0.125);
  }
  return std::make_unique<mixtral::PrerenderedEntry>(
      "decision",
      mixtral::PrerenderedEntry::Members{
          {"decision_id", "\"d-" + std::to_string(i) + "\""},
          {"decision", "{\"outcome\":\"routed\",\"route\":\"chat\",\"target\":\"edge-eu\"}"},
          {"eval_ns", std::to_string(600 + i % 97)},
          {"now", "\"2026-11-27T10:00:00.000Z\""}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    return Usage("no log given");
  }
  mixtral::AuditOptions options;
  options.path = argv[1];
  uint64_t records = 100;
  bool forever = false;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--forever") {
      forever = true;
      continue;
    }
    if (i + 1 >= argc) {
      return Usage("flag " + flag + " needs a value");
    }
    const std::string value = argv[++i];
    if (flag == "--records") {
      records = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--rotate-bytes") {
      options.rotate_bytes = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--queue") {
      options.queue_capacity = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--durability") {
      if (value == "none") {
        options.durability = mixtral::AuditDurability::kNone;
      } else if (value == "batch") {
        options.durability = mixtral::AuditDurability::kBatch;
      } else if (value == "always") {
        options.durability = mixtral::AuditDurability::kAlways;
      } else {
        return Usage("unknown durability " + value);
      }
    } else if (flag == "--overflow") {
      if (value != "block" && value != "drop") {
        return Usage("unknown overflow " + value);
      }
      options.overflow =
          value == "drop" ? mixtral::AuditOverflow::kDrop : mixtral::AuditOverflow::kBlock;
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  std::string error;
  auto writer = mixtral::AuditWriter::Open(options, &error);
  if (!writer) {
    std::cerr << "audit_log_tool: " << error << "\n";
    return 1;
  }
  for (uint64_t i = 1; forever || i <= records; ++i) {
    writer->Append(Record(i));
    if (forever && i % 100 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  writer->Close();
  const mixtral::AuditCounters c = writer->counters();
  std::cout << "{\"bytes\":" << c.bytes << ",\"dropped\":" << c.dropped
            << ",\"records_written\":" << c.records_written << ",\"rotations\":" << c.rotations
            << ",\"syncs\":" << c.syncs << "}\n";
  if (auto err = writer->error()) {
    std::cerr << "audit_log_tool: " << *err << "\n";
    return 1;
  }
  return 0;
}
