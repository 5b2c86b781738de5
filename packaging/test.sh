#!/usr/bin/env bash
# Builds fauxroot and runs the whole test suite: unit and integration tests in
# the default build, then the same suite under ASan+UBSan. Run as root on
# Debian 12: the integration tests use real root as the oracle and run
# fauxroot as uid 65534. Exits non-zero when any test fails.
#
# FAUXROOT_PRESETS="default" limits the builds (default: "default sanitize").
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh

jobs=$(nproc)
for preset in ${FAUXROOT_PRESETS:-default sanitize}; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test"
  # Serial: the inode-reuse test needs a quiet filesystem to observe reuse.
  ctest --preset "$preset" --no-tests=error
done
