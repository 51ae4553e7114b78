#!/usr/bin/env bash
# Installs the Debian packages (if missing) and builds everything into BUILD_DIR (default: build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$here/build}"
bash "$here/scripts/deps.sh"
# DGKAFKA_CMAKE_ARGS: extra options, e.g. "-DDGKAFKA_SANITIZE=ON -DDGKAFKA_WERROR=ON" (.ci/run).
# shellcheck disable=SC2086
cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" ${DGKAFKA_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
