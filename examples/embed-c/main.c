/* embed-c: a proxy's view of libmixtral, in C.
 *
 * Loads route16, publishes its telemetry snapshot and target inventory,
 * then decides every request of requests.jsonl by field index (resolved once
 * by name) and checks each answer against expected.jsonl.
 *
 *   embed_c POLICY TELEMETRY INVENTORY REQUESTS EXPECTED
 *
 * Exits 0 when every decision matches, 1 otherwise. The JSON reading here is
 * just enough for the flat route16 lines; a proxy would have its own parser
 * or pass the body to mixtral_request_set_json. */
#include <mixtral/mixtral.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char* ReadAll(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char* buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (buf) buf[n < cap ? n : cap - 1] = '\0';
  *len = n;
  return buf;
}

/* The next "..." string at *p (no escapes in route16's data). */
static const char* String(const char** p, size_t* len) {
  const char* s = strchr(*p, '"');
  if (!s) return NULL;
  const char* e = strchr(s + 1, '"');
  if (!e) return NULL;
  *len = (size_t)(e - s - 1);
  *p = e + 1;
  return s + 1;
}

/* The field indices, resolved once. */
#define MAX_FIELDS 32
static char names[MAX_FIELDS][32];
static int32_t indices[MAX_FIELDS];
static int field_count = 0;

static int32_t Index(mixtral_request_t* req, const char* name, size_t len) {
  for (int i = 0; i < field_count; ++i)
    if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return indices[i];
  if (field_count == MAX_FIELDS || len >= sizeof names[0]) return -1;
  memcpy(names[field_count], name, len);
  names[field_count][len] = '\0';
  indices[field_count] = mixtral_request_field_index(req, names[field_count]);
  return indices[field_count++];
}

/* Sets every member of one flat request line: strings (and enums by name) and ints. */
static int Fill(mixtral_request_t* req, const char* line) {
  mixtral_request_clear(req);
  const char* p = line;
  size_t klen, vlen = 0;
  const char* key;
  while ((key = String(&p, &klen)) != NULL) {
    int32_t field = Index(req, key, klen);
    const char* colon = strchr(p, ':');
    if (field < 0 || !colon) return 0;
    p = colon + 1;
    while (*p == ' ') ++p;
    mixtral_status_t s;
    if (*p == '"') {
      const char* v = String(&p, &vlen);
      if (!v) return 0;
      s = mixtral_request_set_string(req, field, v, vlen);
    } else {
      char* end;
      long long v = strtoll(p, &end, 10);
      p = end;
      s = mixtral_request_set_int(req, field, v);
    }
    if (s != MIXTRAL_OK) {
      fprintf(stderr, "embed_c: %s\n", mixtral_request_last_error(req));
      return 0;
    }
  }
  return 1;
}

/* Does the decision match the expected line's outcome, target and fallbacks? */
static int Matches(const mixtral_decision_t* dec, const char* line) {
  const char* p = strstr(line, "\"target\":");
  const char* target = mixtral_decision_target(dec);
  size_t len;
  if (!p) return 0;
  p += 9;
  if (strncmp(p, "null", 4) == 0) {
    if (target) return 0;
  } else {
    const char* want = String(&p, &len);
    if (!target || !want || strlen(target) != len || memcmp(target, want, len) != 0) return 0;
  }
  p = strstr(line, "\"fallbacks\":[");
  if (!p) return 0;
  p += 13;
  size_t n = 0;
  while (*p != ']') {
    const char* want = String(&p, &len);
    const char* got = mixtral_decision_fallback(dec, n++);
    if (!want || !got || strlen(got) != len || memcmp(got, want, len) != 0) return 0;
    while (*p == ',' || *p == ' ') ++p;
  }
  return n == mixtral_decision_fallback_count(dec);
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: embed_c POLICY TELEMETRY INVENTORY REQUESTS EXPECTED\n");
    return 2;
  }
  size_t tlen, ilen, rlen, elen;
  char* telemetry = ReadAll(argv[2], &tlen);
  char* inventory = ReadAll(argv[3], &ilen);
  char* requests = ReadAll(argv[4], &rlen);
  char* expected = ReadAll(argv[5], &elen);
  if (!telemetry || !inventory || !requests || !expected) {
    fprintf(stderr, "embed_c: cannot read the inputs\n");
    return 2;
  }

  mixtral_engine_t* engine = NULL;
  mixtral_error_t* err = NULL;
  if (mixtral_engine_new(MIXTRAL_ENGINE_AUTO, &engine, &err) != MIXTRAL_OK ||
      mixtral_engine_load_policy_file(engine, argv[1], &err) != MIXTRAL_OK ||
      mixtral_engine_publish_snapshot(engine, telemetry, tlen, inventory, ilen, &err) !=
          MIXTRAL_OK) {
    fprintf(stderr, "embed_c: %s\n", mixtral_error_message(err));
    mixtral_error_free(err);
    return 1;
  }

  /* One request and one decision handle, reused for every request. */
  mixtral_request_t* req = NULL;
  mixtral_decision_t* dec = NULL;
  mixtral_request_new(engine, &req, NULL);
  mixtral_decision_new(engine, &dec, NULL);
  /* route16's data is from 2025: decide at the snapshot's time, not now. */
  mixtral_decide_options_t options;
  memset(&options, 0, sizeof options);
  options.has_now = 1;
  options.now_ms = 1735689600000; /* 2025-01-01T00:00:00Z */

  size_t decided = 0, mismatched = 0;
  char* rline = requests;
  char* eline = expected;
  while (*rline && *eline) {
    char* rnext = strchr(rline, '\n');
    char* enext = strchr(eline, '\n');
    if (rnext) *rnext = '\0';
    if (enext) *enext = '\0';
    if (!Fill(req, rline) || mixtral_decide(engine, req, dec, &options) != MIXTRAL_OK) {
      fprintf(stderr, "embed_c: line %zu: %s\n", decided + 1, mixtral_decision_last_error(dec));
      return 1;
    }
    ++decided;
    if (!Matches(dec, eline) && ++mismatched <= 5) {
      const char* t = mixtral_decision_target(dec);
      fprintf(stderr, "embed_c: %s: got %s, expected %s\n", mixtral_decision_id(dec),
              t ? t : "null", eline);
    }
    if (!rnext || !enext) break;
    rline = rnext + 1;
    eline = enext + 1;
  }

  mixtral_stats_t stats;
  mixtral_engine_stats(engine, &stats);
  printf("embed_c: %zu decisions, %zu mismatches (routed %llu, rejected %llu)\n", decided,
         mismatched, (unsigned long long)stats.routed, (unsigned long long)stats.rejected);
  mixtral_request_free(req);
  mixtral_decision_free(dec);
  mixtral_engine_free(engine);
  free(telemetry);
  free(inventory);
  free(requests);
  free(expected);
  return mismatched == 0 && decided > 0 ? 0 : 1;
}
