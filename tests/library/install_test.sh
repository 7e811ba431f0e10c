#!/usr/bin/env bash
# `cmake --install` gives a proxy what it needs: mixtral.h, libmixtral.so,
# pkg-config and a CMake package. Builds examples/embed-c against the
# installed copy both ways and decides route16's first requests with it.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/mixtral/mixtral.h"
libdir=$(dirname "$(find "$prefix" -name 'libmixtral.so' | head -1)")
test -n "$libdir"
data=$src/bench/route16/data
head -n 300 "$data/requests.jsonl" >"$tmp/requests.jsonl"
head -n 300 "$data/expected.jsonl" >"$tmp/expected.jsonl"
run() {
  "$1" "$src/examples/route16/route16.mxl" "$data/telemetry.json" "$data/targets.json" \
    "$tmp/requests.jsonl" "$tmp/expected.jsonl" | grep -q '300 decisions, 0 mismatches'
}

# pkg-config
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc -std=c99 -Wall -Wextra -Werror "$src/examples/embed-c/main.c" -o "$tmp/embed_pc" \
  $(pkg-config --cflags --libs mixtral) -Wl,-rpath,"$libdir"
run "$tmp/embed_pc"
echo "pkg-config: ok"

# find_package(mixtral)
mkdir -p "$tmp/consumer"
cat >"$tmp/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(mixtral 0.1 REQUIRED)
add_executable(embed "$src/examples/embed-c/main.c")
target_link_libraries(embed PRIVATE mixtral::mixtral)
CMAKE
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_RPATH="$libdir" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
run "$tmp/consumer/build/embed"
echo "find_package: ok"
