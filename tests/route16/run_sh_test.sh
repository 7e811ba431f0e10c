#!/usr/bin/env bash
# examples/route16/run.sh with MIXTRAL set to the built CLI: it must exit 0
# and print 20,000 decision lines, 2,282 of them rejected (WORKLOAD.md).
#   run_sh_test.sh MIXTRAL RUN_SH
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../support/mixtral_test_lib.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/mixtral-route16.XXXXXX")"
trap 'rm -rf "$work"' EXIT

MIXTRAL="$1" mx_run "$((MX_TIMEOUT * 15))" "$work/out" "$work/err" -- bash "$2"
rc=$?
status=0
mx_expect_clean "$work/err" || status=1
if ((rc != 0)); then
  echo "FAIL: run.sh exited $(mx_rc_text $rc), expected 0" >&2
  mx_show "$work/err"
  status=1
fi
lines="$(wc -l <"$work/out")"
if ((lines != 20000)); then
  echo "FAIL: run.sh printed $lines lines, expected 20000" >&2
  status=1
fi
decisions="$(grep -c '^{"annotations":' "$work/out")"
if ((decisions != 20000)); then
  echo "FAIL: $decisions of the lines are decisions, expected all 20000" >&2
  grep -v -m3 '^{"annotations":' "$work/out" >&2
  status=1
fi
rejected="$(grep -c '"outcome":"rejected"' "$work/out")"
if ((rejected != 2282)); then
  echo "FAIL: $rejected rejected decisions, expected 2282 (WORKLOAD.md)" >&2
  status=1
fi
((status == 0)) && echo "ok: run.sh printed 20000 decisions, 2282 rejected"
exit $status
