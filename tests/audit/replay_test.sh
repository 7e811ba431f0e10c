#!/usr/bin/env bash
# `mixtral eval --audit` and `mixtral replay` end to end (contract §11, SPEC
# §19.2), one case per ctest test:
#
#   replay_test.sh MIXTRAL ROOT CASE
#
#   examples        every `mixtral eval` command of the scenario and construct
#                   READMEs, re-run with --audit (one log per policy file);
#                   each log passes `audit verify`, and replay under the same
#                   policy reproduces every decision (none changed, none not
#                   replayable); the split example masks its key (`sensitive`)
#   changed_policy  2,000 route16 requests audited, replayed under a policy with
#                   a tighter rule and a shorter fallback list; the expected
#                   counts come from diffing `eval --json` under both policies
#   masked          a policy that reads a masked field outside a split is
#                   counted not replayable, with the reason on stderr
#   bad_inputs      garbage lines, a missing snapshot, a policy that does not
#                   compile: located errors and the documented exit codes
#   kill9_eval      `eval --audit --requests` killed mid-batch (batch
#                   durability), verified, continued by a second run, verified
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

if (($# != 3)); then
  echo "usage: replay_test.sh MIXTRAL ROOT CASE" >&2
  exit 2
fi
mixtral="$1"
root="$2"
case_name="$3"
cd "$root" || exit 2
work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-replay.XXXXXX")"
child=""
cleanup() {
  [[ -n "$child" ]] && kill -9 "$child" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
out="$work/out"
err="$work/err"

failures=0
fail() {
  echo "FAIL replay/$case_name: $*" >&2
  failures=$((failures + 1))
}

# mx ARGS...: runs mixtral with a timeout; sets rc.
mx() {
  mx_run "$((MX_TIMEOUT * 6))" "$out" "$err" -- "$mixtral" "$@"
  rc=$?
  mx_expect_clean "$err" || fail "sanitizer report: $*"
}

expect_rc() {
  if ((rc != $1)); then
    fail "exited $(mx_rc_text "$rc"), expected $1: $2"
    mx_show "$err" 20
  fi
}

expect_stdout() {
  if [[ "$(cat "$out")" != "$1" ]]; then
    fail "$2: stdout is $(head -c 400 "$out"), expected $1"
  fi
}

expect_stderr() {
  grep -qF -- "$1" "$err" || {
    fail "stderr lacks: $1"
    mx_show "$err" 20
  }
}

# The eval commands of the READMEs, backslash continuations joined.
readme_evals() {
  local f
  for f in examples/[1-7]*/README.md examples/constructs/*/README.md; do
    sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$f" | grep -E '^build/bin/mixtral eval '
  done
}

same_policy_result() {
  printf '{"annotation_only":0,"by_change":{},"changed":0,"not_replayable":0,"total":%d,"unchanged":%d}' "$1" "$1"
}

case "$case_name" in
  examples)
    declare -A count policy_of
    while IFS= read -r cmd; do
      # Commands that show a failure (`# exits N`) decide nothing.
      [[ "$cmd" == *"# exits"* ]] && continue
      cmd="${cmd%%#*}"
      read -ra words <<<"${cmd#build/bin/mixtral }"
      args=()
      policy=""
      for ((i = 0; i < ${#words[@]}; i++)); do
        [[ "${words[i]}" == --trace ]] && continue  # the library does not trace
        [[ "${words[i]}" == --policy ]] && policy="${words[i + 1]}"
        args+=("${words[i]}")
      done
      log="$work/$(tr '/.' '__' <<<"$policy").jsonl"
      mx "${args[@]}" --json --audit "$log"
      expect_rc 0 "${cmd} --audit"
      count[$log]=$((${count[$log]:-0} + 1))
      policy_of[$log]="$policy"
    done < <(readme_evals)
    ((${#count[@]} >= 20)) || fail "only ${#count[@]} example policies were audited"
    total=0
    for log in "${!count[@]}"; do
      n="${count[$log]}"
      total=$((total + n))
      [[ "$(wc -l <"$log")" == "$n" ]] || fail "$log: $(wc -l <"$log") records for $n decisions"
      mx audit verify --strict "$log" "$log.snapshots"
      expect_rc 0 "audit verify ${policy_of[$log]}"
      mx replay --policy "${policy_of[$log]}" --json "$log"
      expect_rc 0 "replay ${policy_of[$log]}"
      if [[ "${policy_of[$log]}" == */24-builtins/* ]]; then
        # Its rules read the masked client_ip through cidr_contains; derived
        # values of such expressions are not recorded yet (SPEC §19.1), so
        # these decisions are counted, and named, as not replayable.
        expect_stdout "{\"annotation_only\":0,\"by_change\":{},\"changed\":0,\"not_replayable\":$n,\"total\":$n,\"unchanged\":0}" "replay 24-builtins"
        expect_stderr "the policy reads a masked field that no derived value replaces"
      else
        expect_stdout "$(same_policy_result "$n")" "replay ${policy_of[$log]}"
      fi
    done
    ((total >= 60)) || fail "only $total decisions were audited"
    # The split example's key is sensitive: masked in the record, its bucket
    # derived, and replay still reproduces the decision (checked above).
    split_log="$work/examples_constructs_11-split-canary_policy_mxl.jsonl"
    grep -q '"masked":\["tenant"\]' "$split_log" || fail "the split example's tenant is not masked"
    grep -q '"tenant":"\*\*\*"' "$split_log" || fail "the split example's tenant is not ***"
    grep -q '"derived":{"split:rollout":3263}' "$split_log" ||
      fail "the split example's record lacks its bucket (3263, from its README)"
    if grep -q '"tenant":"acme"' "$split_log"; then fail "a masked value reached the log"; fi
    ;;

  changed_policy)
    head -n 2000 bench/route16/data/requests.jsonl >"$work/requests.jsonl"
    common=(--telemetry bench/route16/data/telemetry.json --inventory bench/route16/data/targets.json
      --requests "$work/requests.jsonl" --no-explain --json)
    sed -e 's/telemetry.queue_depth < 64/telemetry.queue_depth < 24/' -e 's/^  fallback 2$/  fallback 1/' \
      examples/route16/route16.mxl >"$work/route16-new.mxl"
    cmp -s examples/route16/route16.mxl "$work/route16-new.mxl" && fail "the policy edit changed nothing"
    mx eval --policy examples/route16/route16.mxl "${common[@]}" --audit "$work/log.jsonl"
    expect_rc 0 "eval --audit"
    cp "$out" "$work/old.jsonl"
    mx eval --policy "$work/route16-new.mxl" "${common[@]}"
    expect_rc 0 "eval under the new policy"
    cp "$out" "$work/new.jsonl"
    # The expectation, independently: decision fields compared line by line.
    python3 - "$work/old.jsonl" "$work/new.jsonl" >"$work/expected" <<'EOF' || fail "python3 diff failed"
import json, sys
fields = ["route", "outcome", "target", "fallbacks", "mirrors", "variant", "escalation",
          "ensemble", "reject", "degraded_reason", "annotations"]
old = [json.loads(l) for l in open(sys.argv[1])]
new = [json.loads(l) for l in open(sys.argv[2])]
assert len(old) == len(new) == 2000
changed, by, ann = 0, {}, 0
for a, b in zip(old, new):
    diff = [f for f in fields if a.get(f) != b.get(f)]
    if diff:
        changed += 1
        by[diff[0]] = by.get(diff[0], 0) + 1
        ann += diff == ["annotations"]
print(json.dumps({"annotation_only": ann, "by_change": by, "changed": changed,
                  "not_replayable": 0, "total": len(old), "unchanged": len(old) - changed},
                 sort_keys=True, separators=(",", ":")))
EOF
    want="$(cat "$work/expected")"
    grep -q '"changed":0,' <<<"$want" && fail "the edit changed no decision: $want"
    grep -q '"target"' <<<"$want" || fail "the edit changed no target: $want"
    grep -q '"fallbacks"' <<<"$want" || fail "the edit changed no fallback list: $want"
    mx replay --policy "$work/route16-new.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay under the changed policy"
    expect_stdout "$want" "replay under the changed policy"
    mx replay --policy "$work/route16-new.mxl" --fail-on-change --audit "$work/log.jsonl"
    expect_rc 1 "replay --fail-on-change"
    expect_stdout_has() { grep -qF -- "$1" "$out" || fail "stdout lacks: $1"; }
    expect_stdout_has "replayed 2000 decisions"
    expect_stdout_has "target: "
    expect_stdout_has " -> "
    mx replay --policy examples/route16/route16.mxl --fail-on-change --json "$work/log.jsonl"
    expect_rc 0 "replay under the same policy"
    expect_stdout "$(same_policy_result 2000)" "replay under the same policy"
    ;;

  masked)
    dir=examples/constructs/11-split-canary
    mx eval --policy $dir/policy.mxl --request $dir/request.json --telemetry $dir/telemetry.json \
      --audit "$work/log.jsonl"
    expect_rc 0 "eval --audit"
    # The split renamed: its bucket is not in the record, and its key is masked.
    sed 's/split rollout by/split rollout2 by/' $dir/policy.mxl >"$work/renamed.mxl"
    mx replay --policy "$work/renamed.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay, renamed split"
    expect_stdout '{"annotation_only":0,"by_change":{},"changed":0,"not_replayable":1,"total":1,"unchanged":0}' "renamed split"
    expect_stderr "log.jsonl:1: decision req-1101 is not replayable: the policy reads a masked field"
    # A rule over the masked field (not a bucket): not replayable either.
    sed 's/^  require healthy: /  require tenant_known: request.tenant != "x"\n  require healthy: /' \
      $dir/policy.mxl >"$work/reads.mxl"
    mx replay --policy "$work/reads.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay, rule over the masked field"
    expect_stdout '{"annotation_only":0,"by_change":{},"changed":0,"not_replayable":1,"total":1,"unchanged":0}' "masked rule"
    # The weights moved: the recorded bucket (3263) now falls in canary.
    sed -e 's/canary: 10%/canary: 40%/' -e 's/stable: 90%/stable: 60%/' $dir/policy.mxl >"$work/wider.mxl"
    mx replay --policy "$work/wider.mxl" --json "$work/log.jsonl"
    expect_stdout '{"annotation_only":0,"by_change":{"target":1},"changed":1,"not_replayable":0,"total":1,"unchanged":0}' "wider canary"
    ;;

  bad_inputs)
    dir=examples/constructs/11-split-canary
    mx eval --policy $dir/policy.mxl --request $dir/request.json --telemetry $dir/telemetry.json \
      --audit "$work/log.jsonl"
    expect_rc 0 "eval --audit"
    mx replay --json "$work/log.jsonl"
    expect_rc 2 "replay without --policy"
    mx replay --policy $dir/policy.mxl
    expect_rc 2 "replay without a log"
    printf 'policy p version "1"\nrequest { x: strin }\n' >"$work/bad.mxl"
    mx replay --policy "$work/bad.mxl" "$work/log.jsonl"
    expect_rc 1 "replay with a policy that does not compile"
    expect_stderr "bad.mxl:2:"
    mx replay --policy $dir/policy.mxl "$work/nonexistent.jsonl"
    expect_rc 1 "replay of a missing log"
    expect_stderr "cannot read"
    cp "$work/log.jsonl" "$work/garbage.jsonl"
    printf '\x00\xffnot json\n' >>"$work/garbage.jsonl"
    mx replay --policy $dir/policy.mxl "$work/garbage.jsonl"
    expect_rc 1 "replay of a log with a garbage line"
    expect_stderr "garbage.jsonl:2: not an audit record"
    # The snapshot store gone: not replayable, named, no crash.
    rm -rf "$work/log.jsonl.snapshots"
    mx replay --policy $dir/policy.mxl --json "$work/log.jsonl"
    expect_rc 0 "replay without the snapshot store"
    expect_stdout '{"annotation_only":0,"by_change":{},"changed":0,"not_replayable":1,"total":1,"unchanged":0}' "no snapshots"
    expect_stderr "log.jsonl.snapshots/"
    expect_stderr "is missing"
    mx eval --policy $dir/policy.mxl --request $dir/request.json --telemetry $dir/telemetry.json \
      --audit "$work/log.jsonl" --trace
    expect_rc 2 "eval --audit --trace"
    mx eval --policy $dir/policy.mxl --request $dir/request.json --telemetry $dir/telemetry.json \
      --audit "$work/no-such-dir/log.jsonl"
    expect_rc 1 "eval --audit into a missing directory"
    ;;

  kill9_eval)
    # Many requests, so that the kill lands mid-batch.
    for _ in 1 2 3 4 5; do cat bench/route16/data/requests.jsonl; done >"$work/requests.jsonl"
    args=(eval --policy examples/route16/route16.mxl --telemetry bench/route16/data/telemetry.json
      --inventory bench/route16/data/targets.json --no-explain --json)
    "$mixtral" "${args[@]}" --requests "$work/requests.jsonl" --audit "$work/log.jsonl" \
      >/dev/null 2>"$work/child.err" &
    child=$!
    for _ in $(seq 400); do
      (($(cat "$work/log.jsonl" 2>/dev/null | wc -l) >= 2000)) && break
      sleep 0.05
    done
    kill -9 "$child"
    wait "$child" 2>/dev/null
    child=""
    before=$(wc -l <"$work/log.jsonl")
    ((before >= 1000)) || fail "the child wrote only $before records before the kill"
    ((before < 100000)) || fail "the child finished before the kill ($before records)"
    mx audit verify "$work/log.jsonl" "$work/log.jsonl.snapshots"
    expect_rc 0 "verify after kill -9"
    # Continue the chain: a second run appends (after a `recovered` record
    # if the kill tore the last line).
    head -n 100 bench/route16/data/requests.jsonl >"$work/more.jsonl"
    mx "${args[@]}" --requests "$work/more.jsonl" --audit "$work/log.jsonl"
    expect_rc 0 "eval --audit after the kill"
    # shellcheck disable=SC2046
    mx audit verify --strict "$work/log.jsonl" $(ls "$work"/log.jsonl.[0-9]*.jsonl 2>/dev/null)
    expect_rc 0 "verify --strict of the continued chain"
    records=$(grep -o 'seq 1\.\.[0-9]*' "$err" | cut -d. -f3)
    torn=$(grep -c '"kind":"recovered"' "$work"/log.jsonl* 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')
    [[ "$records" == "$((before + torn + 100))" ]] ||
      fail "chain has $records records, expected $before + $torn recovered + 100"
    # Every complete decision replays (a torn last line is skipped with a warning).
    # shellcheck disable=SC2046
    mx replay --policy examples/route16/route16.mxl --json "$work/log.jsonl" \
      $(ls "$work"/log.jsonl.[0-9]*.jsonl 2>/dev/null)
    expect_rc 0 "replay after the kill"
    grep -q '"changed":0,"not_replayable":0,' "$out" || fail "replay after the kill: $(cat "$out")"
    ;;

  *)
    echo "replay_test.sh: unknown case $case_name" >&2
    exit 2
    ;;
esac

((failures == 0)) || exit 1
exit 0
