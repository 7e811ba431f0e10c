# shellcheck shell=bash
# Shared helpers for the shell test drivers (golden, malformed, cli).
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../support/mixtral_test_lib.sh"
#   mx_run 20 out.txt err.txt -- "$MIXTRAL" check policy.mxl; rc=$?
#   mx_expect_clean err.txt || fail "sanitizer report"
#
# Sanitizer builds report through exit codes that no mixtral command uses
# (86 for AddressSanitizer and LeakSanitizer, 87 for UndefinedBehaviorSanitizer),
# so a driver that asserts the exact exit code also catches every report.
# The options are harmless in a normal build.

export ASAN_OPTIONS="exitcode=86:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1"
export LC_ALL=C

# Seconds one command may run before it counts as hung. Sanitizer builds are
# several times slower, so ctest passes a larger value there.
MX_TIMEOUT="${MIXTRAL_TEST_TIMEOUT:-20}"

# mx_run SECONDS OUT ERR -- CMD...: runs CMD with stdout in OUT and stderr in
# ERR, killed after SECONDS. Returns CMD's exit code (124 on timeout).
mx_run() {
  local secs="$1" out="$2" err="$3"
  shift 3
  [[ "${1:-}" == "--" ]] && shift
  timeout --kill-after=5 "$secs" "$@" >"$out" 2>"$err"
}

# mx_rc_text RC: what an exit code means, for failure messages.
mx_rc_text() {
  case "$1" in
    0) echo "0 (ok)" ;;
    1) echo "1 (user error)" ;;
    2) echo "2 (usage)" ;;
    3) echo "3 (internal error)" ;;
    86) echo "86 (AddressSanitizer/LeakSanitizer report)" ;;
    87) echo "87 (UndefinedBehaviorSanitizer report)" ;;
    124 | 137) echo "$1 (timed out after ${MX_TIMEOUT}s)" ;;
    *)
      if (($1 > 128)); then
        echo "$1 (killed by signal $(($1 - 128)): $(kill -l $(($1 - 128)) 2>/dev/null))"
      else
        echo "$1 (not a mixtral exit code)"
      fi
      ;;
  esac
}

# mx_expect_clean ERR: fails (and prints the report) if a sanitizer wrote to ERR.
mx_expect_clean() {
  if grep -a -q -E 'runtime error:|AddressSanitizer|LeakSanitizer' "$1"; then
    echo "    sanitizer report:" >&2
    sed -n '1,40s/^/      /p' "$1" >&2
    return 1
  fi
  return 0
}

# mx_show FILE [LINES]: the head of FILE, indented, for failure messages.
mx_show() {
  sed -n "1,${2:-20}s/^/      /p" "$1" >&2
}
