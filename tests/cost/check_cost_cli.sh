#!/usr/bin/env bash
# `mixtral check --cost` / `--max-cost`: the printed figure, the exit codes
# (0 within budget, 1 over it or a broken policy, 2 usage) and E0310 at the
# route's name.
#
#   tests/cost/check_cost_cli.sh path/to/mixtral
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../support/mixtral_test_lib.sh"

MIXTRAL="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Two static targets, so T defaults to 2. Per candidate: telemetry.healthy 1,
# `"x" in request.tags` 3 + L(request.tags); ranking T·log2(T).
#   T=2, L=16:       8 +  32 +  2 = 42
#   T=16, L=1:      64 +  16 + 64 = 144
#   T=1000, L=1000: 4000 + 1,000,000 + 10,000 = 1,014,000
cat >"$tmp/p.mxl" <<'EOF'
policy p version "1"
request {
  id: string id
  tags: list<string>
}
telemetry per target { healthy: bool }
target a { }
target b { }
route r {
  require h: telemetry.healthy
  require t: "x" in request.tags
}
EOF
printf 'policy broken version "1"\nroute r { require x: request.nope }\n' >"$tmp/broken.mxl"
# Nothing but the ranking sort: T·log2(T), 64 ops at T=16.
printf 'policy cheap version "1"\nroute r { }\n' >"$tmp/cheap.mxl"

# expect RC STDOUT_LINE_OR_EMPTY STDERR_GREP -- ARGS...: runs `mixtral check ARGS`.
expect() {
  local want_rc="$1" want_out="$2" want_err="$3"
  shift 4
  mx_run "$MX_TIMEOUT" "$tmp/out" "$tmp/err" -- "$MIXTRAL" check "$@"
  local rc=$?
  local what="mixtral check $*"
  mx_expect_clean "$tmp/err" || fail "$what: sanitizer report"
  if [[ "$rc" != "$want_rc" ]]; then
    fail "$what: exit $(mx_rc_text "$rc"), want $(mx_rc_text "$want_rc")"
    sed 's/^/    /' "$tmp/err" >&2
  fi
  if [[ -z "$want_out" ]]; then
    [[ -s "$tmp/out" ]] && fail "$what: unexpected stdout: $(head -c 300 "$tmp/out")"
  elif ! grep -qxF -- "$want_out" "$tmp/out"; then
    fail "$what: stdout lacks: $want_out"
    sed 's/^/    got: /' "$tmp/out" >&2
  fi
  if [[ -n "$want_err" ]] && ! grep -qF -- "$want_err" "$tmp/err"; then
    fail "$what: stderr lacks: $want_err"
    sed 's/^/    got: /' "$tmp/err" >&2
  fi
}

p="$tmp/p.mxl"
formula="4·T + T·log2(T) + T·L(request.tags) ops per decision"

# Without --cost, check behaves as before: nothing on stdout.
expect 0 "" "checked 1 file: 0 failed" -- "$p"
expect 0 "$p: route r: $formula = 42 ops at T=2, L=16" "" -- --cost "$p"
expect 0 "$p: route r: $formula = 144 ops at T=16, L=1" "" -- --cost --targets 16 --list-size 1 "$p"
expect 0 "$p: route r: $formula = 1,014,000 ops at T=1000, L=1000" "" -- \
  --cost --targets=1000 --list-size=1000 "$p"

# --max-cost: a figure equal to the budget passes; one above it is E0310 at
# the route's name (line 9, column 7), and exits 1.
expect 0 "" "" -- --max-cost 42 "$p"
expect 1 "" "p.mxl:9:7: error[E0310]: route \`r\` exceeds --max-cost 41: 42 ops per decision at T=2, L=16" \
  -- --max-cost 41 "$p"
expect 1 "$p: route r: $formula = 144 ops at T=16, L=1" "error[E0310]" -- \
  --cost --max-cost 100 --targets 16 --list-size 1 "$p"
expect 0 "" "" -- --max-cost 144 --targets 16 --list-size 1 "$p"
# One file over budget among two: exit 1, and the summary counts it.
expect 1 "" "checked 2 files: 1 failed" -- --max-cost 100 --targets 16 "$tmp/cheap.mxl" "$p"
# A policy that does not compile still fails, with its own diagnostic.
expect 1 "" "error[E0" -- --max-cost 1000000 "$tmp/broken.mxl"

# Usage errors exit 2.
expect 2 "" "--max-cost needs a whole number" -- --max-cost abc "$p"
expect 2 "" "--max-cost needs a whole number" -- --max-cost -1 "$p"
expect 2 "" "--targets needs a whole number >= 1" -- --cost --targets 0 "$p"
expect 2 "" "--list-size needs a whole number >= 0" -- --cost --list-size 1.5 "$p"
expect 2 "" "needs a value" -- --cost "$p" --targets
expect 2 "" "--targets and --list-size need --cost or --max-cost" -- --targets 4 "$p"
expect 2 "" "takes no value" -- --cost=yes "$p"
expect 2 "" "usage: mixtral check" -- --cost

if ((failures > 0)); then
  echo "check_cost_cli.sh: $failures failure(s)" >&2
  exit 1
fi
echo "check_cost_cli.sh: ok" >&2
