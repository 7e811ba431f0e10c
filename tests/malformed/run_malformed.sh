#!/usr/bin/env bash
# Runs the malformed-input corpus through the CLI. Every input must be
# rejected with exit code exactly 1 and a located diagnostic, within the
# timeout, without a crash, a hang or a sanitizer report.
#
#   run_malformed.sh MIXTRAL policies  DIR
#   run_malformed.sh MIXTRAL requests  DIR POLICY TELEMETRY REQUEST
#   run_malformed.sh MIXTRAL snapshots DIR POLICY TELEMETRY REQUEST
#
# File names carry the expectation: `E0007-huge-int.mxl` must produce E0007
# as its first error, and `E0003-L3C5-lone-continuation.mxl` must produce it
# at line 3, column 5. `any-...` pins no code.
#
# policies:  `mixtral check FILE` must print `FILE:L:C: error[CODE]` first.
# requests:  `mixtral eval --request FILE` must name a JSON path (`request`,
#            `request.tier`, `request.tags[2]`) or a byte offset, and print
#            nothing on stdout. A one-line file is also sent as line 2 of a
#            batch between two good requests: that line must come back as
#            {"line":2,"error":{"code":CODE,...}}, the others decided.
# snapshots: `mixtral eval --telemetry FILE` must name a `snapshot`/
#            `inventory` path or a byte offset.
#
# Inputs too large to commit (over 1 MiB, 64 KiB, 100k brackets) are
# generated into a scratch folder and run the same way.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

usage() {
  echo "usage: run_malformed.sh MIXTRAL (policies DIR | requests DIR POLICY TELEMETRY REQUEST | snapshots DIR POLICY TELEMETRY REQUEST)" >&2
  exit 2
}
(($# >= 3)) || usage
mixtral="$1"
kind="$2"
corpus="$(cd "$3" && pwd)"
case "$kind" in
  policies) (($# == 3)) || usage ;;
  requests | snapshots)
    (($# == 6)) || usage
    policy="$4"
    telemetry="$5"
    good_request="$6"
    ;;
  *) usage ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-malformed.XXXXXX")"
trap 'rm -rf "$work"' EXIT
gen="$work/generated"
mkdir -p "$gen"

total=0
failed=0
fail() {
  echo "FAIL $1: $2" >&2
  failed=$((failed + 1))
}

# The code a file name pins ("" for any-), and its line and column if given.
expect_of() {
  local base="$1"
  want_code="" want_loc=""
  if [[ "$base" =~ ^(E[0-9]{4})-L([0-9]+)C([0-9]+)- ]]; then
    want_code="${BASH_REMATCH[1]}"
    want_loc="${BASH_REMATCH[2]}:${BASH_REMATCH[3]}"
  elif [[ "$base" =~ ^(E[0-9]{4})- ]]; then
    want_code="${BASH_REMATCH[1]}"
  elif [[ "$base" != any-* ]]; then
    return 1
  fi
  return 0
}

# ---- generated inputs ---------------------------------------------------------
# repeat N TEXT: TEXT N times, without a newline.
repeat() { local i; for ((i = 0; i < $1; i++)); do printf '%s' "$2"; done; }

# A string of N copies of one character, fast even for N in the millions.
fill() { head -c "$1" /dev/zero | tr '\0' "$2"; }

# N bytes of comment lines, each short (a comment is no token of the 64 KiB
# limit's kind, but short lines keep this file about size and nothing else).
comment_lines() { yes '# padding: the size limit counts every byte of the file' | head -c "$1"; }

generate_policies() {
  local head='policy p version "1"'
  local route=$'route main {\n  require ok: true\n}\n'
  # 1 MiB + 1 byte: a valid policy padded with comments.
  {
    printf '%s\n%s' "$head" "$route"
    comment_lines $((1048576 + 1 - ${#head} - 1 - ${#route} - 1))
    printf '\n'
  } >"$gen/E0004-L1C1-one-MiB-plus-one.mxl"
  # Exactly 1 MiB is accepted: the same, one byte shorter, with an error after
  # the padding so that the file still fails, later and for another reason.
  {
    printf '%s\n%s' "$head" "$route"
    comment_lines $((1048576 - ${#head} - 1 - ${#route} - 1 - 8))
    printf '\nlet x =\n'
  } >"$gen/E0001-one-MiB-exactly.mxl"
  # A token over 64 KiB: a string, an identifier and a number.
  { printf '%s\n\nlet s = "' "$head"; fill 65537 a; printf '"\n%s' "$route"; } >"$gen/E0005-L3C9-string-token-64KiB.mxl"
  { printf '%s\n\nlet ' "$head"; fill 65537 a; printf ' = 1\n%s' "$route"; } >"$gen/E0005-L3C5-identifier-token-64KiB.mxl"
  { printf '%s\n\nlet x = ' "$head"; fill 65537 7; printf '\n%s' "$route"; } >"$gen/E0005-L3C9-number-token-64KiB.mxl"
  # 10k-term operator chains: flat in the parse tree, too deep as an AST.
  { printf '%s\n\nlet x = 1' "$head"; repeat 9999 ' + 1'; printf '\n%s' "$route"; } >"$gen/E0006-L3C9-10k-term-sum.mxl"
  { printf '%s\n\nroute main {\n  require ok: true' "$head"; repeat 9999 ' and true'; printf '\n}\n'; } >"$gen/E0006-L4C15-10k-term-and.mxl"
  { printf '%s\n\nlet x = ' "$head"; repeat 10000 'not '; printf 'true\n%s' "$route"; } >"$gen/E0006-10k-nots.mxl"
  { printf '%s\n\nlet x = ' "$head"; repeat 10000 'true ? 1 : '; printf '2\n%s' "$route"; } >"$gen/E0006-10k-ternaries.mxl"
  # 100k open brackets: the nesting check must stop before the parser recurses.
  { printf '%s\n\nlet x = ' "$head"; fill 100000 '('; printf '\n%s' "$route"; } >"$gen/E0006-L3C265-100k-open-parens.mxl"
  # Deeply nested types: list<list<...>> recurses like brackets do.
  { printf '%s\n\ntype T = ' "$head"; repeat 20000 'list<'; printf 'int'; fill 20000 '>'; printf '\n%s' "$route"; } >"$gen/E0006-20k-deep-list-type.mxl"
  # Token soup: every token of the language, 20k times over.
  { printf '%s\n\n' "$head"; repeat 2000 'route { } ( ) [ ] . , : ? == != <= >= + - * / % and or not in '; printf '\n'; } >"$gen/E0001-token-soup-large.mxl"
}

generate_requests() {
  local good='{"id": "g", "tenant": "acme", "tier": "pro", "tokens": 10'
  # 64 KiB + 1 byte, valid JSON padded with spaces.
  { printf '%s' "$good"; fill $((65536 + 1 - ${#good} - 1)) ' '; printf '}'; } >"$gen/E1003-64KiB-plus-one.json"
  # 30k nested arrays (under the size limit): the depth check must run
  # before the parser.
  { printf '{"id": "g", "tags": '; fill 30000 '['; fill 30000 ']'; printf '}'; } >"$gen/E1004-30k-brackets.json"
  # Strings one byte over 4 KiB, in a string, an enum, a list and a map key.
  { printf '{"id": "g", "tenant": "'; fill 4097 t; printf '", "tier": "pro", "tokens": 1}'; } >"$gen/E1005-4097-byte-string.json"
  { printf '{"id": "g", "tenant": "a", "tier": "'; fill 4097 p; printf '", "tokens": 1}'; } >"$gen/E1005-4097-byte-enum.json"
  { printf '{"id": "g", "tenant": "a", "tier": "pro", "tokens": 1, "tags": ["'; fill 4097 x; printf '"]}'; } >"$gen/E1005-4097-byte-list-element.json"
  { printf '{"id": "g", "tenant": "a", "tier": "pro", "tokens": 1, "quotas": {"'; fill 4097 k; printf '": 1}}'; } >"$gen/E1005-4097-byte-map-key.json"
  # Exactly 4 KiB is accepted; the request then fails on its tier.
  { printf '{"id": "g", "tenant": "'; fill 4096 t; printf '", "tier": "gold", "tokens": 1}'; } >"$gen/E1013-4096-byte-string-accepted.json"
}

generate_snapshots() {
  { printf '{"taken_at": 0, "targets": ['; fill 100000 '['; fill 100000 ']'; printf ']}'; } >"$gen/E1004-100k-brackets.json"
}

# ---- runners ------------------------------------------------------------------------
run_policy() {
  local file="$1" base dir
  base="$(basename "$file")"
  dir="$(dirname "$file")"
  expect_of "$base" || { fail "$base" "name must start with E0000-, E0000-L1C1- or any-"; return; }
  (cd "$dir" && mx_run "$MX_TIMEOUT" "$work/out" "$work/err" -- "$mixtral" check "$base")
  local rc=$?
  mx_expect_clean "$work/err" || { fail "$base" "sanitizer report"; return; }
  if ((rc != 1)); then
    fail "$base" "mixtral check exited $(mx_rc_text $rc), expected 1"
    mx_show "$work/err" 6
    return
  fi
  local first
  first="$(grep -a -E -m1 -o '^[^[:space:]]+:[0-9]+:[0-9]+: error\[E[0-9]{4}\]' "$work/err")"
  if [[ -z "$first" ]]; then
    fail "$base" "no located diagnostic 'FILE:LINE:COL: error[CODE]' on stderr"
    mx_show "$work/err" 6
    return
  fi
  if [[ "$first" =~ :0: ]]; then
    fail "$base" "diagnostic has no real location: $first"
    return
  fi
  if [[ -n "$want_code" && "$first" != *"error[$want_code]" ]]; then
    fail "$base" "first diagnostic is '$first', expected code $want_code"
    mx_show "$work/err" 6
    return
  fi
  if [[ -n "$want_loc" && "$first" != "$base:$want_loc: error[$want_code]" ]]; then
    fail "$base" "first diagnostic is '$first', expected '$base:$want_loc: error[$want_code]'"
    return
  fi
}

# check_input_error NAME FILE ROOT_RE: stderr must read
# `FILE: error[CODE]: ROOT.path: message` (SPEC §15.3), with the pinned code
# and a path under ROOT (or the message naming a byte offset).
check_input_error() {
  local base="$1" file="$2" root="$3" line
  line="$(grep -a -m1 -F "$file: error[" "$work/err")"
  if [[ ! "$line" =~ ^.*:\ error\[(E[0-9]{4})\]:\ (.*)$ ]]; then
    fail "$base" "stderr has no '$file: error[CODE]: ...' line"
    mx_show "$work/err" 4
    return
  fi
  local code="${BASH_REMATCH[1]}" rest="${BASH_REMATCH[2]}"
  if [[ -n "$want_code" && "$code" != "$want_code" ]]; then
    fail "$base" "error code is $code, expected $want_code: $rest"
  fi
  if [[ ! "$rest" =~ ^$root([.[][^:]*)?:\  && ! "$rest" =~ byte\ [0-9]+ ]]; then
    fail "$base" "the error names neither a JSON path under '$root' nor a byte offset: $rest"
  fi
}

# Single-request mode, and batch mode for one-line files.
run_request() {
  local file="$1" base
  base="$(basename "$file")"
  expect_of "$base" || { fail "$base" "name must start with E0000- or any-"; return; }
  mx_run "$MX_TIMEOUT" "$work/out" "$work/err" -- "$mixtral" eval --engine interp --policy "$policy" \
    --telemetry "$telemetry" --request "$file" --json
  local rc=$?
  mx_expect_clean "$work/err" || { fail "$base" "sanitizer report"; return; }
  if ((rc != 1)); then
    fail "$base" "mixtral eval --request exited $(mx_rc_text $rc), expected 1"
    mx_show "$work/err" 6
    return
  fi
  if [[ -s "$work/out" ]]; then
    fail "$base" "stdout must stay empty when the request is rejected, got: $(head -c 200 "$work/out")"
  fi
  check_input_error "$base" "$file" 'request'

  # Batch mode needs the input on one line (a trailing newline is fine).
  # (A blank line is skipped in a batch, so it cannot stand for itself there.)
  if ! grep -q '[^[:space:]]' "$file" || (($(head -c -1 "$file" | tr -cd '\n' | wc -c) > 0)); then
    return
  fi
  { cat "$good_request"; cat "$file"; [[ "$(tail -c1 "$file")" == "" ]] || echo; cat "$good_request"; } >"$work/batch.jsonl"
  mx_run "$MX_TIMEOUT" "$work/out" "$work/err" -- "$mixtral" eval --engine interp --policy "$policy" \
    --telemetry "$telemetry" --requests "$work/batch.jsonl" --no-explain
  rc=$?
  mx_expect_clean "$work/err" || { fail "$base" "sanitizer report (batch)"; return; }
  if ((rc != 1)); then
    fail "$base" "batch with this line exited $(mx_rc_text $rc), expected 1"
    return
  fi
  local n
  n="$(wc -l <"$work/out")"
  if ((n != 3)); then
    fail "$base" "batch printed $n lines, expected 3 (one per request)"
    return
  fi
  local err_line
  err_line="$(sed -n 2p "$work/out")"
  if [[ ! "$err_line" =~ ^\{\"error\":\{\"code\":\"(E[0-9]{4})\",\"message\":.*\"path\":\"request.*\"\},\"line\":2\}$ ]]; then
    fail "$base" "batch line 2 is not {\"error\":{\"code\",\"message\",\"path\"},\"line\":2}: $(head -c 300 <<<"$err_line")"
    return
  fi
  if [[ -n "$want_code" && "${BASH_REMATCH[1]}" != "$want_code" ]]; then
    fail "$base" "batch error code is ${BASH_REMATCH[1]}, expected $want_code"
  fi
  if ! sed -n '1p;3p' "$work/out" | grep -c '"outcome":"routed"' | grep -q '^2$'; then
    fail "$base" "the good requests around the bad line were not both decided"
  fi
}

run_snapshot() {
  local file="$1" base
  base="$(basename "$file")"
  expect_of "$base" || { fail "$base" "name must start with E0000- or any-"; return; }
  mx_run "$MX_TIMEOUT" "$work/out" "$work/err" -- "$mixtral" eval --engine interp --policy "$policy" \
    --telemetry "$file" --request "$good_request" --json
  local rc=$?
  mx_expect_clean "$work/err" || { fail "$base" "sanitizer report"; return; }
  if ((rc != 1)); then
    fail "$base" "mixtral eval --telemetry exited $(mx_rc_text $rc), expected 1"
    mx_show "$work/err" 6
    return
  fi
  if [[ -s "$work/out" ]]; then
    fail "$base" "stdout must stay empty when the snapshot is rejected"
  fi
  check_input_error "$base" "$file" '(snapshot|inventory)'
}

case "$kind" in
  policies) generate_policies; runner=run_policy ;;
  requests) generate_requests; runner=run_request ;;
  snapshots) generate_snapshots; runner=run_snapshot ;;
esac

start=$SECONDS
for file in "$corpus"/* "$gen"/*; do
  [[ -f "$file" ]] || continue
  total=$((total + 1))
  "$runner" "$file"
done

echo "malformed $kind: $total inputs, $failed failed ($((SECONDS - start))s)"
((total > 0)) || { echo "no inputs found in $corpus" >&2; exit 1; }
((failed == 0))
