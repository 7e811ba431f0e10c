#!/usr/bin/env bash
# The CLI's exit codes and output rules (contract §9, SPEC §17), one case per
# ctest test:
#
#   cli_test.sh MIXTRAL JSON_SUBSET CASE
#
# Every case asserts the exact exit code, what stdout holds (only the
# product: nothing on errors, one line with --json, one line per request in
# batch mode) and what stderr must say. Fixtures are in data/; the expected
# decisions are worked out from data/policy.mxl in the comments.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

if (($# != 3)); then
  echo "usage: cli_test.sh MIXTRAL JSON_SUBSET CASE" >&2
  exit 2
fi
mixtral="$1"
json_subset="$2"
case_name="$3"
data="$here/data"
work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
out="$work/out"
err="$work/err"

failures=0
fail() {
  echo "FAIL cli/$case_name: $*" >&2
  failures=$((failures + 1))
}

# run [--stdin FILE] ARGS...: runs mixtral; sets rc.
run() {
  local stdin=/dev/null
  if [[ "${1:-}" == --stdin ]]; then
    stdin="$2"
    shift 2
  fi
  mx_run "$MX_TIMEOUT" "$out" "$err" -- "$mixtral" "$@" <"$stdin"
  rc=$?
  mx_expect_clean "$err" || fail "sanitizer report"
}

expect_rc() {
  if ((rc != $1)); then
    fail "exited $(mx_rc_text $rc), expected $1"
    echo "    stderr:" >&2
    mx_show "$err" 8
  fi
}
expect_stdout_empty() {
  [[ -s "$out" ]] && fail "stdout must be empty, got: $(head -c 300 "$out")"
}
expect_stdout_lines() {
  local n
  n="$(wc -l <"$out")"
  ((n == $1)) || fail "stdout has $n lines, expected $1: $(head -c 300 "$out")"
}
expect_stderr() {
  grep -a -q -E -- "$1" "$err" || {
    fail "stderr does not match /$1/"
    mx_show "$err" 8
  }
}
# expect_json LINE JSON: stdout's line LINE has (at least) the keys of JSON,
# with equal values.
expect_json() {
  printf '%s\n' "$2" >"$work/want.json"
  "$json_subset" --line "$1" "$work/want.json" "$out" || fail "stdout line $1 differs from $2"
}

EVAL=(eval --policy "$data/policy.mxl" --telemetry "$data/telemetry.json")

case "$case_name" in
  # ---- usage: exit 2 -------------------------------------------------------
  no_arguments)
    run
    expect_rc 2
    expect_stdout_empty
    expect_stderr 'usage: mixtral'
    ;;
  unknown_command)
    run frobnicate
    expect_rc 2
    expect_stdout_empty
    expect_stderr 'unknown command'
    ;;
  eval_without_policy)
    run eval --telemetry "$data/telemetry.json" --request "$data/request.json"
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_without_telemetry)
    run eval --policy "$data/policy.mxl" --request "$data/request.json"
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_request_and_requests)
    run "${EVAL[@]}" --request "$data/request.json" --requests "$data/batch_good.jsonl"
    expect_rc 2
    expect_stdout_empty
    expect_stderr 'usage: mixtral eval'
    ;;
  eval_neither_request_nor_requests)
    run "${EVAL[@]}"
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_unknown_flag)
    run "${EVAL[@]}" --request "$data/request.json" --explain-more
    expect_rc 2
    expect_stdout_empty
    expect_stderr 'unknown flag --explain-more'
    ;;
  eval_flag_without_value)
    run "${EVAL[@]}" --request
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_flag_twice)
    run "${EVAL[@]}" --request "$data/request.json" --now 0 --now 1
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_stray_argument)
    run "${EVAL[@]}" --request "$data/request.json" extra.json
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_unknown_route)
    # SPEC §17.1: an unknown --route is a usage error.
    run "${EVAL[@]}" --request "$data/request.json" --route nowhere
    expect_rc 2
    expect_stdout_empty
    expect_stderr 'nowhere'
    ;;
  eval_timing)
    # eval_ns is null unless timing is asked for (contract §1), then a count of ns.
    run "${EVAL[@]}" --request "$data/request.json" --json
    expect_rc 0
    grep -q '"eval_ns":null' "$out" || fail "eval_ns must be null without --timing"
    run "${EVAL[@]}" --request "$data/request.json" --json --timing
    expect_rc 0
    grep -Eq '"eval_ns":[0-9]+[,}]' "$out" || fail "--timing must set eval_ns to a number"
    ;;
  eval_request_dev_zero)
    # Reads stop one byte past the 64 KiB limit, so an endless input is E1003.
    run "${EVAL[@]}" --request /dev/zero
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'E1003'
    ;;
  check_import_dev_zero)
    # Imports are read up to 1 MiB + 1: an import of /dev/zero is E0004.
    printf 'policy p version "1"\nimport "%s/dev/zero"\nroute r { require a: true }\n' \
      "$(realpath --relative-to="$work" / )" >"$work/z.mxl"
    run check "$work/z.mxl"
    expect_rc 1
    expect_stderr 'E0004'
    ;;
  eval_unparsable_now)
    # SPEC §17.1: an unparsable --now is a usage error.
    run "${EVAL[@]}" --request "$data/request.json" --now yesterday
    expect_rc 2
    expect_stdout_empty
    expect_stderr 'yesterday'
    ;;
  eval_unknown_engine)
    run "${EVAL[@]}" --request "$data/request.json" --engine turbo
    expect_rc 2
    expect_stdout_empty
    ;;
  eval_jit_without_jit)
    # Registered only in builds configured with MIXTRAL_ENABLE_JIT=OFF.
    run "${EVAL[@]}" --request "$data/request.json" --engine jit
    expect_rc 2
    expect_stdout_empty
    expect_stderr "this build has no JIT"
    ;;
  check_without_files)
    run check
    expect_rc 2
    expect_stdout_empty
    ;;
  help)
    run help
    expect_rc 0
    grep -q 'usage: mixtral' "$out" || fail "help must print the usage on stdout"
    ;;

  # ---- output rules ----------------------------------------------------------
  eval_json_is_one_line)
    # now defaults to taken_at: both targets are fresh (age 0) and healthy, so
    # main routes to a (candidate order) with b as its fallback.
    run "${EVAL[@]}" --request "$data/request.json" --json
    expect_rc 0
    expect_stdout_lines 1
    expect_json 1 '{"route": "main", "outcome": "routed", "target": "a", "fallbacks": ["b"],
      "decision_id": "r1", "now": "2026-01-01T00:00:00.000Z", "snapshot_version": "snap-1",
      "snapshot_taken_at": "2026-01-01T00:00:00.000Z", "policy": "cli", "policy_version": "1"}'
    [[ -s "$err" ]] && fail "stderr must be empty on success, got: $(head -c 200 "$err")"
    ;;
  eval_pretty_by_default)
    run "${EVAL[@]}" --request "$data/request.json"
    expect_rc 0
    (($(wc -l <"$out") > 10)) || fail "without --json the decision is printed indented"
    tr -d '\n' <"$out" >"$work/joined"
    mv "$work/joined" "$out"
    expect_json 1 '{"outcome": "routed", "target": "a", "fallbacks": ["b"]}'
    ;;
  eval_request_from_stdin)
    run --stdin "$data/request.json" "${EVAL[@]}" --request - --json
    expect_rc 0
    expect_stdout_lines 1
    expect_json 1 '{"outcome": "routed", "target": "a", "decision_id": "r1"}'
    ;;
  eval_no_explain)
    run "${EVAL[@]}" --request "$data/request.json" --json --no-explain
    expect_rc 0
    expect_stdout_lines 1
    expect_json 1 '{"target": "a", "fallbacks": ["b"], "explain": null}'
    ;;
  eval_explain_by_default)
    run "${EVAL[@]}" --request "$data/request.json" --json
    expect_rc 0
    expect_json 1 '{"explain": {"assertions": [], "dropped": [], "faults": [], "removed": {},
      "scores": {"a": null, "b": null}}}'
    ;;
  eval_trace_goes_to_stderr)
    # Two targets x two rules of route main: four verdict lines (SPEC §17.2).
    run "${EVAL[@]}" --request "$data/request.json" --json --trace
    expect_rc 0
    expect_stdout_lines 1
    n="$(grep -c '^trace: route=main target=[ab] rule=\(healthy\|fresh\) verdict=pass' "$err")"
    ((n == 4)) || fail "expected 4 trace lines 'trace: route=main target=T rule=R verdict=pass', got $n"
    ;;
  eval_route_override)
    # A free request would take `main`; --route forces pro_only (no fallback).
    run "${EVAL[@]}" --request "$data/request.json" --json --route pro_only
    expect_rc 0
    expect_json 1 '{"route": "pro_only", "outcome": "routed", "target": "a", "fallbacks": []}'
    ;;

  # ---- time ------------------------------------------------------------------
  eval_now_epoch_ms)
    # taken_at + 30 000 ms: every target's age is exactly the 30 s bound, so
    # both are stale and main rejects (contract §3: age >= bound is stale).
    run "${EVAL[@]}" --request "$data/request.json" --json --now 1767225630000
    expect_rc 0
    expect_json 1 '{"now": "2026-01-01T00:00:30.000Z", "outcome": "rejected", "target": null,
      "reject": {"status": 503, "reason": "no eligible target"},
      "explain": {"assertions": [], "dropped": [], "faults": [],
                  "removed": {"a": ["fresh"], "b": ["fresh"]}, "scores": {}}}'
    ;;
  eval_now_rfc3339)
    # 1 ms before the bound: still fresh.
    run "${EVAL[@]}" --request "$data/request.json" --json --now 2026-01-01T00:00:29.999Z
    expect_rc 0
    expect_json 1 '{"now": "2026-01-01T00:00:29.999Z", "outcome": "routed", "target": "a"}'
    ;;
  eval_now_rfc3339_offset)
    # An offset is converted: 01:00+01:00 is 00:00Z, written in UTC.
    run "${EVAL[@]}" --request "$data/request.json" --json --now 2026-01-01T01:00:00+01:00
    expect_rc 0
    expect_json 1 '{"now": "2026-01-01T00:00:00.000Z", "outcome": "routed"}'
    ;;
  eval_missing_taken_at_without_now)
    run eval --policy "$data/policy.mxl" --telemetry "$data/telemetry_no_taken_at.json" \
      --request "$data/request.json" --json
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'taken_at'
    expect_stderr '--now'
    ;;
  eval_missing_taken_at_with_now)
    run eval --policy "$data/policy.mxl" --telemetry "$data/telemetry_no_taken_at.json" \
      --request "$data/request.json" --json --now 2026-01-01T00:00:00Z
    expect_rc 0
    expect_stdout_lines 1
    expect_json 1 '{"now": "2026-01-01T00:00:00.000Z", "snapshot_taken_at": null}'
    ;;

  # ---- user errors: exit 1, nothing on stdout ----------------------------------
  eval_bad_request)
    run "${EVAL[@]}" --request "$data/request_bad.json" --json
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'request_bad\.json: error\[E1013\]: request\.tier: unknown enum value "gold"'
    ;;
  eval_bad_snapshot)
    run eval --policy "$data/policy.mxl" --telemetry "$data/telemetry_bad.json" \
      --request "$data/request.json" --json
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'telemetry_bad\.json: error\[E1022\]: snapshot\.targets: '
    ;;
  eval_policy_with_errors)
    run eval --policy "$data/broken.mxl" --telemetry "$data/telemetry.json" \
      --request "$data/request.json" --json
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'broken\.mxl:4:15: error\[E0103\]'
    ;;
  eval_snapshot_unknown_member)
    # SPEC §15.4: an unknown top-level snapshot member is E1011 in the CLI.
    printf '{"taken_at": 0, "targets": [], "target": []}\n' >"$work/snapshot.json"
    run eval --policy "$data/policy.mxl" --telemetry "$work/snapshot.json" \
      --request "$data/request.json" --json
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'snapshot\.json: error\[E1011\]: snapshot\.target: '
    ;;
  eval_inventory_unknown_attribute)
    # SPEC §15.5: an unknown inventory attribute is E1011 in the CLI.
    printf '[{"name": "c", "colour": "red"}]\n' >"$work/inventory.json"
    run "${EVAL[@]}" --inventory "$work/inventory.json" --request "$data/request.json" --json
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'inventory\.json: error\[E1011\]: inventory\[0\]\.colour: '
    ;;
  eval_unreadable_files)
    for flag in --policy --telemetry --request; do
      args=(eval --policy "$data/policy.mxl" --telemetry "$data/telemetry.json" --request "$data/request.json")
      for i in "${!args[@]}"; do [[ "${args[$i]}" == "$flag" ]] && args[$((i + 1))]="$work/missing"; done
      run "${args[@]}" --json
      expect_rc 1
      expect_stdout_empty
      expect_stderr "$work/missing"
    done
    ;;

  # ---- batch mode ----------------------------------------------------------------
  eval_batch_with_bad_lines)
    # batch.jsonl: 1 good (free -> main -> a), 2 unknown tier, 3 blank
    # (skipped, but counted), 4 malformed JSON, 5 good (pro -> pro_only -> a).
    run "${EVAL[@]}" --requests "$data/batch.jsonl" --no-explain
    expect_rc 1
    expect_stdout_lines 4
    expect_json 1 '{"decision_id": "b1", "route": "main", "target": "a", "fallbacks": ["b"]}'
    expect_json 2 '{"line": 2, "error": {"code": "E1013", "path": "request.tier",
      "message": "unknown enum value \"gold\""}}'
    expect_json 3 '{"line": 4}'
    grep -q '^{"error":{"code":"E1001",' <(sed -n 3p "$out") || fail "line 4 must be an E1001 error"
    expect_json 4 '{"decision_id": "b5", "route": "pro_only", "target": "a", "fallbacks": []}'
    ;;
  eval_batch_all_good)
    run "${EVAL[@]}" --requests "$data/batch_good.jsonl"
    expect_rc 0
    expect_stdout_lines 2
    expect_json 1 '{"decision_id": "g1", "route": "main"}'
    expect_json 2 '{"decision_id": "g2", "route": "pro_only"}'
    ;;

  # ---- check -----------------------------------------------------------------------
  check_ok)
    run check "$data/policy.mxl"
    expect_rc 0
    expect_stdout_empty
    expect_stderr '^checked 1 file: 0 failed$'
    ;;
  check_one_of_two_fails)
    run check "$data/policy.mxl" "$data/broken.mxl"
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'broken\.mxl:4:15: error\[E0103\]'
    expect_stderr '^checked 2 files: 1 failed$'
    ;;
  check_warning_exits_0)
    run check "$data/warning.mxl"
    expect_rc 0
    expect_stdout_empty
    expect_stderr 'warning\.mxl:7:16: warning\[W0306\]'
    ;;
  check_werror)
    run check "$data/warning.mxl" --werror
    expect_rc 1
    expect_stdout_empty
    expect_stderr 'warning\.mxl:7:16: warning\[W0306\]'
    ;;
  *)
    echo "cli_test.sh: unknown case '$case_name'" >&2
    exit 2
    ;;
esac

if ((failures > 0)); then
  exit 1
fi
echo "ok cli/$case_name"
