#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install, build, start the demo book.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/inplay demo "$@"
