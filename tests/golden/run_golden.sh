#!/usr/bin/env bash
# Runs one golden case (tests/golden/<category>/<case>/).
#
#   run_golden.sh MIXTRAL JSON_SUBSET CASE_DIR
#
# syntax/ and semantic/ cases: `mixtral check policy.mxl [args]` from inside the
# case folder. expected.err lists the diagnostics in order; only the prefix
# `file:line:col: severity[CODE]` of each line and their count are compared,
# so the prose can improve without touching the goldens. The exit code must
# be 1 when an error (or, with --werror, a warning) is expected, else 0.
#
# eval/ cases: `mixtral eval --policy policy.mxl --request request.json
# --telemetry telemetry.json [--inventory inventory.json] [args] --json`,
# compared with expected.json on every decision field (json_subset
# --decision). The case runs with every engine in $MIXTRAL_TEST_ENGINES
# (default "interp"; CMake adds "jit" when the build has it), and again with
# --no-explain, which must give the same decision fields with
# `explain: null` (contract §2).
#
# `args`, when present, holds extra flags on one line (`--werror`,
# `--now 2026-01-01T00:00:00Z`, `--route fast`).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

if (($# != 3)); then
  echo "usage: run_golden.sh MIXTRAL JSON_SUBSET CASE_DIR" >&2
  exit 2
fi
mixtral="$1"
json_subset="$2"
case_dir="$(cd "$3" && pwd)"
category="$(basename "$(dirname "$case_dir")")"
name="$category/$(basename "$case_dir")"
work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-golden.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
  echo "FAIL golden/$name: $*" >&2
  failures=$((failures + 1))
}

extra=()
if [[ -f "$case_dir/args" ]]; then
  read -r -a extra <"$case_dir/args"
fi

diag_re='^[^[:space:]]+:[0-9]+:[0-9]+: (error|warning)\[[A-Z][0-9]{4}\]'

run_check() {
  [[ -f "$case_dir/expected.err" ]] || { fail "no expected.err"; return; }
  grep -E -o "$diag_re" "$case_dir/expected.err" >"$work/want"
  if [[ ! -s "$work/want" ]]; then
    fail "expected.err has no line of the form 'policy.mxl:L:C: error[E0000]: ...'"
    return
  fi
  local want_rc=0
  if grep -q ': error\[' "$work/want"; then
    want_rc=1
  elif [[ " ${extra[*]:-} " == *" --werror "* ]]; then
    want_rc=1
  fi
  (cd "$case_dir" && mx_run "$MX_TIMEOUT" "$work/out" "$work/err" -- "$mixtral" check policy.mxl "${extra[@]}")
  local rc=$?
  mx_expect_clean "$work/err" || fail "sanitizer report"
  if ((rc != want_rc)); then
    fail "mixtral check exited $(mx_rc_text $rc), expected $want_rc"
  fi
  grep -a -E -o "$diag_re" "$work/err" >"$work/got"
  if ! cmp -s "$work/want" "$work/got"; then
    fail "diagnostics differ (only 'file:line:col: severity[CODE]' and the count are compared)"
    echo "    expected:" >&2
    mx_show "$work/want" 50
    echo "    actual:" >&2
    mx_show "$work/got" 50
    echo "    stderr:" >&2
    mx_show "$work/err" 40
  fi
}

run_eval() {
  local f
  for f in request.json telemetry.json expected.json; do
    [[ -f "$case_dir/$f" ]] || { fail "no $f"; return; }
  done
  local cmd=("$mixtral" eval --policy policy.mxl --request request.json --telemetry telemetry.json)
  [[ -f "$case_dir/inventory.json" ]] && cmd+=(--inventory inventory.json)
  cmd+=("${extra[@]}" --json)

  local engine mode rc
  for engine in ${MIXTRAL_TEST_ENGINES:-interp}; do
    for mode in explain no-explain; do
      local flags=(--engine "$engine") subset=(--decision) what="--engine $engine, $mode"
      if [[ $mode == no-explain ]]; then
        flags+=(--no-explain)
        subset+=(--no-explain)
      fi
      (cd "$case_dir" && mx_run "$MX_TIMEOUT" "$work/out" "$work/err" -- "${cmd[@]}" "${flags[@]}")
      rc=$?
      mx_expect_clean "$work/err" || fail "sanitizer report ($what)"
      if ((rc != 0)); then
        fail "mixtral eval ($what) exited $(mx_rc_text $rc), expected 0"
        mx_show "$work/err"
        continue
      fi
      if [[ "$(wc -l <"$work/out")" != 1 ]]; then
        fail "mixtral eval --json ($what) printed $(wc -l <"$work/out") lines, expected exactly 1"
        continue
      fi
      if ! "$json_subset" "${subset[@]}" "$case_dir/expected.json" "$work/out"; then
        fail "decision differs from expected.json ($what); actual decision:"
        mx_show "$work/out" 5
      fi
    done
  done
}

case "$category" in
  syntax | semantic) run_check ;;
  eval) run_eval ;;
  *)
    echo "run_golden.sh: unknown category '$category' (syntax, semantic or eval)" >&2
    exit 2
    ;;
esac

if ((failures > 0)); then
  exit 1
fi
echo "ok golden/$name"
