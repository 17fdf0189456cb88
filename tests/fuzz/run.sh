#!/usr/bin/env bash
# Builds the feed parser fuzzer with clang's libFuzzer (ASan + UBSan) and runs
# it for a bounded time on a copy of the checked-in corpus.
#   tests/fuzz/run.sh [seconds=60]
# Exits non-zero if the build fails or the fuzzer finds a crash, leak,
# timeout or UB (the reproducer lands in build/fuzz/artifacts/).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-60}"
CXX="${FUZZ_CXX:-}"
if [ -z "$CXX" ]; then
  for c in clang++ clang++-16 clang++-15 clang++-14; do
    if command -v "$c" >/dev/null; then CXX="$c"; break; fi
  done
fi
[ -n "$CXX" ] || { echo "fuzz: clang++ not found (apt-get install clang)" >&2; exit 1; }

OUT=build/fuzz
BIN="$OUT/feed_parser_fuzz"
mkdir -p "$OUT/artifacts"
# Only what the parser needs: the feed's own files, not everything under src/feed.
SRCS=(tests/fuzz/feed_parser_fuzz.cpp src/feed/feed_message.cpp src/feed/feed_parser.cpp src/feed/recovery_request.cpp src/feed/wire_text.cpp
      src/feed/dead_letter.cpp src/core/*.cpp src/market/book.cpp src/market/scoreboard.cpp
      src/settle/market_result.cpp src/settle/rules.cpp)
stale=0
[ -x "$BIN" ] || stale=1
for f in "${SRCS[@]}" src/feed/*.h src/core/*.h src/market/*.h src/settle/*.h "$0"; do
  [ "$f" -nt "$BIN" ] && stale=1
done
if [ "$stale" = 1 ]; then
  echo "fuzz: building $BIN with $CXX"
  "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -Isrc \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "${SRCS[@]}" -lsimdjson -lfmt -lcrypto -lyaml-cpp -lpthread -o "$BIN"
fi

WORK="$OUT/corpus-work"
rm -rf "$WORK"
mkdir -p "$WORK"
cp tests/fuzz/corpus/feed_parser/* "$WORK/"
echo "fuzz: running for ${SECONDS_TO_RUN}s on $(ls "$WORK" | wc -l) seed inputs"
set +e
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
  "$BIN" "$WORK" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 >"$OUT/last-run.log" 2>&1
status=$?
set -e
grep -E "^(Done |stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" \
  "$OUT/last-run.log" || true
if [ "$status" -ne 0 ]; then
  echo "fuzz: FAILED (exit $status), see $OUT/last-run.log and $OUT/artifacts/" >&2
  exit 1
fi
echo "fuzz: ok"
