#include "audit/record_line.h"

#include <algorithm>
#include <charconv>

#include "io/json_text.h"

namespace mixtral::audit {
namespace {

bool IsChainKey(std::string_view key) {
  return key == "kind" || key == "prev_hash" || key == "seq" || key == "ts";
}

}  // namespace

void RenderRecordLine(const AuditMembers& entry_members, const ChainMembers& chain,
                      std::vector<uint32_t>* order, std::string* line) {
  order->clear();
  for (uint32_t i = 0; i < entry_members.size(); ++i) {
    if (!IsChainKey(entry_members.key(i))) {
      order->push_back(i);
    }
  }
  // Stable, so that of two members with one key the first added is kept.
  // std::string_view compares like memcmp: by UTF-8 bytes, i.e. code points.
  std::stable_sort(order->begin(), order->end(), [&](uint32_t a, uint32_t b) {
    return entry_members.key(a) < entry_members.key(b);
  });

  char seq_buf[24];
  const auto [seq_end, ec] = std::to_chars(seq_buf, seq_buf + sizeof seq_buf, chain.seq);
  struct Fixed {
    std::string_view key;
    std::string_view value;
    bool quote;
  };
  // Already in key order.
  const Fixed fixed[] = {
      {"kind", chain.kind, true},
      {"prev_hash", chain.prev_hash, true},
      {"seq", std::string_view(seq_buf, static_cast<size_t>(seq_end - seq_buf)), false},
      {"ts", chain.ts, true},
  };

  line->clear();
  line->push_back('{');
  bool first = true;
  auto emit_key = [&](std::string_view key) {
    if (!first) {
      line->push_back(',');
    }
    first = false;
    io::AppendJsonString(line, key);
    line->push_back(':');
  };
  auto emit_fixed = [&](const Fixed& m) {
    emit_key(m.key);
    if (m.quote) {
      io::AppendJsonString(line, m.value);
    } else {
      line->append(m.value);
    }
  };
  size_t f = 0;
  std::string_view last_key;
  bool have_last = false;
  for (uint32_t i : *order) {
    const std::string_view key = entry_members.key(i);
    if (have_last && key == last_key) {
      continue;
    }
    while (f < std::size(fixed) && fixed[f].key < key) {
      emit_fixed(fixed[f++]);
    }
    emit_key(key);
    line->append(entry_members.value(i));
    last_key = key;
    have_last = true;
  }
  while (f < std::size(fixed)) {
    emit_fixed(fixed[f++]);
  }
  line->push_back('}');
}

}  // namespace mixtral::audit
