#!/usr/bin/env bash
# Builds unit tests with g++'s sanitizers and runs them (issue 18 item 5).
#   tests/sanitize/run.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer
#                                (leaks included) in build/asan: every unit
#                                test, and 200 seeds of the storage simulation
#   tests/sanitize/run.sh tsan   ThreadSanitizer in build/tsan: the unit tests
#                                that run threads (engine, journal writer,
#                                telemetry drain, HTTP server, projections,
#                                the app's partner clients, the simulated
#                                world's servers, the feed's dead letters)
# Each test executable links only its hop (CMakeLists.txt, TEST_LINKS_<hop>),
# so tsan compiles only what its tests reach: not the game days or the
# command line. Exits non-zero on a build failure, a failed test or any
# sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind="${1:?usage: tests/sanitize/run.sh asan|tsan}"
case "$kind" in
  asan)
    sanitize=address,undefined
    opt="-O0 -g"  # half the compile time of -O1 under UBSan; the tests are small
    # Every hop folder with tests, as CMakeLists.txt makes a test_<hop> of
    # it (tests/unit also holds headers the hops share).
    hops=()
    for d in tests/unit/*/; do
      d="${d%/}"
      compgen -G "$d/*_test.cpp" >/dev/null && hops+=("${d##*/}")
    done
    extra=(vopr) ;;  # seeds of its own below: ctest's 1,000 take too long at -O0
  tsan)
    sanitize=thread
    opt="-O1 -g"  # TSan's advice; it compiles fast either way
    hops=(core telemetry journal engine http projection audit feed app sim)
    extra=() ;;  # the storage simulation runs on one thread: not here
  *) echo "sanitize: $kind is neither asan nor tsan" >&2; exit 2 ;;
esac
dir="build/$kind"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Debug keeps assert() on.
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$opt" \
  -DINPLAY_SANITIZE="$sanitize" "${launcher[@]}" >/dev/null
targets=("${extra[@]}")
for h in "${hops[@]}"; do targets+=("test_$h"); done
echo "== $kind: building ${targets[*]}"
ninja -C "$dir" -j2 "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
echo "== $kind: unit tests"
# Tests of executables not built here register as <target>_NOT_BUILT; the
# storage simulation's ctest entry is its plain-build 1,000 seeds.
(cd "$dir" && ctest --output-on-failure -j2 --timeout 600 -E '_NOT_BUILT$|^vopr_')
if [ "$kind" = asan ]; then
  # 200 seeds past the 1,000 the plain build's ctest runs: more of the
  # simulation's space is covered, and each seed under ASan.
  echo "== $kind: storage simulation, seeds 1001-1200"
  "$dir/vopr" --first 1001 --seeds 200
fi
