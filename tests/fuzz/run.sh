#!/bin/sh
# tests/fuzz/run.sh: build the libFuzzer targets and run each for SECONDS
# (default 15) from its seed corpus:
#   fuzz_json  the JSON/JWT parsers          seeds: tests/fuzz/corpus
#   fuzz_poll  whole polling cycles (cx_poll) from fuzzed CXone answers on a
#              fake clock                    seeds: tests/fuzz/corpus-poll
#   fuzz_tz    the TZif / POSIX TZ reader    seeds: tests/fuzz/corpus-tz
#              (a few of the system's zone files)
#
#   tests/fuzz/run.sh [SECONDS [TARGET...]]
#
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev) and the
# pkg-config files of json-c and libcurl.  Builds into $FUZZ_OUT (default a
# temporary directory) with -fsanitize=fuzzer,address,undefined; new corpus
# entries go there too, so the checked-in seeds stay small.  Exits non-zero
# on any crash, leak, sanitizer report or build failure; crash inputs are
# left in $FUZZ_OUT.
set -eu

seconds=${1:-15}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_json fuzz_poll fuzz_tz}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../src" && pwd)
CC=${CC:-clang}
out=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cxone-fuzz.XXXXXX")}
mkdir -p "$out"

# cx_config.h comes from configure; without it (no OpenSSL cleanse) the
# library builds alone.
: >"$out/cx_config.h"
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=gnu11 -I$src -I$out $(pkg-config --cflags json-c)"

status=0
for target in $targets; do
  case $target in
  fuzz_json)
    # The parsers alone (no curl, no collectd).
    lib="cx_json cx_jscan cx_array cx_record cx_time cx_error"
    extra_cflags=""
    extra_libs=""
    corpus="$here/corpus"
    dict="-dict=$here/json.dict"
    ;;
  fuzz_poll)
    # The collectd-free library a cycle runs; cx_http needs libcurl's
    # headers and library, but with the transport set no transfer runs.
    lib="cx_time cx_error cx_secret cx_record cx_json cx_jscan cx_http cx_str
         cx_reply cx_auth cx_api cx_ledger cx_cursor cx_roster cx_array
         cx_snapshot cx_skills cx_poll cx_names cx_labels cx_tz
         cx_wipe_alloc"
    extra_cflags=$(pkg-config --cflags libcurl)
    extra_libs=$(pkg-config --libs libcurl)
    corpus="$here/corpus-poll"
    dict=""
    ;;
  fuzz_tz)
    lib="cx_tz cx_time cx_error"
    extra_cflags=""
    extra_libs=""
    corpus="$here/corpus-tz"
    dict=""
    ;;
  *)
    echo "== $target: unknown target"
    status=1
    continue
    ;;
  esac
  files=""
  for m in $lib; do files="$files $src/$m.c"; done
  echo "== $target: build"
  # shellcheck disable=SC2086
  if ! $CC $cflags $extra_cflags -o "$out/$target" "$here/$target.c" $files \
       $(pkg-config --libs json-c) $extra_libs -lm; then
    echo "== $target: FAILED to build"
    status=1
    continue
  fi
  mkdir -p "$out/$target.corpus"
  echo "== $target: ${seconds}s from $(ls "$corpus" | wc -l) seeds"
  # shellcheck disable=SC2086
  if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "./$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 $dict \
        "$target.corpus" "$corpus" >"$target.log" 2>&1); then
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
