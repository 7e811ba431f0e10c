/* libmixtral: the C ABI of the mixtral routing-policy engine.
 *
 * A proxy loads a policy, publishes telemetry snapshots as they arrive, and
 * decides each request in microseconds, from any number of threads:
 *
 *   mixtral_engine_t* engine;
 *   mixtral_error_t* err = NULL;
 *   if (mixtral_engine_new(MIXTRAL_ENGINE_AUTO, &engine, &err) != MIXTRAL_OK ||
 *       mixtral_engine_load_policy_file(engine, "route16.mxl", &err) != MIXTRAL_OK ||
 *       mixtral_engine_publish_snapshot(engine, snap, snap_len, inv, inv_len, &err) != MIXTRAL_OK)
 * { fprintf(stderr, "%s\n", mixtral_error_message(err));   // diagnostics, located
 *     mixtral_error_free(err);
 *     return 1;
 *   }
 *   // Per thread: one request and one decision handle, reused for every request.
 *   mixtral_request_t* req;  mixtral_request_new(engine, &req, NULL);
 *   mixtral_decision_t* dec; mixtral_decision_new(engine, &dec, NULL);
 *   int32_t tier = mixtral_request_field_index(req, "tier");  // once, by name
 *   ...
 *   mixtral_request_set_enum_name(req, tier, "pro", 3);
 *   if (mixtral_decide(engine, req, dec, NULL) == MIXTRAL_OK)
 *     printf("%s\n", mixtral_decision_target(dec));           // NULL when rejected
 *
 * Ownership. Every `*_new` and every function that returns an owned object
 * says so; free it with the matching `*_free`, which accepts NULL. Strings
 * returned as `const char*` are NUL-terminated UTF-8 owned by the handle
 * they came from, and stay valid until that handle is next written (the next
 * decision into a decision handle, the next setter on a request) or freed.
 * Free handles before the engine that made them.
 *
 * Errors. Functions return a mixtral_status_t. Where they take a
 * `mixtral_error_t** err` (loads, publishes), a failure stores an error object
 * there if err is not NULL: read its code and message, then free it. Request
 * setters and decisions keep their last error message on the handle instead
 * (mixtral_request_last_error, mixtral_decision_last_error), so that the hot
 * path allocates nothing. No C++ exception ever crosses this boundary.
 *
 * Threads. The engine is safe for concurrent use: any number of threads may
 * decide while another loads policies or publishes snapshots; a decision
 * never blocks on them and always sees one consistent (policy, snapshot)
 * pair. A request or decision handle belongs to one thread at a time.
 * Decisions take no lock, except re2's internal one when the policy uses
 * regular expressions, and (once per thread after each policy or snapshot
 * change) the short lock that re-lays its statistics out.
 *
 * Allocation. With the JIT engine and a policy whose clauses the JIT compiles
 * in full, mixtral_decide without explanation allocates nothing once the
 * handles have decided one request. String, list, set and map request fields
 * that the policy reads cost one allocation each per decision.
 *
 * Request schemas. A request handle is laid out by the request schema of
 * the policy that was active when it was created, and carries that schema's
 * id. Deciding it against a policy with another request schema fails with
 * MIXTRAL_E_SCHEMA_CHANGED, never with a silently wrong field; a reload that
 * keeps the schema keeps every handle and index valid.
 *
 * This header is C99.
 */
#ifndef MIXTRAL_MIXTRAL_H
#define MIXTRAL_MIXTRAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIXTRAL_ABI_VERSION 1

typedef enum mixtral_status {
  MIXTRAL_OK = 0,
  MIXTRAL_E_NULL = 1,           /* a required pointer argument was NULL */
  MIXTRAL_E_INDEX = 2,          /* no request field has this index */
  MIXTRAL_E_TYPE = 3,           /* the value does not have the field's type */
  MIXTRAL_E_UTF8 = 4,           /* invalid UTF-8 */
  MIXTRAL_E_TOO_LONG = 5,       /* over the 4 KiB string field limit */
  MIXTRAL_E_ENUM = 6,           /* not a member of the field's enum */
  MIXTRAL_E_INPUT = 7,          /* malformed JSON, snapshot or response */
  MIXTRAL_E_SCHEMA_CHANGED = 8, /* the request was laid out for another schema */
  MIXTRAL_E_NO_POLICY = 9,
  MIXTRAL_E_NO_SNAPSHOT = 10,
  MIXTRAL_E_COMPILE = 11,     /* the policy has errors; the running one is kept */
  MIXTRAL_E_NOT_CASCADE = 12, /* no further cascade stage */
  MIXTRAL_E_USAGE = 13,       /* e.g. the JIT asked of a build without it */
  MIXTRAL_E_INTERNAL = 14
} mixtral_status_t;

typedef enum mixtral_engine_kind {
  MIXTRAL_ENGINE_AUTO = 0, /* the JIT where built, else the interpreter */
  MIXTRAL_ENGINE_JIT = 1,
  MIXTRAL_ENGINE_INTERP = 2
} mixtral_engine_kind_t;

typedef enum mixtral_outcome {
  MIXTRAL_ROUTED = 0,
  MIXTRAL_DEGRADED = 1,
  MIXTRAL_REJECTED = 2
} mixtral_outcome_t;

typedef struct mixtral_engine mixtral_engine_t;
typedef struct mixtral_policy mixtral_policy_t;
typedef struct mixtral_snapshot mixtral_snapshot_t;
typedef struct mixtral_request mixtral_request_t;
typedef struct mixtral_decision mixtral_decision_t;
typedef struct mixtral_error mixtral_error_t;

/* ---- Errors ---------------------------------------------------------- */

mixtral_status_t mixtral_error_code(const mixtral_error_t* err);
/* Every diagnostic, rendered `file:line:col: error[E0123]: message` plus the
 * source line, or the input error with its JSON path. Owned by err. */
const char* mixtral_error_message(const mixtral_error_t* err);
void mixtral_error_free(mixtral_error_t* err);
/* A short constant name for a status, e.g. "MIXTRAL_E_SCHEMA_CHANGED". */
const char* mixtral_status_name(mixtral_status_t status);

/* ---- Engine ------------------------------------------------------------ */

/* Epoch milliseconds; called per decision that gives no explicit `now`. */
typedef int64_t (*mixtral_clock_fn)(void* user);

typedef enum mixtral_audit_durability {
  MIXTRAL_AUDIT_BATCH = 0, /* fdatasync every 10 ms (the default) */
  MIXTRAL_AUDIT_NONE = 1,  /* leave it to the kernel */
  MIXTRAL_AUDIT_ALWAYS = 2 /* fdatasync after every record */
} mixtral_audit_durability_t;

typedef struct mixtral_engine_options {
  mixtral_engine_kind_t engine;
  int no_fallback;        /* nonzero: constructs the JIT cannot lower are errors */
  mixtral_clock_fn clock; /* NULL: the system clock */
  void* clock_user;
  const char* instance; /* prefix of generated decision ids; NULL: "mx" */
  /* The tamper-evident audit log (lang/SPEC.md §19): one record per decision
   * and per charge adjustment, written by a thread of its own. NULL: no
   * audit. The engine holds the log's lock until it is freed. */
  const char* audit_path;
  mixtral_audit_durability_t audit_durability;
} mixtral_engine_options_t;

/* *out receives an owned engine; free it with mixtral_engine_free. */
mixtral_status_t mixtral_engine_new(mixtral_engine_kind_t kind, mixtral_engine_t** out,
                                    mixtral_error_t** err);
mixtral_status_t mixtral_engine_new_with(const mixtral_engine_options_t* options,
                                         mixtral_engine_t** out, mixtral_error_t** err);
void mixtral_engine_free(mixtral_engine_t* engine);

/* Compile and make active. On failure the running policy stays. */
mixtral_status_t mixtral_engine_load_policy_file(mixtral_engine_t* engine, const char* path,
                                                 mixtral_error_t** err);
mixtral_status_t mixtral_engine_load_policy_source(mixtral_engine_t* engine, const char* name,
                                                   const char* text, size_t len,
                                                   mixtral_error_t** err);
/* Back to the last-known-good policy; MIXTRAL_E_NO_POLICY when there is none. */
mixtral_status_t mixtral_engine_rollback(mixtral_engine_t* engine);
/* A candidate decides beside the active policy, counted and never acted on. */
mixtral_status_t mixtral_engine_load_candidate_file(mixtral_engine_t* engine, const char* path,
                                                    mixtral_error_t** err);
mixtral_status_t mixtral_engine_load_candidate_source(mixtral_engine_t* engine, const char* name,
                                                      const char* text, size_t len,
                                                      mixtral_error_t** err);
void mixtral_engine_clear_candidate(mixtral_engine_t* engine);
mixtral_status_t mixtral_engine_promote_candidate(mixtral_engine_t* engine);

/* Telemetry: a full snapshot (inventory may be NULL), a per-target partial
 * update `{"targets": [{"name": ..., fields...}]}`, or a new inventory. */
mixtral_status_t mixtral_engine_publish_snapshot(mixtral_engine_t* engine, const char* json,
                                                 size_t len, const char* inventory,
                                                 size_t inventory_len, mixtral_error_t** err);
mixtral_status_t mixtral_engine_update_targets(mixtral_engine_t* engine, const char* json,
                                               size_t len, mixtral_error_t** err);
mixtral_status_t mixtral_engine_update_inventory(mixtral_engine_t* engine, const char* json,
                                                 size_t len, mixtral_error_t** err);

/* The engine's number of the active policy version (0: none). */
uint64_t mixtral_engine_active_version(const mixtral_engine_t* engine);

/* Counters, summed over every thread when read. */
typedef struct mixtral_stats {
  uint64_t decisions;
  uint64_t routed, degraded, rejected;
  uint64_t invalid_requests;
  uint64_t unknown_request_fields;
  uint64_t schema_changed;
  uint64_t faulted_decisions;
  uint64_t snapshots_published;
  uint64_t snapshot_wrong_type_fields;
  uint64_t snapshot_unknown_targets;
  uint64_t policies_loaded;
  uint64_t policy_load_failures;
  uint64_t versions_reclaimed;
  uint64_t candidate_compared;
  uint64_t candidate_differed;
  uint64_t latency_samples;
  uint64_t latency_ns_log2[32]; /* bucket i: [2^i, 2^(i+1)) ns */
} mixtral_stats_t;
mixtral_status_t mixtral_engine_stats(const mixtral_engine_t* engine, mixtral_stats_t* out);
/* Every counter, the name-keyed ones too (by route, target, rule, assertion,
 * candidate difference), as one JSON object. *out is owned: free it with
 * mixtral_string_free. */
mixtral_status_t mixtral_engine_stats_json(const mixtral_engine_t* engine, char** out, size_t* len);
void mixtral_string_free(char* s);

/* ---- Policy and snapshot (read-only views, owned) ---------------------- */

/* The active policy version; NULL before the first load. Keeps that version
 * alive until freed. */
mixtral_policy_t* mixtral_engine_policy(const mixtral_engine_t* engine);
void mixtral_policy_free(mixtral_policy_t* policy);
uint64_t mixtral_policy_version_number(const mixtral_policy_t* policy);
const char* mixtral_policy_name(const mixtral_policy_t* policy);
const char* mixtral_policy_version(const mixtral_policy_t* policy);
const char* mixtral_policy_hash(const mixtral_policy_t* policy);
uint64_t mixtral_policy_request_schema_id(const mixtral_policy_t* policy);
size_t mixtral_policy_field_count(const mixtral_policy_t* policy);
const char* mixtral_policy_field_name(const mixtral_policy_t* policy, size_t index);
/* The declared type, e.g. "int", "Tier", "set<Family>", "string?". */
const char* mixtral_policy_field_type(const mixtral_policy_t* policy, size_t index);

/* The published snapshot; NULL before the first publish. */
mixtral_snapshot_t* mixtral_engine_snapshot(const mixtral_engine_t* engine);
void mixtral_snapshot_free(mixtral_snapshot_t* snapshot);
const char* mixtral_snapshot_sha256(const mixtral_snapshot_t* snapshot);
/* Canonical JSON (contract §12), breaker state included. */
const char* mixtral_snapshot_json(const mixtral_snapshot_t* snapshot, size_t* len);

/* ---- Requests ---------------------------------------------------------- */

/* Laid out by the active policy's request schema. */
mixtral_status_t mixtral_request_new(const mixtral_engine_t* engine, mixtral_request_t** out,
                                     mixtral_error_t** err);
void mixtral_request_free(mixtral_request_t* req);
uint64_t mixtral_request_schema_id(const mixtral_request_t* req);
/* The index of a field, or -1. Resolve once, reuse for every request. */
int32_t mixtral_request_field_index(const mixtral_request_t* req, const char* name);
/* The message of the last failed setter on this handle ("" if none). */
const char* mixtral_request_last_error(const mixtral_request_t* req);

mixtral_status_t mixtral_request_set_bool(mixtral_request_t* req, int32_t field, int value);
/* int, duration (milliseconds), time (epoch milliseconds); a float field
 * takes the nearest double. */
mixtral_status_t mixtral_request_set_int(mixtral_request_t* req, int32_t field, int64_t value);
mixtral_status_t mixtral_request_set_float(mixtral_request_t* req, int32_t field, double value);
/* A string field, or an enum field by member name. */
mixtral_status_t mixtral_request_set_string(mixtral_request_t* req, int32_t field,
                                            const char* value, size_t len);
mixtral_status_t mixtral_request_set_enum(mixtral_request_t* req, int32_t field, uint32_t ordinal);
mixtral_status_t mixtral_request_set_enum_name(mixtral_request_t* req, int32_t field,
                                               const char* name, size_t len);
/* Lists and sets; a set drops duplicates. */
mixtral_status_t mixtral_request_set_ints(mixtral_request_t* req, int32_t field,
                                          const int64_t* values, size_t count);
mixtral_status_t mixtral_request_set_floats(mixtral_request_t* req, int32_t field,
                                            const double* values, size_t count);
mixtral_status_t mixtral_request_set_strings(mixtral_request_t* req, int32_t field,
                                             const char* const* values, const size_t* lens,
                                             size_t count);
mixtral_status_t mixtral_request_set_enums(mixtral_request_t* req, int32_t field,
                                           const uint32_t* ordinals, size_t count);
/* Any field type, maps included, as its JSON value; `null` unsets. */
mixtral_status_t mixtral_request_set_field_json(mixtral_request_t* req, int32_t field,
                                                const char* json, size_t len);
/* The whole request as JSON. Unknown fields are counted and ignored unless
 * the schema is `closed`; an invalid request is kept and decided as
 * rejected 400 with the JSON path in its reason. */
mixtral_status_t mixtral_request_set_json(mixtral_request_t* req, const char* json, size_t len);
/* Back to unset: the field's default applies, or it reads as missing. */
mixtral_status_t mixtral_request_unset(mixtral_request_t* req, int32_t field);
/* 1 when set, 0 when unset (so a default would apply), -1 for a bad index. */
int mixtral_request_is_set(const mixtral_request_t* req, int32_t field);
void mixtral_request_clear(mixtral_request_t* req);

/* ---- Decisions --------------------------------------------------------- */

mixtral_status_t mixtral_decision_new(mixtral_engine_t* engine, mixtral_decision_t** out,
                                      mixtral_error_t** err);
void mixtral_decision_free(mixtral_decision_t* dec);

typedef struct mixtral_decide_options {
  int has_now; /* nonzero: use now_ms instead of the engine's clock */
  int64_t now_ms;
  int explain;       /* nonzero: evaluate every rule and keep the explanation */
  int timing;        /* nonzero: fill eval_ns */
  const char* route; /* force a route (NULL: choose); recorded as route_override */
} mixtral_decide_options_t;

/* options may be NULL. On MIXTRAL_OK the decision is in dec (an invalid
 * request is a rejected 400 decision, not an error). */
mixtral_status_t mixtral_decide(mixtral_engine_t* engine, const mixtral_request_t* req,
                                mixtral_decision_t* dec, const mixtral_decide_options_t* options);
const char* mixtral_decision_last_error(const mixtral_decision_t* dec);

/* The decision fields (contract §1). */
const char* mixtral_decision_route(const mixtral_decision_t* dec);
mixtral_outcome_t mixtral_decision_outcome(const mixtral_decision_t* dec);
const char* mixtral_decision_target(const mixtral_decision_t* dec); /* NULL when rejected */
size_t mixtral_decision_fallback_count(const mixtral_decision_t* dec);
const char* mixtral_decision_fallback(const mixtral_decision_t* dec, size_t i);
size_t mixtral_decision_mirror_count(const mixtral_decision_t* dec);
const char* mixtral_decision_mirror_target(const mixtral_decision_t* dec, size_t i);
int32_t mixtral_decision_mirror_rate_bp(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_variant(const mixtral_decision_t* dec);   /* NULL: none */
int32_t mixtral_decision_reject_status(const mixtral_decision_t* dec); /* 0 unless rejected */
const char* mixtral_decision_reject_reason(
    const mixtral_decision_t* dec); /* NULL unless rejected */
const char* mixtral_decision_degraded_reason(const mixtral_decision_t* dec); /* NULL: none */

/* A JSON scalar: annotations and simple escalation conditions. */
typedef enum mixtral_scalar_kind {
  MIXTRAL_SCALAR_NONE = 0,
  MIXTRAL_SCALAR_STRING = 1,
  MIXTRAL_SCALAR_INT = 2,
  MIXTRAL_SCALAR_FLOAT = 3,
  MIXTRAL_SCALAR_BOOL = 4
} mixtral_scalar_kind_t;
typedef struct mixtral_scalar {
  mixtral_scalar_kind_t kind;
  const char* s; /* STRING, owned by the decision */
  int64_t i;     /* INT */
  double f;      /* FLOAT */
  int b;         /* BOOL */
} mixtral_scalar_t;

size_t mixtral_decision_escalation_count(const mixtral_decision_t* dec);
const char* mixtral_decision_escalation_target(const mixtral_decision_t* dec, size_t i);
/* 1: the condition is `response.FIELD OP VALUE`; 0: an expression, see _expr. */
int mixtral_decision_escalation_is_simple(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_escalation_field(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_escalation_op(const mixtral_decision_t* dec, size_t i);
mixtral_scalar_t mixtral_decision_escalation_value(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_escalation_expr(const mixtral_decision_t* dec, size_t i);
int32_t mixtral_decision_escalation_id(const mixtral_decision_t* dec, size_t i);

int mixtral_decision_has_ensemble(const mixtral_decision_t* dec);
size_t mixtral_decision_ensemble_member_count(const mixtral_decision_t* dec);
const char* mixtral_decision_ensemble_member(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_ensemble_combiner(const mixtral_decision_t* dec);

size_t mixtral_decision_annotation_count(const mixtral_decision_t* dec);
const char* mixtral_decision_annotation_key(const mixtral_decision_t* dec, size_t i);
mixtral_scalar_t mixtral_decision_annotation_value(const mixtral_decision_t* dec, size_t i);

/* The identity fields. */
const char* mixtral_decision_id(const mixtral_decision_t* dec);
const char* mixtral_decision_policy_hash(const mixtral_decision_t* dec);
const char* mixtral_decision_snapshot_sha256(const mixtral_decision_t* dec);
int64_t mixtral_decision_now_ms(const mixtral_decision_t* dec);
int64_t mixtral_decision_eval_ns(const mixtral_decision_t* dec); /* -1 unless timing */
uint64_t mixtral_decision_policy_version_number(const mixtral_decision_t* dec);

/* The explanation (contract §2), present when the decision was asked for
 * one (mixtral_decide_options_t.explain). Counts are 0 without it. */
int mixtral_decision_has_explain(const mixtral_decision_t* dec);
/* explain.removed: each removed target and its failed rules, in order. */
size_t mixtral_decision_removed_count(const mixtral_decision_t* dec);
const char* mixtral_decision_removed_target(const mixtral_decision_t* dec, size_t i);
size_t mixtral_decision_removed_rule_count(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_removed_rule(const mixtral_decision_t* dec, size_t i, size_t k);
/* explain.dropped: named targets dropped by a binding rule. */
size_t mixtral_decision_dropped_count(const mixtral_decision_t* dec);
const char* mixtral_decision_dropped_target(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_dropped_role(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_dropped_rule(const mixtral_decision_t* dec, size_t i);
/* explain.scores: survivors in rank order; a missing score has has_value 0. */
size_t mixtral_decision_score_count(const mixtral_decision_t* dec);
const char* mixtral_decision_score_target(const mixtral_decision_t* dec, size_t i);
int mixtral_decision_score_has_value(const mixtral_decision_t* dec, size_t i);
double mixtral_decision_score_value(const mixtral_decision_t* dec, size_t i);
/* explain.faults: verdicts that came out missing, and the inputs that made them so. */
size_t mixtral_decision_fault_count(const mixtral_decision_t* dec);
const char* mixtral_decision_fault_target(const mixtral_decision_t* dec,
                                          size_t i); /* "" for a route */
const char* mixtral_decision_fault_rule(const mixtral_decision_t* dec, size_t i);
size_t mixtral_decision_fault_field_count(const mixtral_decision_t* dec, size_t i);
const char* mixtral_decision_fault_field(const mixtral_decision_t* dec, size_t i, size_t k);
/* explain.assertions: the violated assertions. */
size_t mixtral_decision_assertion_count(const mixtral_decision_t* dec);
const char* mixtral_decision_assertion(const mixtral_decision_t* dec, size_t i);

/* The whole decision, explanation included when it was asked for, as
 * DecisionV1 JSON (lang/decision.schema.json). *out is owned: free it with
 * mixtral_string_free. Allocates; not for the hot path. */
mixtral_status_t mixtral_decision_json(const mixtral_decision_t* dec, char** out, size_t* len);

/* The data plane used actual_target (a fallback, say) instead of the decided
 * target, and/or knows the actual cost (has_cost nonzero): the decision's
 * budget charges are recomputed for that target, corrected in the counters
 * and audited as charge_adjust records. Once per decision. */
mixtral_status_t mixtral_charge_adjust(mixtral_engine_t* engine, mixtral_decision_t* dec,
                                       const char* actual_target, size_t len, int has_cost,
                                       double actual_cost);

/* A cascade: the data plane reports the response of the stage it last
 * called (the primary first). *escalate_to is the next stage's target when
 * its condition holds (a missing condition escalates), or NULL when the
 * response is accepted. Owned by dec. */
mixtral_status_t mixtral_cascade_next(mixtral_engine_t* engine, mixtral_decision_t* dec,
                                      const char* response_json, size_t len,
                                      const char** escalate_to);

#ifdef __cplusplus
}
#endif

#endif /* MIXTRAL_MIXTRAL_H */
