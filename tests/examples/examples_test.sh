#!/usr/bin/env bash
# The examples as tests: every policy under examples/ checks, formats, passes
# its own `test` blocks, and the READMEs' commands give what they show.
#
#   examples_test.sh MIXTRAL ROOT CASE [ARG]
#
#   check          `mixtral check --werror` on every policy file (files without
#                  a `policy` header are modules, checked through their importers)
#   fmt            `mixtral fmt --check` on every .mxl file, modules included
#   test ENGINE    `mixtral test --min-coverage 90 --engine ENGINE examples/`
#   constructs [FLAGS]
#                  examples/constructs/check_all.sh, with MIXTRAL_EVAL_FLAGS=FLAGS
#   readmes        check_all.sh on the scenario examples' READMEs (1-7)
#   readme_demo    the eval part of README.md's first command prints the
#                  quickstart decision, routed to edge-eu
#
# ROOT is the repository root; commands run from it, as the READMEs do.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

MIXTRAL="$1"
root="$2"
case_name="$3"
arg="${4:-}"
cd "$root" || exit 2

work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-examples.XXXXXX")"
trap 'rm -rf "$work"' EXIT
status=0
fail() {
  echo "FAIL: $*" >&2
  status=1
}

# Runs a command with a generous timeout; on an unexpected exit code, shows
# its output. $1: the expected exit code, then the command.
run() {
  local want="$1"
  shift
  mx_run "$((MX_TIMEOUT * 15))" "$work/out" "$work/err" -- "$@"
  local rc=$?
  mx_expect_clean "$work/err" || status=1
  if [[ "$rc" != "$want" ]]; then
    fail "exit $(mx_rc_text "$rc"), expected $want: $*"
    mx_show "$work/out" 60
    mx_show "$work/err" 60
  fi
}

# Every .mxl under examples/, sorted. $1=policy keeps only files whose first
# line of code (after blank lines and comments) is the `policy` header, the
# rule `mixtral test` uses.
mxl_files() {
  local f
  while IFS= read -r f; do
    if [[ "${1:-}" == policy ]]; then
      awk 'BEGIN { r = 1 }
           /^[[:space:]]*$/ || /^[[:space:]]*(#|\/\/)/ { next }
           { r = ($0 ~ /^policy /) ? 0 : 1; exit }
           END { exit r }' "$f" || continue
    fi
    printf '%s\n' "$f"
  done < <(find examples -name '*.mxl' -type f | LC_ALL=C sort)
}

case "$case_name" in
  check)
    mapfile -t files < <(mxl_files policy)
    all="$(mxl_files | wc -l)"
    # 7 scenarios, the quickstart, route16 and 24 constructs; two modules.
    ((${#files[@]} >= 33)) || fail "found only ${#files[@]} policy files under examples/"
    ((all > ${#files[@]})) || fail "no module was skipped: the header test is broken"
    run 0 "$MIXTRAL" check --werror "${files[@]}"
    grep -q "checked ${#files[@]} files: 0 failed" "$work/err" ||
      fail "no summary line \`checked ${#files[@]} files: 0 failed\`"
    ;;
  fmt)
    mapfile -t files < <(mxl_files)
    ((${#files[@]} >= 35)) || fail "found only ${#files[@]} .mxl files under examples/"
    run 0 "$MIXTRAL" fmt --check "${files[@]}"
    ;;
  test)
    [[ -n "$arg" ]] || { echo "examples_test.sh: test needs an engine" >&2; exit 2; }
    run 0 "$MIXTRAL" test --min-coverage 90 --engine "$arg" examples/
    grep -q '^rule coverage: ' "$work/out" || fail "no rule coverage line"
    grep -qE '^[0-9]+ passed, 0 failed$' "$work/out" || fail "some tests failed"
    passed="$(sed -n -E 's/^([0-9]+) passed, 0 failed$/\1/p' "$work/out")"
    # Every example directory has tests: the count only grows.
    ((${passed:-0} >= 150)) || fail "only ${passed:-0} tests ran, expected at least 150"
    if ((status != 0)); then mx_show "$work/out" 80; fi
    ;;
  constructs)
    run 0 env MIXTRAL="$MIXTRAL" MIXTRAL_EVAL_FLAGS="$arg" bash examples/constructs/check_all.sh
    ;;
  readmes)
    dirs=()
    for d in examples/[0-9]-*/; do dirs+=("../$(basename "$d")"); done
    ((${#dirs[@]} >= 7)) || fail "found only ${#dirs[@]} scenario examples"
    run 0 env MIXTRAL="$MIXTRAL" bash examples/constructs/check_all.sh "${dirs[@]}"
    ;;
  readme_demo)
    # The first command of README.md, from `build/bin/mixtral eval` on.
    cmd="$(grep -m1 -o 'build/bin/mixtral eval --policy examples/quickstart/[^&;|]*' README.md)"
    if [[ -z "$cmd" ]]; then
      fail "README.md has no \`build/bin/mixtral eval --policy examples/quickstart/...\` command"
    else
      read -r -a words <<<"${cmd#build/bin/mixtral }"
      run 0 "$MIXTRAL" "${words[@]}"
      grep -qF '"target": "edge-eu"' "$work/out" ||
        { fail "the decision does not say \"target\": \"edge-eu\""; mx_show "$work/out" 40; }
      grep -qF '"outcome": "routed"' "$work/out" ||
        fail "the decision does not say \"outcome\": \"routed\""
    fi
    ;;
  *)
    echo "examples_test.sh: unknown case $case_name" >&2
    exit 2
    ;;
esac
exit "$status"
