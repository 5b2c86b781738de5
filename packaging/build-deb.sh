#!/usr/bin/env bash
# Builds the Debian package of fauxroot (the command, libfauxroot, headers,
# CMake config, man page, bash completion) into build/. Prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target fauxroot fauxroot_api >/dev/null
(cd build && cpack -G DEB >/dev/null)
ls build/fauxroot_*_amd64.deb
