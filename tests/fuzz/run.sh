#!/bin/sh
# tests/fuzz/run.sh: build the libFuzzer targets of the JSON/JWT parsers and
# run each for SECONDS (default 20) from the seed corpus in tests/fuzz/corpus.
#
#   tests/fuzz/run.sh [SECONDS]
#
# Needs clang with libFuzzer (Debian: clang) and json-c's pkg-config file.
# Builds into $FUZZ_OUT (default a temporary directory) with
# -fsanitize=fuzzer,address,undefined; new corpus entries go there too, so
# the checked-in seeds stay small.  Exits non-zero on any crash, leak,
# sanitizer report or build failure; crash inputs are left in $FUZZ_OUT.
set -eu

seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../src" && pwd)
CC=${CC:-clang}
out=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cxone-fuzz.XXXXXX")}
mkdir -p "$out"

# The library sources the parsers need (no curl, no collectd).
lib="$src/cx_json.c $src/cx_record.c $src/cx_time.c $src/cx_error.c"
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=gnu11 -I$src $(pkg-config --cflags json-c)"
libs="$(pkg-config --libs json-c) -lm"

status=0
for target in fuzz_json; do
  echo "== $target: build"
  # shellcheck disable=SC2086
  $CC $cflags -o "$out/$target" "$here/$target.c" $lib $libs
  mkdir -p "$out/$target.corpus"
  echo "== $target: ${seconds}s from $(ls "$here/corpus" | wc -l) seeds"
  if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "./$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$here/json.dict" "$target.corpus" "$here/corpus" \
        >"$target.log" 2>&1); then
    echo "== $target: FAILED (see $out/$target.log)"
    tail -n 40 "$out/$target.log"
    status=1
    continue
  fi
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' \
    "$out/$target.log" || true
  grep -E '^#[0-9]+ *DONE' "$out/$target.log" || true
done
echo "== output in $out"
exit $status
