#!/bin/sh
# `mixtral fmt` end to end: stdout, --check, -i, exit codes (contract §9).
#   cli_test.sh MIXTRAL CORPUS_DIR
set -u
bin=$1
corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

expect_status() {  # WANT DESCRIPTION COMMAND...
  want=$1; what=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  [ "$got" = "$want" ] || { fail "$what: exit $got, want $want"; cat "$work/err"; }
}

cp "$corpus/03-route-crammed.mxl" "$work/messy.mxl"
cp "$corpus/03-route-crammed.expected" "$work/clean.mxl"
printf 'policy p version "1"\nroute r {\n  require a:\n}\n' >"$work/broken.mxl"

# fmt FILE: the canonical text on stdout, nothing else.
expect_status 0 "fmt FILE" "$bin" fmt "$work/messy.mxl"
cmp -s "$work/out" "$work/clean.mxl" || fail "fmt FILE: stdout is not the canonical form"
[ -s "$work/err" ] && fail "fmt FILE: wrote to stderr"
expect_status 0 "fmt - (stdin)" sh -c "\"$bin\" fmt - <\"$work/messy.mxl\""
cmp -s "$work/out" "$work/clean.mxl" || fail "fmt -: stdout is not the canonical form"

# --check: 1 and the file's name on stderr when it would change; 0 otherwise.
expect_status 1 "--check on a messy file" "$bin" fmt --check "$work/messy.mxl" "$work/clean.mxl"
grep -q "messy.mxl" "$work/err" || fail "--check does not name the messy file"
grep -q "clean.mxl" "$work/err" && fail "--check names the clean file"
[ -s "$work/out" ] && fail "--check wrote to stdout"
expect_status 0 "--check on a clean file" "$bin" fmt --check "$work/clean.mxl"
cmp -s "$corpus/03-route-crammed.mxl" "$work/messy.mxl" || fail "--check changed a file"

# A file that does not parse: located diagnostics, exit 1, never rewritten.
expect_status 1 "fmt on a broken file" "$bin" fmt "$work/broken.mxl"
grep -q "broken.mxl:4:1: error\[E0001\]" "$work/err" || fail "no located E0001 diagnostic"
[ -s "$work/out" ] && fail "a broken file printed something on stdout"
cp "$work/broken.mxl" "$work/broken.orig"
expect_status 1 "-i on a broken file" "$bin" fmt -i "$work/broken.mxl"
cmp -s "$work/broken.mxl" "$work/broken.orig" || fail "-i rewrote a broken file"
expect_status 1 "--check on a broken file" "$bin" fmt --check "$work/broken.mxl"

# -i: rewrites messy files, leaves canonical ones untouched, keeps the mode.
chmod 640 "$work/messy.mxl"
touch -t 200001010000 "$work/clean.mxl"
expect_status 0 "-i" "$bin" fmt -i "$work/messy.mxl" "$work/clean.mxl"
cmp -s "$work/messy.mxl" "$corpus/03-route-crammed.expected" || fail "-i did not format the file"
[ "$(stat -c %a "$work/messy.mxl")" = 640 ] || fail "-i changed the file mode"
[ "$(stat -c %Y "$work/clean.mxl")" = "$(date -d 2000-01-01T00:00:00 +%s)" ] ||
  fail "-i touched a file that was already canonical"
ls "$work" | grep -q fmt- && fail "-i left a temporary file"
expect_status 0 "--check after -i" "$bin" fmt --check "$work/messy.mxl"

# -i through a symbolic link replaces the file it points to, not the link.
cp "$corpus/03-route-crammed.mxl" "$work/target.mxl"
ln -s target.mxl "$work/link.mxl"
expect_status 0 "-i through a link" "$bin" fmt -i "$work/link.mxl"
[ -L "$work/link.mxl" ] || fail "-i replaced the link"
cmp -s "$work/target.mxl" "$corpus/03-route-crammed.expected" || fail "-i missed the link's file"

# Usage errors exit 2; an unreadable file is the user's (1).
expect_status 2 "no file" "$bin" fmt
expect_status 2 "-i with --check" "$bin" fmt -i --check "$work/clean.mxl"
expect_status 2 "unknown flag" "$bin" fmt --bogus "$work/clean.mxl"
expect_status 2 "unknown short flag" "$bin" fmt -x "$work/clean.mxl"
expect_status 2 "two files to stdout" "$bin" fmt "$work/clean.mxl" "$work/messy.mxl"
expect_status 2 "-i on stdin" "$bin" fmt -i -
expect_status 1 "missing file" "$bin" fmt "$work/nope.mxl"

exit $failed
