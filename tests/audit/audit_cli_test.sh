#!/usr/bin/env bash
# `mixtral audit verify` end to end (contract §11, SPEC §19.1), one case per
# ctest test:
#
#   audit_cli_test.sh MIXTRAL AUDIT_LOG_TOOL CASE
#
# audit_log_tool writes a real log through AuditWriter; each case damages it
# the way an attacker or a crash would and asserts the exact exit code, what
# stdout holds (the head hash, or nothing) and that stderr names the broken
# record as FILE:LINE: seq N.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

if (($# != 3)); then
  echo "usage: audit_cli_test.sh MIXTRAL AUDIT_LOG_TOOL CASE" >&2
  exit 2
fi
mixtral="$1"
tool="$2"
case_name="$3"
work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-audit.XXXXXX")"
child=""
cleanup() {
  [[ -n "$child" ]] && kill -9 "$child" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
out="$work/out"
err="$work/err"
log="$work/audit.jsonl"

failures=0
fail() {
  echo "FAIL audit/$case_name: $*" >&2
  failures=$((failures + 1))
}

# verify ARGS...: runs `mixtral audit verify`; sets rc.
verify() {
  mx_run "$MX_TIMEOUT" "$out" "$err" -- "$mixtral" audit verify "$@"
  rc=$?
  mx_expect_clean "$err" || fail "sanitizer report"
}

# write_log ARGS...: appends records with audit_log_tool.
write_log() {
  mx_run "$MX_TIMEOUT" "$work/tool.out" "$work/tool.err" -- "$tool" "$log" "$@"
  local r=$?
  mx_expect_clean "$work/tool.err" || fail "sanitizer report from audit_log_tool"
  if ((r != 0)); then
    fail "audit_log_tool $* exited $(mx_rc_text $r)"
    mx_show "$work/tool.err" 8
  fi
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
expect_stderr() {
  grep -q -F -- "$1" "$err" || {
    fail "stderr lacks: $1"
    mx_show "$err" 8
  }
}

# The log's files, highest index last.
log_files() {
  ls "$log" "$log".[0-9]*.jsonl 2>/dev/null
}
last_file() {
  log_files | tail -n 1
}
# SHA-256 of the last complete line of the highest file that has one (a
# torn tail is no line; a kill can leave a new file empty), without its
# newline.
last_line_hash() {
  local f n
  for f in $(log_files | sort -r); do
    n="$(wc -l <"$f")"
    if ((n > 0)); then
      sed -n "${n}p" "$f" | tr -d '\n' | sha256sum | cut -d' ' -f1
      return
    fi
  done
  echo 0000000000000000000000000000000000000000000000000000000000000000
}
expect_head_hash() {
  local want
  want="$(last_line_hash)"
  [[ "$(cat "$out")" == "$want" ]] || fail "stdout is not the head hash $want: $(head -c 200 "$out")"
}
# The seq of line N of FILE.
seq_of() {
  sed -n "${2}p" "$1" | grep -o '"seq":[0-9]*' | cut -d: -f2
}
all_files_shuffled() {
  log_files | sort -r
}

case "$case_name" in
  usage)
    mx_run "$MX_TIMEOUT" "$out" "$err" -- "$mixtral" audit
    rc=$?
    expect_rc 2
    expect_stderr "missing subcommand"
    mx_run "$MX_TIMEOUT" "$out" "$err" -- "$mixtral" audit check "$log"
    rc=$?
    expect_rc 2
    expect_stderr "unknown subcommand \`check\`"
    verify
    expect_rc 2
    expect_stderr "no files given"
    verify --bogus "$log"
    expect_rc 2
    expect_stderr "unknown flag --bogus"
    ;;

  verify_ok)
    write_log --records 300 --rotate-bytes 8192
    (($(log_files | wc -l) >= 4)) || fail "expected several rotated files"
    # shellcheck disable=SC2046
    verify $(all_files_shuffled)
    expect_rc 0
    expect_head_hash
    [[ "$(wc -l <"$out")" == 1 ]] || fail "stdout must be one line"
    expect_stderr "audit log ok: 300 records in"
    expect_stderr "seq 1..300"
    ;;

  verify_json)
    write_log --records 50 --rotate-bytes 4096
    # shellcheck disable=SC2046
    verify --json $(log_files)
    expect_rc 0
    [[ "$(wc -l <"$out")" == 1 ]] || fail "--json must print one line"
    grep -q "\"head_hash\":\"$(last_line_hash)\"" "$out" || fail "no head_hash in $(cat "$out")"
    grep -q '"ok":true' "$out" || fail "not ok: $(cat "$out")"
    grep -q '"error":null' "$out" || fail "error is not null: $(cat "$out")"
    grep -q '"records":50' "$out" || fail "records is not 50: $(cat "$out")"
    ;;

  verify_empty_log)
    : >"$log"
    verify "$log"
    expect_rc 0
    [[ "$(cat "$out")" == "0000000000000000000000000000000000000000000000000000000000000000" ]] ||
      fail "the head of an empty log is 64 zeros, got $(cat "$out")"
    ;;

  tamper_byte)
    write_log --records 100 --rotate-bytes 8192
    f="$log.000001.jsonl"
    # A decision's eval_ns changes: the line stays valid JSON, its hash does not.
    n="$(grep -n '"eval_ns"' "$f" | sed -n 3p | cut -d: -f1)"
    sed -i -E "${n}s/\"eval_ns\":[0-9]+/\"eval_ns\":1/" "$f"
    sed -n "${n}p" "$f" | grep -q '"eval_ns":1,' || fail "tampering did not apply"
    # shellcheck disable=SC2046
    verify $(log_files)
    expect_rc 1
    expect_stdout_empty
    expect_stderr "error: $f:$((n + 1)): seq $(seq_of "$f" $((n + 1))): prev_hash is not the SHA-256 of the previous line, $f:$n"
    ;;

  tamper_delete_line)
    write_log --records 100 --rotate-bytes 8192
    f="$log.000001.jsonl"
    s="$(seq_of "$f" 4)"
    sed -i '3d' "$f"
    # shellcheck disable=SC2046
    verify $(log_files)
    expect_rc 1
    expect_stdout_empty
    expect_stderr "error: $f:3: seq $s: seq $s where $((s - 1)) was expected: 1 record(s) missing after $f:2"
    ;;

  tamper_delete_file)
    write_log --records 200 --rotate-bytes 8192
    f2="$log.000002.jsonl"
    f3="$log.000003.jsonl"
    [[ -f "$f3" ]] || fail "expected at least 4 files"
    s="$(seq_of "$f3" 1)"
    rm "$f2"
    # shellcheck disable=SC2046
    verify $(all_files_shuffled)
    expect_rc 1
    expect_stdout_empty
    expect_stderr "error: $f3:1: seq $s: seq $s where"
    expect_stderr "record(s) missing after $log.000001.jsonl:"
    ;;

  tamper_garbage)
    write_log --records 20
    printf '\x00\xff\xfe\x01garbage\n' >>"$log"
    verify "$log"
    expect_rc 1
    expect_stdout_empty
    expect_stderr "error: $log:21: invalid UTF-8 at byte 2"
    sed -i '$d' "$log"
    printf '%s\n' '{"kind":"decision","seq":21' >>"$log"
    verify "$log"
    expect_rc 1
    expect_stderr "error: $log:21: not valid JSON at byte"
    ;;

  torn_tail)
    write_log --records 40 --rotate-bytes 4096
    f="$(last_file)"
    truncate -s -7 "$f"
    # shellcheck disable=SC2046
    verify $(log_files)
    expect_rc 0
    expect_head_hash
    expect_stderr "warning: $f: ends in a torn line of"
    # shellcheck disable=SC2046
    verify --strict $(log_files)
    expect_rc 1
    expect_stdout_empty
    expect_stderr "error: $f: torn tail of"
    ;;

  recover_after_torn)
    write_log --records 40
    truncate -s -7 "$log"
    torn=$(($(sed -n '$p' "$log" | wc -c)))
    write_log --records 5
    next="$log.000001.jsonl"
    [[ -f "$next" ]] || fail "writing did not continue in $next"
    sed -n 1p "$next" | grep -q "\"file\":\"audit.jsonl\",\"kind\":\"recovered\"" ||
      fail "first line of $next is not a recovered record: $(sed -n 1p "$next")"
    sed -n 1p "$next" | grep -q "\"torn_bytes\":$torn" || fail "torn_bytes is not $torn"
    [[ "$(seq_of "$next" 1)" == 40 ]] || fail "recovered has seq $(seq_of "$next" 1), expected 40"
    verify --strict "$next" "$log"
    expect_rc 0
    expect_head_hash
    expect_stderr "accounted for by a recovered record"
    ;;

  second_writer_refused)
    "$tool" "$log" --forever >/dev/null 2>&1 &
    child=$!
    for _ in $(seq 100); do
      [[ -s "$log" ]] && break
      sleep 0.05
    done
    mx_run "$MX_TIMEOUT" "$out" "$err" -- "$tool" "$log" --records 1
    rc=$?
    expect_rc 1
    expect_stderr "is in use: another writer holds its lock"
    kill -9 "$child"
    wait "$child" 2>/dev/null
    child=""
    ;;

  drop_mode_counts)
    write_log --records 20000 --queue 8 --overflow drop --durability always
    dropped="$(grep -o '"dropped":[0-9]*' "$work/tool.out" | cut -d: -f2)"
    gaps="$(grep -o '"dropped":[0-9]*' "$log" | cut -d: -f2 | awk '{s += $1} END {print s + 0}')"
    [[ "$gaps" == "$dropped" ]] || fail "gap records account for $gaps, the counter says $dropped"
    written="$(grep -c -v '"kind":"gap"' "$log")"
    ((written + dropped == 20000)) || fail "$written written + $dropped dropped != 20000"
    verify "$log"
    expect_rc 0
    ;;

  kill9_batch)
    "$tool" "$log" --forever --durability batch --rotate-bytes 65536 >/dev/null 2>"$work/child.err" &
    child=$!
    for _ in $(seq 200); do
      (($(cat "$log" "$log".[0-9]*.jsonl 2>/dev/null | wc -l) >= 3000)) && break
      sleep 0.05
    done
    kill -9 "$child"
    wait "$child" 2>/dev/null
    child=""
    (($(cat $(log_files) | wc -l) >= 1000)) || fail "the child wrote too little before the kill"
    # shellcheck disable=SC2046
    verify $(all_files_shuffled)
    expect_rc 0
    expect_head_hash
    before="$(grep -o 'seq 1\.\.[0-9]*' "$err" | cut -d. -f3)"
    # A kill -9 lets write(2) finish, so the remains rarely end torn; a power
    # cut can. Tear the last line by hand so that reopening must recover.
    if ! grep -q "torn line" "$err"; then
      for f in $(log_files | sort -r); do
        if [[ -s "$f" ]]; then
          truncate -s -9 "$f"
          break
        fi
      done
      before=$((before - 1))
    fi
    # Reopen: the chain continues after a recovered record.
    write_log --records 25 --durability batch --rotate-bytes 65536
    # shellcheck disable=SC2046
    verify --strict $(all_files_shuffled)
    expect_rc 0
    expect_head_hash
    expect_stderr "seq 1..$((before + 1 + 25))"
    expect_stderr "accounted for by a recovered record"
    [[ "$(cat $(log_files) | grep -c '"kind":"recovered"')" == 1 ]] || fail "expected one recovered record"
    ;;

  *)
    echo "audit_cli_test.sh: unknown case $case_name" >&2
    exit 2
    ;;
esac

((failures == 0)) || exit 1
exit 0
