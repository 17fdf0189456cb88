#!/usr/bin/env bash
# Builds each libFuzzer harness of tests/fuzz with clang (ASan + UBSan) and
# runs it for a bounded time on a copy of its seeds, one harness per core.
#   tests/fuzz/run.sh [seconds per harness=60] [harness...]
# Harnesses (tests/fuzz/<name>_fuzz.cpp, seeds in tests/fuzz/corpus/<name>/):
#   feed_parser      the feed protocol's line parser (feed/feed_parser.h)
#   journal_record   segment records and event payloads (journal/segment.h, journal/events.h)
#   standby_report   a standby's report read back from Kafka (journal/kafka_standby_report.h)
#   betfair_mcm      the Betfair Exchange Stream adapter (feed/betfair/market_cache.h),
#                    seeded from the recorded streams in ../shared/data/betfair-stream
#   request_body     every JSON request body reader of the API and the PSP webhook (http/body.h)
#   spec_yaml        the SLO catalogue and the playbook file (slo/slo_spec.h,
#                    playbook/playbook_spec.h), seeded with the shipped config/*.yaml
# Exits non-zero if a build fails or a fuzzer finds a crash, leak, timeout
# or UB (the reproducer lands in build/fuzz/artifacts/<name>-...; replay it
# with build/fuzz/<name>_fuzz <file>).
# For a long run: FUZZ_RUNS=N stops each harness after N inputs (the time
# limit still holds); FUZZ_SANITIZE=undefined builds <name>-undefined_fuzz
# without ASan, about three times the inputs a second where an uninstrumented
# library (yaml-cpp) does most of the work. CI keeps the default,
# address,undefined.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-60}"
shift || true
SANITIZE="${FUZZ_SANITIZE:-address,undefined}"
RUNS="${FUZZ_RUNS:--1}"
CXX="${FUZZ_CXX:-}"
if [ -z "$CXX" ]; then
  for c in clang++ clang++-16 clang++-15 clang++-14; do
    if command -v "$c" >/dev/null; then CXX="$c"; break; fi
  done
fi
[ -n "$CXX" ] || { echo "fuzz: clang++ not found (apt-get install clang)" >&2; exit 1; }
OUT=build/fuzz
mkdir -p "$OUT/artifacts"
LIBS=(-lsimdjson -lfmt -lcrypto -lyaml-cpp -lpthread)

# Only what each harness needs, never all of src/ (clang 14 cannot compile
# telemetry/log.h's std::source_location with libstdc++ 12).
sources() {
  case "$1" in
    feed_parser) echo src/feed/feed_message.cpp src/feed/feed_parser.cpp src/feed/recovery_request.cpp \
      src/feed/wire_text.cpp src/feed/dead_letter.cpp src/core/*.cpp src/market/book.cpp src/market/scoreboard.cpp \
      src/settle/market_result.cpp src/settle/rules.cpp ;;
    journal_record) echo src/journal/events.cpp src/journal/legacy_events.cpp src/journal/settlement_codec.cpp \
      src/journal/segment.cpp src/journal/crc32c.cpp src/journal/posix_disk.cpp src/telemetry/trace_context.cpp \
      src/core/*.cpp ;;
    standby_report) echo src/journal/kafka_standby_report.cpp src/journal/kafka_topic_reader.cpp \
      src/journal/segment.cpp src/journal/posix_disk.cpp src/journal/crc32c.cpp src/core/*.cpp ;;
    betfair_mcm) echo src/feed/betfair/*.cpp src/core/*.cpp ;;
    request_body) echo src/http/body.cpp src/http/auth.cpp src/feed/wire_text.cpp src/market/book.cpp \
      src/market/scoreboard.cpp src/risk/*.cpp src/telemetry/trace_context.cpp src/core/*.cpp ;;
    spec_yaml) echo src/slo/slo_spec.cpp src/playbook/playbook_spec.cpp src/alert/alert.cpp \
      src/alert/alert_pipeline.cpp src/alert/alert_rules.cpp src/core/*.cpp ;;
    *) echo "fuzz: no harness $1" >&2; return 1 ;;
  esac
}
extra_libs() {
  case "$1" in
    standby_report) echo -lrdkafka++ -lrdkafka ;;
  esac
}

seed() {  # copies the seeds of harness $1 into $2
  if [ -d "tests/fuzz/corpus/$1" ]; then cp "tests/fuzz/corpus/$1"/* "$2/"; fi
  case "$1" in
    spec_yaml)  # the shipped files whole, and each of their entries alone (small
      # inputs run ten times faster: the long run's executions come from these)
      cp config/slos.yaml config/playbooks.yaml "$2/"
      for f in config/slos.yaml config/playbooks.yaml; do
        awk -v d="$2" -v p="$(basename "$f" .yaml)" '
          function emit() {
            if (sec != "" && chunk != "") { n++; out = d "/" p "-" n; printf "version: 1\n%s\n%s", sec, chunk > out; close(out) }
            chunk = ""
          }
          /^[[:space:]]*#/ || /^[[:space:]]*$/ || /^version:/ { next }
          /^[a-z_]+:/ { emit(); sec = $0; next }
          /^  - / { emit() }
          { chunk = chunk $0 "\n" }
          END { emit() }' "$f"
      done ;;
    journal_record)  # a journal written by an older release: its legacy record types
      head -c 4000 tests/data/journal-v1/00000000000000000001.seg >"$2/journal-v1-prefix" ;;
    betfair_mcm)  # the first 40 messages of each recorded stream
      for f in ../shared/data/betfair-stream/historicaldata_* ../shared/data/betfair-stream/flumine/*; do
        [ -f "$f" ] || continue
        head -c 400000 "$f" | awk -v d="$2" -v b="$(basename "$f")" \
          'length($0) <= 4096 && NR <= 40 { print > (d "/" b "-" NR) }'
      done ;;
  esac
}

run_one() {
  local name="$1" run="$1" srcs stale=0
  [ "$SANITIZE" = address,undefined ] || run="$1-${SANITIZE//,/-}"  # its own binary, corpus and log
  local bin="$OUT/${run}_fuzz"
  srcs=(tests/fuzz/"$name"_fuzz.cpp $(sources "$name"))
  [ -x "$bin" ] || stale=1
  for f in "${srcs[@]}" src/*/*.h src/feed/betfair/*.h "$0"; do
    [ "$f" -nt "$bin" ] && stale=1
  done
  if [ "$stale" = 1 ]; then
    echo "fuzz: building $bin with $CXX"
    "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -Isrc \
      -fsanitize=fuzzer,"$SANITIZE" -fno-sanitize-recover=undefined \
      "${srcs[@]}" $(extra_libs "$name") "${LIBS[@]}" -o "$bin"
  fi
  local work="$OUT/corpus-work/$run"
  rm -rf "$work"
  mkdir -p "$work"
  seed "$name" "$work"
  echo "fuzz: $name ($SANITIZE) for ${SECONDS_TO_RUN}s on $(ls "$work" | wc -l) seed inputs"
  set +e
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$bin" "$work" -max_total_time="$SECONDS_TO_RUN" -runs="$RUNS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$OUT/artifacts/$run-" -print_final_stats=1 >"$OUT/$run-last-run.log" 2>&1
  local status=$?
  set -e
  grep -E "^(Done |stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" \
    "$OUT/$run-last-run.log" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $name FAILED (exit $status), see $OUT/$run-last-run.log and $OUT/artifacts/" >&2
    return 1
  fi
}

HARNESSES=("$@")
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(feed_parser journal_record standby_report betfair_mcm request_body spec_yaml)
# One harness per core at a time (FUZZ_JOBS, default nproc): a harness's
# build is one clang command and its run one libFuzzer process, each on a
# single core. Each harness's output is printed whole when it ends.
JOBS="${FUZZ_JOBS:-$(nproc)}"
failed=()
declare -A harness_of=()
reap_one() {  # waits for the next harness to end and prints what it wrote
  local pid status=0
  wait -n -p pid || status=$?
  local h="${harness_of[$pid]}"
  cat "$OUT/$h.out"
  [ "$status" -eq 0 ] || failed+=("$h")
  unset "harness_of[$pid]"
}
for h in "${HARNESSES[@]}"; do
  [ ${#harness_of[@]} -lt "$JOBS" ] || reap_one
  run_one "$h" >"$OUT/$h.out" 2>&1 &
  harness_of[$!]="$h"
done
while [ ${#harness_of[@]} -gt 0 ]; do reap_one; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ok (${HARNESSES[*]})"
