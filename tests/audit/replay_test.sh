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
#                   replayable); the split example masks its key (`sensitive`),
#                   the builtins example reads a masked field through
#                   cidr_contains, whose value is derived
#   changed_policy  2,000 route16 requests audited, replayed under a policy with
#                   a tighter rule and a shorter fallback list; the expected
#                   counts come from diffing `eval --json` under both policies
#   masked          a policy that reads a masked field outside a split is
#                   counted not replayable, with the reason on stderr
#   masked_expr     derived values of expressions over a masked field
#                   (24-builtins): a policy changed elsewhere replays, one
#                   that changes or adds such an expression is not replayable
#   invalid_requests  requests the CLI rejects are recorded as rejected 400
#                   and replay under the same policy reproduces them
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
      expect_stdout "$(same_policy_result "$n")" "replay ${policy_of[$log]}"
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
    # The builtins example reads its masked client_ip only through
    # `not cidr_contains(...)`: that value is derived (true for the crawler's
    # 203.0.113.9, false for 10.20.30.40), the address is not in the log,
    # and replay reproduced every decision (checked above).
    builtins_log="$work/examples_constructs_24-builtins_policy_mxl.jsonl"
    key='"expr:not cidr_contains(\"10.0.0.0/8\", request.client_ip)"'
    grep -qF "$key:false" "$builtins_log" || fail "24-builtins: no derived false for the internal caller"
    grep -qF "$key:true" "$builtins_log" || fail "24-builtins: no derived true for the crawler"
    grep -qF '"masked":["client_ip"]' "$builtins_log" || fail "24-builtins: client_ip is not masked"
    if grep -qE '10\.20\.30\.40|203\.0\.113\.9' "$builtins_log"; then fail "24-builtins: a masked address reached the log"; fi
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

  masked_expr)
    # Derived values of expressions over masked fields (SPEC §19.1): a
    # policy changed elsewhere still replays; one that reads the masked field
    # in a new way, or changes the expression, cannot be replayed.
    dir=examples/constructs/24-builtins
    for req in request.json request-bot.json; do
      mx eval --policy $dir/policy.mxl --request $dir/$req --telemetry $dir/telemetry.json \
        --audit "$work/log.jsonl"
      expect_rc 0 "eval --audit $req"
    done
    # The crawler's derived value is true: on-prem stays forbidden to it.
    sed 's/cost_per_1k: 0.008 }/cost_per_1k: 0.0005 }/' $dir/policy.mxl >"$work/cheaper.mxl"
    cmp -s $dir/policy.mxl "$work/cheaper.mxl" && fail "the cost edit changed nothing"
    mx replay --policy "$work/cheaper.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay, a cheaper fn-eu"
    # The internal caller now lands on fn-eu (cheapest), the crawler stays.
    expect_stdout '{"annotation_only":0,"by_change":{"target":1},"changed":1,"not_replayable":0,"total":2,"unchanged":1}' "cheaper fn-eu"
    # Another network: the recorded cidr_contains value no longer applies.
    sed 's|cidr_contains("10.0.0.0/8"|cidr_contains("10.0.0.0/16"|' $dir/policy.mxl >"$work/net.mxl"
    cmp -s $dir/policy.mxl "$work/net.mxl" && fail "the network edit changed nothing"
    mx replay --policy "$work/net.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay, another network"
    expect_stdout '{"annotation_only":0,"by_change":{},"changed":0,"not_replayable":2,"total":2,"unchanged":0}' "another network"
    expect_stderr "log.jsonl:1: decision req-2401 is not replayable: the policy reads a masked field"
    # A new rule over the masked field: no value was recorded for it.
    sed 's/^  require healthy: /  require v4: matches(request.client_ip, "^[0-9.]+$")\n  require healthy: /' \
      $dir/policy.mxl >"$work/new-rule.mxl"
    grep -q 'require v4' "$work/new-rule.mxl" || fail "the rule edit changed nothing"
    mx replay --policy "$work/new-rule.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay, a new rule over the masked field"
    expect_stdout '{"annotation_only":0,"by_change":{},"changed":0,"not_replayable":2,"total":2,"unchanged":0}' "new rule"
    ;;

  decision_ids)
    # SPEC: a request without an id is cli-N, N its position in the input,
    # whether or not --audit sends it through the library's engine.
    cat >"$work/ids.mxl" <<'MXL'
policy ids version "1"
request {
  rid: string? id
  n: int
}
target a { }
route main {
  require small: request.n < 100
}
MXL
    echo '{"taken_at": "2026-01-01T00:00:00Z", "targets": [{"name": "a"}]}' >"$work/ids-telemetry.json"
    printf '%s\n' '{"rid":"x","n":1}' '{"n":2}' '{"rid":"y","n":3}' '{"n":"bad"}' '{"n":5}' \
      >"$work/ids.jsonl"
    mx eval --policy "$work/ids.mxl" --requests "$work/ids.jsonl" \
      --telemetry "$work/ids-telemetry.json" --no-explain --json
    expect_rc 1 "eval with an invalid line"
    cp "$out" "$work/plain.jsonl"
    mx eval --policy "$work/ids.mxl" --requests "$work/ids.jsonl" \
      --telemetry "$work/ids-telemetry.json" --no-explain --json --audit "$work/log.jsonl"
    expect_rc 1 "eval --audit with an invalid line"
    python3 - "$work/plain.jsonl" "$out" "$work/log.jsonl" <<'EOF' || fail "decision ids differ"
import json, sys
plain = [json.loads(l) for l in open(sys.argv[1])]
audited = [json.loads(l) for l in open(sys.argv[2])]
recs = [json.loads(l) for l in open(sys.argv[3])]
ids = lambda ds: [d.get("decision_id") for d in ds if "error" not in d]
# Worked out by hand: positions 2 and 5 have no rid; line 4 is rejected.
assert ids(plain) == ["x", "cli-2", "y", "cli-5"], ids(plain)
assert ids(audited) == ids(plain), (ids(audited), ids(plain))
assert [r["decision_id"] for r in recs] == ["x", "cli-2", "y", "cli-4", "cli-5"], recs
EOF
    ;;
  invalid_requests)
    # Every request gets a record, the ones the CLI rejects included: the
    # rejected 400 with its JSON path, as the library records its own.
    dir=examples/constructs/24-builtins
    {
      tr -d '\n' <$dir/request.json
      echo
      echo '{"id":"bad-type","tenant":7,"client_ip":"10.1.1.1"}'
      echo '{"id":"bad-field","tenant":"acme","client_ip":"10.1.1.1","color":"red"}'
      echo '{"tenant":"acme","client_ip":"10.1.1.1"}' # no id, which is required
    } >"$work/requests.jsonl"
    mx eval --policy $dir/policy.mxl --requests "$work/requests.jsonl" \
      --telemetry $dir/telemetry.json --no-explain --json --audit "$work/log.jsonl"
    expect_rc 1 "eval --audit with invalid lines"
    cp "$out" "$work/printed.jsonl"
    [[ "$(wc -l <"$work/log.jsonl")" == 4 ]] || fail "$(wc -l <"$work/log.jsonl") records for 4 requests"
    python3 - "$work/log.jsonl" "$work/printed.jsonl" <<'EOF' || fail "the records do not match what eval printed"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
printed = [json.loads(l) for l in open(sys.argv[2])]
assert recs[0]["decision_id"] == printed[0]["decision_id"] == "req-2401", (recs[0], printed[0])
assert recs[0]["decision"]["outcome"] == printed[0]["outcome"] == "routed", recs[0]
paths = [p["error"]["path"] for p in printed[1:]]
assert paths == ["request.tenant", "request.color", "request.id"], printed
assert [r["decision_id"] for r in recs[1:3]] == ["bad-type", "bad-field"], recs
for r, p in zip(recs[1:], printed[1:]):
    assert r["request"] is None and r["masked"] == [] and r["derived"] == {}, r
    assert r["decision"]["outcome"] == "rejected", r
    # The library's 400 carries the error the CLI printed, JSON path first.
    want = {"status": 400, "reason": p["error"]["path"] + ": " + p["error"]["message"]}
    assert r["decision"]["reject"] == want, (r["decision"]["reject"], want)
assert "10.1.1.1" not in open(sys.argv[1]).read()
EOF
    # One invalid --request: exit 1, and its record written all the same.
    echo '{"id":"alone","tenant":"acme","client_ip":"10.1.1.1","sdk_version":2}' >"$work/alone.json"
    mx eval --policy $dir/policy.mxl --request "$work/alone.json" --telemetry $dir/telemetry.json \
      --audit "$work/log.jsonl"
    expect_rc 1 "eval --audit --request with an invalid request"
    expect_stderr "alone.json: error[E1012]"
    [[ "$(wc -l <"$work/log.jsonl")" == 5 ]] || fail "$(wc -l <"$work/log.jsonl") records for 5 requests"
    tail -n 1 "$work/log.jsonl" | grep '"decision_id":"alone"' | grep -q '"status":400' ||
      fail "no record of the invalid --request"
    mx audit verify --strict "$work/log.jsonl" "$work/log.jsonl.snapshots"
    expect_rc 0 "verify"
    # Under the same policy the rejections are reproduced; under another one
    # the request text, which the record does not keep, would be needed.
    mx replay --policy $dir/policy.mxl --json "$work/log.jsonl"
    expect_rc 0 "replay under the same policy"
    expect_stdout "$(same_policy_result 5)" "replay under the same policy"
    sed 's/cost_per_1k: 0.008 }/cost_per_1k: 0.0005 }/' $dir/policy.mxl >"$work/cheaper.mxl"
    mx replay --policy "$work/cheaper.mxl" --json "$work/log.jsonl"
    expect_rc 0 "replay under another policy"
    grep -q '"not_replayable":4,' "$out" || fail "replay under another policy: $(cat "$out")"
    expect_stderr "decision bad-type is not replayable: the request did not bind"
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
