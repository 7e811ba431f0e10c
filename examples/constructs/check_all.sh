#!/usr/bin/env bash
# Checks every construct example under examples/constructs/.
#
#   MIXTRAL=/path/to/mixtral examples/constructs/check_all.sh [NN-name ...]
#
# For each example directory (or only those named):
#   1. `mixtral check --werror policy.mxl`: every policy compiles with no warnings;
#   2. every command in the README's ```sh blocks runs from the repo root, with
#      `build/bin/mixtral` replaced by $MIXTRAL, and must exit 0 (or the N of a
#      trailing `# exits N` comment);
#   3. the fenced block right after a command is its expected output:
#        ```json  an excerpt of the decision: every key it gives must be in
#                 stdout with the same value (objects compare key by key,
#                 arrays and scalars exactly); needs jq or python3;
#        ```text  every non-blank line must occur in stdout or stderr;
#   4. every request*.json in the directory is used by some README command.
# $MIXTRAL_EVAL_FLAGS, if set, is appended to every `eval` command, e.g.
# MIXTRAL_EVAL_FLAGS="--engine interp" to run the examples on one engine.
# Any failure is printed and the script exits 1 at the end.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
MIXTRAL="${MIXTRAL:-$root/build/bin/mixtral}"
if [[ ! -x "$MIXTRAL" ]]; then
  echo "check_all.sh: no mixtral binary at $MIXTRAL (build first, or set MIXTRAL)" >&2
  exit 2
fi
MIXTRAL="$(cd "$(dirname "$MIXTRAL")" && pwd)/$(basename "$MIXTRAL")"
# JSON excerpts are compared with jq, or else python3; with neither, only exit
# codes and text blocks are checked. $CHECK_ALL_JSON=jq|python3|none forces one.
json_tool="${CHECK_ALL_JSON:-}"
if [[ -z "$json_tool" ]]; then
  if command -v jq >/dev/null 2>&1; then
    json_tool=jq
  elif command -v python3 >/dev/null 2>&1; then
    json_tool=python3
  else
    json_tool=none
  fi
fi
if [[ "$json_tool" == none ]]; then
  echo "check_all.sh: no jq or python3; JSON excerpts are not compared (exit codes and text blocks still are)" >&2
fi

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The python3 twin of the jq programs below: the same comparison (numbers by
# value, so 40 and 40.0 are equal; booleans are not numbers).
py_json='
import json, sys
def load(path):
    with open(path) as f:
        return json.load(f)
def eq(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(eq(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b))
    return a == b
def sub(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and all(sub(v, b.get(k)) for k, v in a.items())
    return eq(a, b)
try:
    cmd = sys.argv[1]
    if cmd == "valid":
        load(sys.argv[2])
    elif cmd == "compact":
        print(json.dumps(load(sys.argv[2]), separators=(",", ":"), sort_keys=True))
    else:
        sys.exit(0 if sub(load(sys.argv[2]), load(sys.argv[3])) else 1)
except (OSError, ValueError):
    sys.exit(1)
'

# $1: a file. Exit 0 if it holds one JSON value.
json_valid() {
  case "$json_tool" in
    jq) jq -e . "$1" >/dev/null 2>&1 ;;
    *) python3 -c "$py_json" valid "$1" ;;
  esac
}

# $1: a JSON file, printed on one line.
json_compact() {
  case "$json_tool" in
    jq) jq -c . "$1" 2>/dev/null ;;
    *) python3 -c "$py_json" compact "$1" 2>/dev/null ;;
  esac
}

# $1: expected excerpt file, $2: actual stdout file. Exit 0 if the excerpt holds.
json_subset() {
  case "$json_tool" in
    jq)
      jq -n --slurpfile want "$1" --slurpfile got "$2" '
        def sub($a; $b):
          if ($a | type) == "object" then
            ($b | type) == "object" and
            ([$a | to_entries[] | . as $e | sub($e.value; $b[$e.key])] | all)
          else $a == $b end;
        ($got | length) == 1 and sub($want[0]; $got[0])' 2>/dev/null | grep -qx true
      ;;
    *) python3 -c "$py_json" subset "$1" "$2" ;;
  esac
}

# Runs one README command and compares it with its expectation block.
run_case() {
  local dir="$1" cmd="$2" want_rc="$3" kind="$4" expect="$5"
  local out="$tmp/out" err="$tmp/err"
  local shown="$cmd"
  cmd="\"\$MIXTRAL\"${cmd#build/bin/mixtral}"
  if [[ -n "${MIXTRAL_EVAL_FLAGS:-}" && "$shown" == "build/bin/mixtral eval "* ]]; then
    cmd+=" $MIXTRAL_EVAL_FLAGS"
  fi
  (cd "$root" && MIXTRAL="$MIXTRAL" bash -c "$cmd") >"$out" 2>"$err"
  local rc=$?
  if [[ "$rc" != "$want_rc" ]]; then
    fail "$dir: exit $rc (want $want_rc): $shown"
    sed 's/^/    /' "$err" >&2
    return
  fi
  case "$kind" in
    json)
      [[ "$json_tool" != none ]] || return
      printf '%s\n' "$expect" >"$tmp/want"
      if ! json_valid "$tmp/want"; then
        fail "$dir: the README's JSON excerpt does not parse: $shown"
      elif ! json_subset "$tmp/want" "$out"; then
        fail "$dir: output does not match the README's excerpt: $shown"
        echo "    want: $(json_compact "$tmp/want")" >&2
        echo "    got:  $(json_compact "$out" || head -c 400 "$out")" >&2
      fi
      ;;
    text)
      while IFS= read -r line; do
        [[ -z "${line// /}" ]] && continue
        if ! grep -qF -- "$line" "$out" "$err"; then
          fail "$dir: output lacks the README line: $line"
          echo "    command: $shown" >&2
        fi
      done <<<"$expect"
      ;;
  esac
}

# Walks a README: each ```sh block holds one command; the next fenced block
# (before another ```sh block) is its expectation.
check_readme() {
  local dir="$1" readme="$1/README.md"
  local name
  name="$(basename "$dir")"
  if [[ ! -f "$readme" ]]; then
    fail "$name: no README.md"
    return
  fi
  local state=out lang="" block="" cmd="" rc=0 ncmds=0 commands=""
  local pending=0
  flush_pending() {
    if [[ $pending == 1 ]]; then
      run_case "$name" "$cmd" "$rc" "" ""
      pending=0
    fi
  }
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ $state == out ]]; then
      if [[ "$line" =~ ^\`\`\`([a-z]*) ]]; then
        lang="${BASH_REMATCH[1]}"
        block=""
        state=in
      fi
      continue
    fi
    if [[ "$line" == '```' ]]; then
      state=out
      if [[ "$lang" == sh ]]; then
        flush_pending
        # Join continuation lines, then take the command.
        local joined
        joined="$(printf '%s' "$block" | sed -e ':a' -e '/\\$/N; s/\\\n *//; ta')"
        local c
        c="$(printf '%s\n' "$joined" | grep -E '^build/bin/mixtral ' | tail -n 1)"
        if [[ -n "$c" ]]; then
          rc=0
          if [[ "$c" =~ \#\ exits\ ([0-9]+)[[:space:]]*$ ]]; then
            rc="${BASH_REMATCH[1]}"
          fi
          cmd="${c%%#*}"
          cmd="${cmd%"${cmd##*[![:space:]]}"}"
          pending=1
          ncmds=$((ncmds + 1))
          commands+="$cmd"$'\n'
        fi
      elif [[ $pending == 1 && ( "$lang" == json || "$lang" == text ) ]]; then
        run_case "$name" "$cmd" "$rc" "$lang" "$block"
        pending=0
      fi
      continue
    fi
    block+="$line"$'\n'
  done <"$readme"
  flush_pending
  if [[ $ncmds == 0 ]]; then
    fail "$name: README.md shows no build/bin/mixtral command"
  fi
  local req
  for req in "$dir"/request*.json "$dir"/bad-request*.json; do
    [[ -e "$req" ]] || continue
    if ! grep -qF "$name/$(basename "$req")" <<<"$commands"; then
      fail "$name: $(basename "$req") is used by no README command"
    fi
  done
}

dirs=()
if [[ $# -gt 0 ]]; then
  for d in "$@"; do dirs+=("$here/${d%/}"); done
else
  for d in "$here"/[0-9][0-9]-*/; do dirs+=("${d%/}"); done
fi

for dir in "${dirs[@]}"; do
  name="$(basename "$dir")"
  if [[ ! -f "$dir/policy.mxl" ]]; then
    fail "$name: no policy.mxl"
    continue
  fi
  if ! "$MIXTRAL" check --werror "$dir/policy.mxl" >"$tmp/check" 2>&1; then
    fail "$name: mixtral check --werror policy.mxl"
    sed 's/^/    /' "$tmp/check" >&2
  fi
  check_readme "$dir"
  echo "checked $name" >&2
done

if [[ $failures -gt 0 ]]; then
  echo "check_all.sh: $failures failure(s) in ${#dirs[@]} example(s)" >&2
  exit 1
fi
echo "check_all.sh: ${#dirs[@]} example(s) ok" >&2
