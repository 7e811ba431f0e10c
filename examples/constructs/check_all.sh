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
#                 arrays and scalars exactly); needs jq;
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
have_jq=1
if ! command -v jq >/dev/null 2>&1; then
  have_jq=0
  echo "check_all.sh: jq not found; JSON excerpts are not compared (exit codes still are)" >&2
fi

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# $1: expected excerpt file, $2: actual stdout file. Exit 0 if the excerpt holds.
json_subset() {
  jq -n --slurpfile want "$1" --slurpfile got "$2" '
    def sub($a; $b):
      if ($a | type) == "object" then
        ($b | type) == "object" and
        ([$a | to_entries[] | . as $e | sub($e.value; $b[$e.key])] | all)
      else $a == $b end;
    ($got | length) == 1 and sub($want[0]; $got[0])' | grep -qx true
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
      [[ $have_jq == 1 ]] || return
      printf '%s\n' "$expect" >"$tmp/want"
      if ! jq -e . "$tmp/want" >/dev/null 2>&1; then
        fail "$dir: the README's JSON excerpt does not parse: $shown"
      elif ! json_subset "$tmp/want" "$out"; then
        fail "$dir: output does not match the README's excerpt: $shown"
        echo "    want: $(jq -c . "$tmp/want")" >&2
        echo "    got:  $(jq -c . "$out" 2>/dev/null || head -c 400 "$out")" >&2
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
