#!/usr/bin/env bash
# Prints route16's 20,000 decisions as JSONL on stdout.
#   examples/route16/run.sh [extra mixtral eval flags...]
#   examples/route16/run.sh bench [mixtral bench flags...]
# $MIXTRAL: the mixtral binary (default: build/bin/mixtral in this repo).
# $BENCH_DATA: a folder with targets.json, telemetry.json, requests.jsonl
#              (default: the project's copy in bench/route16/data).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
MIXTRAL="${MIXTRAL:-$root/build/bin/mixtral}"
BENCH_DATA="${BENCH_DATA:-$root/bench/route16/data}"
if [[ ! -x "$MIXTRAL" ]]; then
  echo "run.sh: no mixtral binary at $MIXTRAL (build first, or set MIXTRAL)" >&2
  exit 2
fi
if [[ "${1:-}" == "bench" ]]; then
  shift
  exec "$MIXTRAL" bench --policy "$here/route16.mxl" --requests "$BENCH_DATA/requests.jsonl" \
    --telemetry "$BENCH_DATA/telemetry.json" --inventory "$BENCH_DATA/targets.json" \
    --expected "$BENCH_DATA/expected.jsonl" --json "$@"
fi
exec "$MIXTRAL" eval --policy "$here/route16.mxl" --requests "$BENCH_DATA/requests.jsonl" \
  --telemetry "$BENCH_DATA/telemetry.json" --inventory "$BENCH_DATA/targets.json" "$@"
