/* The C ABI from C99: ownership, errors and hostile arguments. Every call
 * with bad input must return its error code, never crash. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the audit log's directory */
#include <mixtral/mixtral.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

static const char* kPolicy =
    "policy small version \"1\"\n"
    "type Tier = enum { free, pro }\n"
    "request {\n  id: string? id\n  tier: Tier\n  tokens: int = 100\n"
    "  tags: set<string>?\n  scores: map<string, float>?\n}\n"
    "target attributes { cost: float }\n"
    "telemetry per target { healthy: bool }\n"
    "target a { cost: 1.0 }\ntarget b { cost: 2.0 }\n"
    "route main {\n  require healthy: telemetry.healthy\n"
    "  forbid big: request.tokens > 1000 and target.cost > 1.5\n"
    "  minimize cost: target.cost\n  fallback 1\n}\n";

static const char* kSnapshot =
    "{\"taken_at\": 1000, \"targets\": [{\"name\": \"a\", \"healthy\": true},"
    " {\"name\": \"b\", \"healthy\": true}]}";

static int64_t FixedClock(void* user) { return *(const int64_t*)user; }

/* Budget charges and the audit log through the C ABI: a decision and its
 * charge adjustment each leave one record. */
static void AuditAndChargeAdjust(void) {
  static const char* kBudget =
      "policy budget version \"1\"\n"
      "request { id: string id }\n"
      "target attributes { cost: float }\n"
      "telemetry per target { healthy: bool }\n"
      "counter spend by request.id window 1h\n"
      "target a { cost: 1.0 }\ntarget b { cost: 2.0 }\n"
      "route main {\n  minimize cost: target.cost\n  fallback 1\n"
      "  charge spend: target.cost\n}\n";
  char dir[] = "/tmp/mixtral-capi-XXXXXX";
  char path[64];
  if (!mkdtemp(dir)) {
    CHECK(!"mkdtemp");
    return;
  }
  snprintf(path, sizeof path, "%s/audit.jsonl", dir);
  mixtral_engine_options_t o;
  memset(&o, 0, sizeof o);
  o.engine = MIXTRAL_ENGINE_INTERP;
  o.audit_path = path;
  o.audit_durability = MIXTRAL_AUDIT_ALWAYS;
  mixtral_engine_t* engine = NULL;
  mixtral_error_t* err = NULL;
  CHECK(mixtral_engine_new_with(&o, &engine, &err) == MIXTRAL_OK);
  if (!engine) return;
  /* A second engine on the same log is refused: one writer per log. */
  mixtral_engine_t* second = NULL;
  CHECK(mixtral_engine_new_with(&o, &second, &err) == MIXTRAL_E_INPUT);
  CHECK(err && strstr(mixtral_error_message(err), "audit log") != NULL);
  mixtral_error_free(err);
  err = NULL;
  CHECK(mixtral_engine_load_policy_source(engine, "budget.mxl", kBudget, strlen(kBudget), &err) ==
        MIXTRAL_OK);
  if (err) fprintf(stderr, "%s\n", mixtral_error_message(err));
  CHECK(mixtral_engine_publish_snapshot(engine, kSnapshot, strlen(kSnapshot), NULL, 0, NULL) ==
        MIXTRAL_OK);
  mixtral_request_t* req = NULL;
  mixtral_decision_t* dec = NULL;
  CHECK(mixtral_request_new(engine, &req, NULL) == MIXTRAL_OK);
  CHECK(mixtral_decision_new(engine, &dec, NULL) == MIXTRAL_OK);
  if (!req || !dec) return;
  CHECK(mixtral_request_set_string(req, mixtral_request_field_index(req, "id"), "r1", 2) ==
        MIXTRAL_OK);
  CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_OK);
  CHECK(strcmp(mixtral_decision_target(dec), "a") == 0);
  /* The proxy had to use the fallback b, which costs 2.0: +1.0 to `spend`. */
  CHECK(mixtral_charge_adjust(engine, dec, "b", 1, 0, 0.0) == MIXTRAL_OK);
  CHECK(mixtral_charge_adjust(engine, dec, "b", 1, 0, 0.0) == MIXTRAL_E_USAGE); /* once */
  CHECK(mixtral_charge_adjust(engine, dec, NULL, 3, 0, 0.0) == MIXTRAL_E_NULL);
  mixtral_request_free(req);
  mixtral_decision_free(dec);
  mixtral_engine_free(engine); /* closes the log */

  FILE* f = fopen(path, "r");
  CHECK(f != NULL);
  if (!f) return;
  char line[8192];
  int decisions = 0, adjusts = 0;
  while (fgets(line, sizeof line, f)) {
    if (strstr(line, "\"kind\":\"decision\"")) ++decisions;
    if (strstr(line, "\"kind\":\"charge_adjust\"") && strstr(line, "\"amount\":1.0")) ++adjusts;
  }
  fclose(f);
  CHECK(decisions == 1);
  CHECK(adjusts == 1);
}

int main(void) {
  mixtral_error_t* err = NULL;
  mixtral_engine_t* engine = NULL;
  int64_t now = 5000;
  mixtral_engine_options_t options;
  memset(&options, 0, sizeof options);
  options.engine = MIXTRAL_ENGINE_AUTO;
  options.clock = FixedClock;
  options.clock_user = &now;

  /* NULLs everywhere are errors, not crashes. */
  CHECK(mixtral_engine_new_with(NULL, &engine, &err) == MIXTRAL_E_NULL);
  CHECK(mixtral_error_code(err) == MIXTRAL_E_NULL);
  mixtral_error_free(err);
  err = NULL;
  CHECK(mixtral_engine_load_policy_file(NULL, "x", NULL) == MIXTRAL_E_NULL);
  CHECK(mixtral_decide(NULL, NULL, NULL, NULL) == MIXTRAL_E_NULL);
  CHECK(mixtral_request_set_int(NULL, 0, 1) == MIXTRAL_E_NULL);
  CHECK(mixtral_request_field_index(NULL, "tier") == -1);
  CHECK(mixtral_decision_target(NULL) == NULL);
  mixtral_error_free(NULL);
  mixtral_request_free(NULL);
  mixtral_decision_free(NULL);
  mixtral_engine_free(NULL);
  CHECK(strcmp(mixtral_status_name(MIXTRAL_E_SCHEMA_CHANGED), "MIXTRAL_E_SCHEMA_CHANGED") == 0);

  CHECK(mixtral_engine_new_with(&options, &engine, &err) == MIXTRAL_OK);
  if (!engine) return 1;

  /* Nothing loaded yet. */
  mixtral_request_t* req = NULL;
  CHECK(mixtral_request_new(engine, &req, &err) == MIXTRAL_E_NO_POLICY);
  CHECK(req == NULL);
  mixtral_error_free(err);
  err = NULL;

  /* A policy with an error: a located diagnostic, nothing replaced. */
  const char* bad = "policy p version \"1\"\nroute main {\n  require x: request.nope\n}\n";
  CHECK(mixtral_engine_load_policy_source(engine, "bad.mxl", bad, strlen(bad), &err) ==
        MIXTRAL_E_COMPILE);
  CHECK(err && strstr(mixtral_error_message(err), "bad.mxl:") != NULL);
  mixtral_error_free(err);
  err = NULL;
  CHECK(mixtral_engine_active_version(engine) == 0);

  CHECK(mixtral_engine_load_policy_source(engine, "small.mxl", kPolicy, strlen(kPolicy), &err) ==
        MIXTRAL_OK);
  if (err) fprintf(stderr, "%s\n", mixtral_error_message(err));
  CHECK(mixtral_engine_active_version(engine) == 1);

  mixtral_decision_t* dec = NULL;
  CHECK(mixtral_decision_new(engine, &dec, NULL) == MIXTRAL_OK);
  CHECK(mixtral_request_new(engine, &req, NULL) == MIXTRAL_OK);
  if (!dec || !req) return 1;
  CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_E_NO_SNAPSHOT);

  /* Malformed snapshots keep nothing; a good one publishes. */
  CHECK(mixtral_engine_publish_snapshot(engine, "{", 1, NULL, 0, &err) == MIXTRAL_E_INPUT);
  CHECK(err && strstr(mixtral_error_message(err), "E1001") != NULL);
  mixtral_error_free(err);
  err = NULL;
  CHECK(mixtral_engine_publish_snapshot(engine, kSnapshot, strlen(kSnapshot), NULL, 0, &err) ==
        MIXTRAL_OK);

  int32_t tier = mixtral_request_field_index(req, "tier");
  int32_t tokens = mixtral_request_field_index(req, "tokens");
  int32_t tags = mixtral_request_field_index(req, "tags");
  int32_t scores = mixtral_request_field_index(req, "scores");
  CHECK(tier >= 0 && tokens >= 0 && tags >= 0 && scores >= 0);
  CHECK(mixtral_request_field_index(req, "nope") == -1);

  /* Wrong indices, types, enums, UTF-8 and lengths. */
  CHECK(mixtral_request_set_int(req, -1, 1) == MIXTRAL_E_INDEX);
  CHECK(mixtral_request_set_int(req, 99, 1) == MIXTRAL_E_INDEX);
  CHECK(strstr(mixtral_request_last_error(req), "out of range") != NULL);
  CHECK(mixtral_request_set_float(req, tokens, 1.5) == MIXTRAL_E_TYPE);
  CHECK(mixtral_request_set_enum_name(req, tier, "gold", 4) == MIXTRAL_E_ENUM);
  CHECK(mixtral_request_set_enum(req, tier, 7) == MIXTRAL_E_ENUM);
  CHECK(mixtral_request_set_string(req, tier, "\xff", 1) == MIXTRAL_E_UTF8);
  CHECK(mixtral_request_set_enum_name(req, tier, NULL, 3) == MIXTRAL_E_NULL);
  {
    const char* items[2] = {"ok", "\xc3\x28"};
    size_t lens[2] = {2, 2};
    CHECK(mixtral_request_set_strings(req, tags, items, lens, 2) == MIXTRAL_E_UTF8);
  }
  {
    size_t n = 5000;
    char* big = malloc(n);
    memset(big, 'x', n);
    const char* items[1];
    size_t lens[1];
    items[0] = big;
    lens[0] = n;
    CHECK(mixtral_request_set_strings(req, tags, items, lens, 1) == MIXTRAL_E_TOO_LONG);
    free(big);
  }
  CHECK(mixtral_request_set_field_json(req, scores, "{\"a\": \"high\"}", 13) == MIXTRAL_E_TYPE);
  CHECK(mixtral_request_set_field_json(req, scores, "{\"a\": 0.5}", 10) == MIXTRAL_OK);
  CHECK(mixtral_request_is_set(req, scores) == 1);
  CHECK(mixtral_request_is_set(req, 99) == -1);

  /* A missing required field is a rejected 400 decision, not an error. */
  CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_OK);
  CHECK(mixtral_decision_outcome(dec) == MIXTRAL_REJECTED);
  CHECK(mixtral_decision_reject_status(dec) == 400);
  CHECK(strcmp(mixtral_decision_reject_reason(dec), "request.tier: missing required field") == 0);
  CHECK(mixtral_decision_target(dec) == NULL);

  CHECK(mixtral_request_set_enum_name(req, tier, "pro", 3) == MIXTRAL_OK);
  CHECK(mixtral_request_set_int(req, tokens, 5000) == MIXTRAL_OK);
  {
    mixtral_decide_options_t x;
    memset(&x, 0, sizeof x);
    x.explain = 1;
    CHECK(mixtral_decide(engine, req, dec, &x) == MIXTRAL_OK);
    /* b is removed by `big`: explain.removed = {b: [big]}. */
    CHECK(mixtral_decision_removed_count(dec) == 1);
    CHECK(strcmp(mixtral_decision_removed_target(dec, 0), "b") == 0);
    CHECK(mixtral_decision_removed_rule_count(dec, 0) == 1);
    CHECK(strcmp(mixtral_decision_removed_rule(dec, 0, 0), "big") == 0);
    CHECK(mixtral_decision_removed_rule(dec, 0, 1) == NULL);
  }
  CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_OK);
  CHECK(mixtral_decision_has_explain(dec) == 0);
  CHECK(mixtral_decision_outcome(dec) == MIXTRAL_ROUTED);
  CHECK(strcmp(mixtral_decision_target(dec), "a") == 0);
  CHECK(mixtral_decision_fallback_count(dec) == 0); /* b is forbidden for big requests */
  CHECK(mixtral_decision_now_ms(dec) == 5000);
  CHECK(mixtral_decision_eval_ns(dec) == -1);
  CHECK(strcmp(mixtral_decision_route(dec), "main") == 0);
  CHECK(mixtral_decision_fallback(dec, 3) == NULL);

  /* Unset falls back to the default (100): b is allowed again. */
  CHECK(mixtral_request_unset(req, tokens) == MIXTRAL_OK);
  mixtral_decide_options_t o;
  memset(&o, 0, sizeof o);
  o.has_now = 1;
  o.now_ms = 42;
  o.timing = 1;
  o.explain = 1;
  CHECK(mixtral_decide(engine, req, dec, &o) == MIXTRAL_OK);
  CHECK(mixtral_decision_fallback_count(dec) == 1);
  CHECK(strcmp(mixtral_decision_fallback(dec, 0), "b") == 0);
  CHECK(mixtral_decision_now_ms(dec) == 42);
  CHECK(mixtral_decision_eval_ns(dec) >= 0);
  /* The explanation without JSON: both targets pass every rule; scores in rank order. */
  CHECK(mixtral_decision_has_explain(dec) == 1);
  CHECK(mixtral_decision_removed_count(dec) == 0);
  CHECK(mixtral_decision_score_count(dec) == 2);
  CHECK(strcmp(mixtral_decision_score_target(dec, 0), "a") == 0);
  CHECK(mixtral_decision_score_has_value(dec, 1) == 1 &&
        mixtral_decision_score_value(dec, 1) == 2.0);
  CHECK(mixtral_decision_score_target(dec, 2) == NULL);
  CHECK(mixtral_decision_fault_count(dec) == 0 && mixtral_decision_assertion_count(dec) == 0);
  {
    char* json = NULL;
    size_t len = 0;
    CHECK(mixtral_decision_json(dec, &json, &len) == MIXTRAL_OK);
    CHECK(json && strstr(json, "\"explain\":{") != NULL && len == strlen(json));
    mixtral_string_free(json);
  }

  /* Views of the policy and the snapshot. */
  mixtral_policy_t* p = mixtral_engine_policy(engine);
  CHECK(p && strcmp(mixtral_policy_name(p), "small") == 0);
  CHECK(mixtral_policy_request_schema_id(p) == mixtral_request_schema_id(req));
  CHECK(strcmp(mixtral_policy_field_type(p, (size_t)tags), "set<string>?") == 0);
  CHECK(mixtral_policy_field_name(p, 99) == NULL);
  mixtral_policy_free(p);
  mixtral_snapshot_t* s = mixtral_engine_snapshot(engine);
  CHECK(s && strcmp(mixtral_snapshot_sha256(s), mixtral_decision_snapshot_sha256(dec)) == 0);
  mixtral_snapshot_free(s);

  /* A reload with another request schema: the old request is refused. */
  {
    const char* moved_src = strstr(kPolicy, "  tier: Tier\n");
    char* moved = malloc(strlen(kPolicy) + 1);
    strcpy(moved, kPolicy);
    char* at = moved + (moved_src - kPolicy);
    memcpy(at, "  tier: Tier?", 13); /* optional now: another schema */
    CHECK(mixtral_engine_load_policy_source(engine, "moved.mxl", moved, strlen(moved), &err) ==
          MIXTRAL_OK);
    free(moved);
    CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_E_SCHEMA_CHANGED);
    CHECK(strstr(mixtral_decision_last_error(dec), "schema") != NULL);
    CHECK(mixtral_decision_outcome(dec) == MIXTRAL_REJECTED);
    CHECK(mixtral_engine_rollback(engine) == MIXTRAL_OK);
    CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_OK);
  }

  /* Statistics. */
  mixtral_stats_t st;
  CHECK(mixtral_engine_stats(engine, &st) == MIXTRAL_OK);
  CHECK(st.decisions == 5);
  CHECK(st.routed == 4 && st.rejected == 1);
  CHECK(st.schema_changed == 1);
  CHECK(st.invalid_requests == 1);
  {
    char* json = NULL;
    CHECK(mixtral_engine_stats_json(engine, &json, NULL) == MIXTRAL_OK);
    CHECK(json && strstr(json, "\"by_target\":{\"a\":4}") != NULL);
    mixtral_string_free(json);
  }

  /* Garbage JSON of every kind. */
  CHECK(mixtral_request_set_json(req, "\x00\x01", 2) == MIXTRAL_OK); /* kept, decided as 400 */
  CHECK(mixtral_decide(engine, req, dec, NULL) == MIXTRAL_OK);
  CHECK(mixtral_decision_reject_status(dec) == 400);
  CHECK(mixtral_engine_update_targets(engine, "[]", 2, &err) == MIXTRAL_E_INPUT);
  mixtral_error_free(err);
  err = NULL;
  {
    const char* no = NULL;
    CHECK(mixtral_cascade_next(engine, dec, "{}", 2, &no) == MIXTRAL_E_NOT_CASCADE);
    CHECK(no == NULL);
  }

  mixtral_request_free(req);
  mixtral_decision_free(dec);
  mixtral_engine_free(engine);
  AuditAndChargeAdjust();
  if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
