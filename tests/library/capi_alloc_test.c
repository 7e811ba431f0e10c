/* A hot-path decision through the C ABI allocates nothing: every malloc in
 * the process is counted while route16's requests are decided a second time
 * through the same handles. (Not under sanitizers: they own malloc.) */
#include <mixtral/mixtral.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);
extern void __libc_free(void*);

static volatile int counting = 0;
static volatile size_t allocations = 0;

void* malloc(size_t n) {
  if (counting) ++allocations;
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  if (counting) ++allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  if (counting) ++allocations;
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t align, size_t n) {
  if (counting) ++allocations;
  return __libc_memalign(align, n);
}
void* memalign(size_t align, size_t n) {
  if (counting) ++allocations;
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  if (counting) ++allocations;
  *out = __libc_memalign(align, n);
  return *out ? 0 : 12; /* ENOMEM */
}
void free(void* p) { __libc_free(p); }

static char* ReadAll(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)n + 1);
  *len = fread(buf, 1, (size_t)n, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

/* The requests, pre-split into (field, string | int) settings, so that the
 * counted loop does nothing but set fields and decide. */
typedef struct {
  int32_t field;
  const char* s;
  size_t len;
  long long i;
} Setting;

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: capi_alloc_test POLICY DATA_DIR COUNT\n");
    return 2;
  }
  char path[4096];
  size_t tlen, ilen, rlen;
  snprintf(path, sizeof path, "%s/telemetry.json", argv[2]);
  char* telemetry = ReadAll(path, &tlen);
  snprintf(path, sizeof path, "%s/targets.json", argv[2]);
  char* inventory = ReadAll(path, &ilen);
  snprintf(path, sizeof path, "%s/requests.jsonl", argv[2]);
  char* requests = ReadAll(path, &rlen);
  size_t count = (size_t)atoi(argv[3]);
  if (!telemetry || !inventory || !requests) return 2;

  mixtral_engine_t* engine = NULL;
  mixtral_error_t* err = NULL;
  mixtral_status_t s = mixtral_engine_new(MIXTRAL_ENGINE_JIT, &engine, &err);
  if (s == MIXTRAL_E_USAGE) {
    printf("capi_alloc_test: this build has no JIT; the allocation-free path is the JIT's\n");
    return 0;
  }
  if (s != MIXTRAL_OK || mixtral_engine_load_policy_file(engine, argv[1], &err) != MIXTRAL_OK ||
      mixtral_engine_publish_snapshot(engine, telemetry, tlen, inventory, ilen, &err) !=
          MIXTRAL_OK) {
    fprintf(stderr, "capi_alloc_test: %s\n", mixtral_error_message(err));
    return 1;
  }
  mixtral_request_t* req = NULL;
  mixtral_decision_t* dec = NULL;
  mixtral_request_new(engine, &req, NULL);
  mixtral_decision_new(engine, &dec, NULL);

  /* Parse the flat lines once: "key":"string" or "key":int. */
  size_t per = 16, n = 0;
  Setting* settings = calloc(count * per, sizeof(Setting));
  size_t* used = calloc(count, sizeof(size_t));
  char* line = requests;
  for (n = 0; n < count && *line; ++n) {
    char* next = strchr(line, '\n');
    if (next) *next = '\0';
    char* p = line;
    char* key;
    while ((key = strchr(p, '"')) != NULL && used[n] < per) {
      char* kend = strchr(key + 1, '"');
      *kend = '\0';
      Setting* st = &settings[n * per + used[n]++];
      st->field = mixtral_request_field_index(req, key + 1);
      p = strchr(kend + 1, ':') + 1;
      if (*p == '"') {
        char* vend = strchr(p + 1, '"');
        st->s = p + 1;
        st->len = (size_t)(vend - p - 1);
        p = vend + 1;
      } else {
        st->i = strtoll(p, &p, 10);
      }
    }
    if (!next) break;
    line = next + 1;
  }
  mixtral_decide_options_t o;
  memset(&o, 0, sizeof o);
  o.has_now = 1;
  o.now_ms = 1735689600000;
  o.explain = getenv("ALLOC_TEST_EXPLAIN") != NULL;

  int failed = 0;
  for (int pass = 0; pass < 2; ++pass) {
    counting = pass == 1; /* the first pass sizes every reusable buffer */
    for (size_t r = 0; r < n; ++r) {
      mixtral_request_clear(req);
      for (size_t k = 0; k < used[r]; ++k) {
        const Setting* st = &settings[r * per + k];
        s = st->s ? mixtral_request_set_string(req, st->field, st->s, st->len)
                  : mixtral_request_set_int(req, st->field, st->i);
        if (s != MIXTRAL_OK) failed = 1;
      }
      if (mixtral_decide(engine, req, dec, &o) != MIXTRAL_OK) failed = 1;
    }
    counting = 0;
  }
  mixtral_stats_t stats;
  mixtral_engine_stats(engine, &stats);
  printf("capi_alloc_test: %zu decisions counted, %zu allocations\n", n, (size_t)allocations);
  if (failed || stats.decisions != 2 * n || n == 0) {
    fprintf(stderr, "capi_alloc_test: decisions failed\n");
    return 1;
  }
  mixtral_request_free(req);
  mixtral_decision_free(dec);
  mixtral_engine_free(engine);
  return allocations == 0 ? 0 : 1;
}
