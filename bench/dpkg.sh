#!/usr/bin/env bash
# The dpkg-heavy macro benchmark: `dpkg -i` of the package-heavy set's .debs
# that a minbase root lacks (113: build-essential, python3, perl, git,
# ...) into that root, timed alone (the root is unpacked before the clock
# starts), in RUNS rounds of both, in the same session:
#   native    real root: chroot ROOT dpkg -i /debs/*.deb (with its own /proc)
#   fauxroot  uid 65534: fauxroot import of the same minbase tarball, then
#             fauxroot run --root ROOT -- dpkg -i /debs/*.deb
# Services are not started (policy-rc.d says no, as in image builds). Uses the
# local repository of bench/packages.sh (made by it, or here, on first use).
# Appends "dpkg TOOL SECONDS" lines to RESULTS (default $work/results.txt).
# Usage: sudo bench/dpkg.sh [--runs N] [BUILD_DIR]
set -euo pipefail
runs=3 build=build
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "dpkg.sh: run as root (the baseline is real root)" >&2; exit 1; }
build=$(realpath "$build")
source "$(dirname "$0")/lib.sh"
bench_setup
bench_make_repo
repo=$bench_repo

# The minbase root and the .debs it lacks.
d=$work/dpkg
rm -rf "$d" && mkdir -p "$d/debs" && chmod 777 "$d"
(cd "$d" && mmdebstrap --mode=root --variant=minbase bookworm base.tar \
  "deb [trusted=yes] copy://$repo bookworm main" >base.log 2>&1) ||
  { tail -5 "$d/base.log"; exit 1; }
tar -xOf "$d/base.tar" ./var/lib/dpkg/status | sed -n 's/^Package: //p' | sort >"$d/installed"
for deb in "$repo"/pool/*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  # usrmerge converts a root that debootstrap already merged: not part of the set.
  [[ $name == usrmerge ]] && continue
  grep -qxF "$name" "$d/installed" || cp "$deb" "$d/debs/"
done
chmod -R a+rX "$d/debs" "$d/base.tar"
echo "dpkg -i of $(find "$d/debs" -name '*.deb' | wc -l) packages into a minbase root"

# Alphabetical order breaks Pre-Depends chains (python3 before python3-minimal
# before python3.11-minimal): each further pass installs what the one before
# could not, and skips what is installed.
export install='for pass in 1 2 3 4; do dpkg -i --skip-same-version /debs/*.deb && exit 0; done; exit 1'
prepare() {  # ROOT DEBS: the unpacked minbase root gets the debs and a no-services policy
  mkdir -p "$1/debs" && cp "$2"/*.deb "$1/debs/"
  printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d" && chmod 755 "$1/usr/sbin/policy-rc.d"
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$d" "$@"; }

# Rounds of both tools, so that the machine's drift falls on both alike.
declare -A times_of
for ((i = 0; i < runs; i++)); do
  for tool in native fauxroot; do
    rm -rf "$d/run" && mkdir "$d/run" && chown 65534:65534 "$d/run"
    cd "$d/run"
    if [[ $tool == native ]]; then
      mkdir root && tar -xf "$d/base.tar" -C root && prepare root "$d/debs"
      t0=$(date +%s.%N)
      unshare --mount --fork sh -c 'mount -t proc proc root/proc &&
        chroot root env DEBIAN_FRONTEND=noninteractive sh -c "$install"' >log 2>&1 ||
        { echo "native: failed"; tail -5 log; exit 1; }
    else
      as_nobody "$work/fauxroot" import --db db --rootfs root --tar "$d/base.tar" >log 2>&1
      as_nobody "$work/fauxroot" run --db db -- sh -c "$(declare -f prepare); prepare root $d/debs" >>log 2>&1
      t0=$(date +%s.%N)
      as_nobody "$work/fauxroot" -v run --db db --root root --env DEBIAN_FRONTEND=noninteractive \
        -- sh -c "$install" >>log 2>&1 || { echo "fauxroot: failed"; tail -5 log; exit 1; }
    fi
    times_of[$tool]+="$(echo "$(date +%s.%N) - $t0" | bc) "
    [[ $tool == fauxroot ]] && grep -E 'notifications' log | sed 's/^/  /'
  done
done
bench_report dpkg native fauxroot
