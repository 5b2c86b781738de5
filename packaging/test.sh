#!/usr/bin/env bash
# Builds fauxroot and runs the whole test suite: unit and integration tests in
# the default build, then the same suite under ASan+UBSan. Run as root on
# Debian 12: the integration tests use real root as the oracle and run
# fauxroot as uid 65534. Exits non-zero when any test fails.
#
# Then the libFuzzer targets (preset `fuzz`) run for FAUXROOT_FUZZ_SECONDS
# (default 30) each from a small seed corpus; a crash fails the run.
#
# FAUXROOT_PRESETS="default" limits the builds (default: "default sanitize";
# empty: none);
# FAUXROOT_FUZZ_SECONDS=0 skips fuzzing. The ten-minute soak is opt-in:
# ctest --preset default -L soak (FAUXROOT_SOAK_MINUTES to change its length).
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh

jobs=$(nproc)
passed=0
for preset in ${FAUXROOT_PRESETS-default sanitize}; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test"
  # Serial: the inode-reuse test needs a quiet filesystem to observe reuse.
  log=$(mktemp)
  ctest --preset "$preset" --no-tests=error --label-exclude soak | tee "$log"
  count=$(sed -nE 's/.*tests passed, 0 tests failed out of ([0-9]+).*/\1/p' "$log")
  rm -f "$log"
  passed=$((passed + ${count:-0}))
done

fuzz_seconds=${FAUXROOT_FUZZ_SECONDS:-30}
if ((fuzz_seconds > 0)); then
  echo "== fuzz: configure and build"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  corpus=$(mktemp -d /tmp/fauxroot-fuzz-corpus-XXXXXX)
  trap 'rm -rf "$corpus"' EXIT
  mkdir -p "$corpus/record_codec" "$corpus/text_format" "$corpus/import" "$corpus/path_resolver"
  # Seeds: a record line, an ACL, and a tar with every kind of entry.
  echo 'dev=fd01,ino=42,gen=abcd,uid=5,gid=6,type=20000,rdev=103,xattr=user.a:6869' \
    >"$corpus/text_format/line"
  /usr/bin/python3 - "$corpus/import/seed.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as tar:
    def add(name, kind=tarfile.REGTYPE, data=b"", **extra):
        info = tarfile.TarInfo(name); info.type = kind; info.size = len(data)
        for key, value in extra.items(): setattr(info, key, value)
        tar.addfile(info, io.BytesIO(data))
    add("dir", tarfile.DIRTYPE, mode=0o2755, uid=1, gid=2)
    add("dir/file", data=b"hello", mode=0o4755, pax_headers={"SCHILY.xattr.security.capability": "x"})
    add("dir/link", tarfile.SYMTYPE, linkname="file")
    add("dir/hard", tarfile.LNKTYPE, linkname="dir/file")
    add("dir/null", tarfile.CHRTYPE, devmajor=1, devminor=3)
    add("dir/fifo", tarfile.FIFOTYPE)
    add("dir/.wh.gone")
PY
  cp tests/fuzz/regressions/import-* "$corpus/import/"  # inputs that once crashed
  # (dirfd, flags, path) triples for the differential path resolution fuzzer.
  printf '\000\000a/l' >"$corpus/path_resolver/relative-symlink"
  printf '\001\000../a/b/up/a/abs/passwd' >"$corpus/path_resolver/climbing"
  printf '\000\002' >"$corpus/path_resolver/empty-path"
  printf '\000\000/proc/self/fd/0' >"$corpus/path_resolver/proc-self"
  for target in record_codec text_format import path_resolver; do
    echo "== fuzz: $target for ${fuzz_seconds}s"
    (cd "$corpus" && "$OLDPWD/build-fuzz/tests/fuzz/${target}_fuzz" -max_total_time="$fuzz_seconds" \
      -print_final_stats=1 "$corpus/$target" 2>&1 | grep -E '^(Done|stat::number_of_executed_units|==.*ERROR)')
    passed=$((passed + 1))
  done
fi
# Reached only when everything passed (set -e): ctest's tests and the fuzz runs.
echo "total: $passed passed, 0 failed"
