#!/usr/bin/env bash
# Runs every test: builds, then ctest, whose fixture starts the sandbox (PostgreSQL + mock
# broker) before the integration tests and stops it after. Extra arguments go to ctest,
# e.g. `scripts/test.sh -L unit` for the tests that need no servers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$here/build}"
bash "$here/scripts/build.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" "$@"
