#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install, build, run every test
# (unit tests with ctest, again under ASan+UBSan and TSan, libFuzzer on the
# parsers, integration tests with pytest against the real binary, the API
# fuzzer schemathesis against a running book).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

VENV=build/venv
if [ ! -x "$VENV/bin/pytest" ] || ! cmp -s tests/requirements.txt "$VENV/requirements.txt"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
  cp tests/requirements.txt "$VENV/requirements.txt"
fi

# The war room's browser test (tests/e2e): playwright-core pinned in
# tests/e2e/package-lock.json, driving /usr/bin/chromium (no browser download).
if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.inplay-lock.json; then
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error &&
   cp package-lock.json node_modules/.inplay-lock.json)
fi

status=0
echo "== unit tests (ctest)"
(cd build && ctest --output-on-failure -j2 --timeout 300) || status=1
tests/sanitize/run.sh asan || status=1
tests/sanitize/run.sh tsan || status=1
tests/fuzz/run.sh 60 || status=1
# One pytest worker per core (pytest-xdist), each taking whole files: a
# file's module fixtures (the Kafka cluster) start once. Most of a test is
# waiting on the book and its partners, so two workers on two cores take
# about half the time (docs/testing.md). PYTEST_WORKERS=0 runs them in one.
echo "== integration tests (pytest)"
INPLAY_BIN="$PWD/build/inplay" "$VENV/bin/pytest" -q -n "${PYTEST_WORKERS:-auto}" --dist loadfile \
  tests/integration "$@" || status=1
exit $status
