#!/usr/bin/env bash
# Installs the Debian 12 packages Inplay needs (only those missing) and builds
# it into build/ (Release with debug info, Ninja, -j2).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(g++ cmake ninja-build pkg-config git
  libboost-dev libboost-system-dev libsimdjson-dev libfmt-dev libyaml-cpp-dev libcli11-dev
  libsqlite3-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-venv python3-pip curl sqlite3 clang
  libpq-dev postgresql-15  # the PostgreSQL history store; its tests start a real server
  librdkafka-dev  # the Kafka journal (journal: {kind: kafka})
  prometheus prometheus-alertmanager)  # tests run a real Prometheus 2.42 and Alertmanager 0.25
if [ "${1:-}" = "--test" ]; then
  # The war room's browser test: Debian's chromium driven by playwright-core
  # (tests/e2e, installed by scripts/test.sh with npm; no browser download).
  PACKAGES+=(chromium faketime)  # faketime: the date-bomb test runs the book years ahead
  # The Kafka journal's tests run a real Kafka 4.4 (jars fetched by maven from
  # Maven Central into build/kafka, tests/integration/kafka_cluster.py).
  PACKAGES+=(maven openjdk-17-jre-headless)
  # Debian's node and npm, unless a node with npm is there already (another
  # nodejs package ships its own npm and conflicts with Debian's).
  command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j2
