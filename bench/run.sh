#!/usr/bin/env bash
# Runs the route16 benchmark: the hand-written floor, the JIT and the
# interpreter, each three times interleaved; reports each engine's median run
# (by throughput) and its ratio to the floor's batch-100 median.
#   bench/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
data="$root/bench/route16/data"
out="$(mktemp -d)"
for run in 1 2 3; do
  "$build/bin/route16_floor" "$data" --json >>"$out/floor"
  MIXTRAL="$build/bin/mixtral" "$root/examples/route16/run.sh" bench --engine jit >>"$out/jit"
  MIXTRAL="$build/bin/mixtral" "$root/examples/route16/run.sh" bench --engine interp >>"$out/interp"
done
median_run() {  # the run with the median decisions_per_s
  sort -t: -k1 "$1" | awk -F'"decisions_per_s":' '{split($2,a,/[,}]/); print a[1] "\t" $0}' | sort -n | sed -n 2p | cut -f2-
}
floor=$(median_run "$out/floor")
floor_ns=$(sed -E 's/.*"batch100_median_ns":([0-9.]+).*/\1/' <<<"$floor")
echo "$floor"
for engine in jit interp; do
  line=$(median_run "$out/$engine")
  ns=$(sed -E 's/.*"batch100_median_ns":([0-9.]+).*/\1/' <<<"$line")
  ens=$(sed -E 's/.*"explain_batch100_median_ns":([0-9.]+).*/\1/' <<<"$line")
  echo "$line"
  awk -v e="$engine" -v a="$ns" -v x="$ens" -v f="$floor_ns" \
    'BEGIN { printf "%s: batch100 %.1f ns = %.2fx floor; explained %.1f ns = %.2fx floor\n", e, a, a / f, x, x / f }'
done
# Compile figures are one measurement per run: report each key's median over
# the three JIT runs rather than the throughput-median run's single sample.
median_key() {  # FILE KEY
  sed -E "s/.*\"$2\":([0-9.]+).*/\1/" "$1" | sort -n | sed -n 2p
}
printf 'jit compile (median of 3 runs, ms): cold %s = parse %s + check %s + LLJIT %s + lower %s + optimize %s + codegen %s + link %s; cached %s (lower %s, link %s)\n' \
  "$(median_key "$out/jit" compile_cold_ms)" "$(median_key "$out/jit" cold_parse_ms)" \
  "$(median_key "$out/jit" cold_check_ms)" "$(median_key "$out/jit" cold_jit_session_ms)" \
  "$(median_key "$out/jit" cold_lower_ms)" "$(median_key "$out/jit" cold_optimize_ms)" \
  "$(median_key "$out/jit" cold_codegen_ms)" "$(median_key "$out/jit" cold_link_ms)" \
  "$(median_key "$out/jit" compile_cached_ms)" "$(median_key "$out/jit" cached_lower_ms)" \
  "$(median_key "$out/jit" cached_link_ms)"
rm -rf "$out"
