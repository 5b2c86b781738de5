#!/usr/bin/env bash
# Macro benchmarks, offline and repeatable, each tool timed in the same run:
# native root (the baseline), fauxroot as uid 65534, and the peers as uid
# 65534: fakeroot, and for the syscall, exec and tar workloads pseudo and
# proot -0. (The package-heavy install is bench/packages.sh.)
#   syscall-heavy: 20,000 files create/chown/stat/unlink (bench/file_loop.c)
#   exec:          1,000 x /bin/true from one shell
#   tar:           tar x then tar c of a 100,000-entry tree
#   debootstrap:   --variant=minbase bookworm from a local .deb cache (the
#                  first run fills it from this machine's apt mirror); fakeroot
#                  runs as fakechroot+fakeroot (--variant=fakechroot)
# Prints medians of RUNS runs (default 3) and ratios to native; with --chart
# PNG, also draws them (needs python3-matplotlib).
# Usage: bench/macro.sh [--runs N] [--only NAME] [--chart FILE.png] [BUILD_DIR]
set -euo pipefail
runs=3 only="" chart="" build=build
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --chart) chart=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
build=$(realpath "$build")
source "$(dirname "$0")/lib.sh"
bench_setup
install -m 755 "$build/bench/file_loop" "$work/"
: >"$results"

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$work" "$@"; }
# pseudo keeps its database in PSEUDO_LOCALSTATEDIR: a fresh one per run.
pseudo_run() {
  as_nobody env PSEUDO_PREFIX=/usr PSEUDO_LOCALSTATEDIR="$PWD/.pseudo" pseudo "$@"
}
fresh() { rm -rf "$work/$1"; mkdir -p "$work/$1"; chown 65534:65534 "$work/$1"; }
# seconds COMMAND...: its wall time; fails (with the end of its output in
# $work/failed.log) when the command fails, so a failure is never timed.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$work/last.log" 2>&1 || { tail -3 "$work/last.log" >"$work/failed.log"; return 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

# bench NAME TOOL COMMAND...: runs COMMAND `runs` times in a fresh $work/run, records the median.
bench() {
  local name=$1 tool=$2; shift 2
  local times=() t
  for ((i = 0; i < runs; i++)); do
    fresh run
    if ! t=$(cd "$work/run" && seconds "$@"); then
      printf '%-14s %-10s failed: %s\n' "$name" "$tool" "$(tr '\n' ' ' <"$work/failed.log")"
      return 0
    fi
    times+=("$t")
  done
  local m; m=$(printf '%s\n' "${times[@]}" | median)
  printf '%-14s %-10s %8.2f s   (%s)\n' "$name" "$tool" "$m" "${times[*]}"
  echo "$name $tool $m" >>"$results"
}

want() { [[ -z $only || $only == "$1" ]]; }

if want syscall; then
  bench syscall native "$work/file_loop" 20000
  bench syscall fauxroot as_nobody "$work/fauxroot" run -- "$work/file_loop" 20000
  bench syscall fakeroot as_nobody fakeroot -- "$work/file_loop" 20000
  bench syscall pseudo pseudo_run "$work/file_loop" 20000
  bench syscall proot as_nobody proot -0 "$work/file_loop" 20000
fi

if want exec; then
  loop='for i in $(seq 1000); do /bin/true; done'
  bench exec native sh -c "$loop"
  bench exec fauxroot as_nobody "$work/fauxroot" run -- sh -c "$loop"
  bench exec fakeroot as_nobody fakeroot -- sh -c "$loop"
  bench exec pseudo pseudo_run sh -c "$loop"
  bench exec proot as_nobody proot -0 sh -c "$loop"
fi

if want tar; then
  if [[ ! -f $work/tree.tar ]]; then
    rm -rf "$work/tree" && mkdir -p "$work/tree"
    (cd "$work/tree" && for d in $(seq 100); do mkdir d$d; (cd d$d && touch $(seq -f f%g 999)); done)
    tar cf "$work/tree.tar" -C "$work/tree" . && rm -rf "$work/tree"
  fi
  chmod 644 "$work/tree.tar"
  tarcmd="mkdir x && tar xf $work/tree.tar -C x && tar cf out.tar -C x ."
  bench tar native sh -c "$tarcmd"
  bench tar fauxroot as_nobody "$work/fauxroot" run -- sh -c "$tarcmd"
  bench tar fakeroot as_nobody fakeroot -- sh -c "$tarcmd"
  bench tar pseudo pseudo_run sh -c "$tarcmd"
  bench tar proot as_nobody proot -0 sh -c "$tarcmd"
fi

if want debootstrap; then
  mirror=$("$src/packaging/debian-mirror.sh")
  mkdir -p "$work/debs" && chown 65534:65534 "$work/debs"
  boot="debootstrap --variant=minbase --cache-dir=$work/debs bookworm root $mirror"
  # Fill the cache first, so that every timed run is offline.
  fresh run && (cd "$work/run" && as_nobody "$work/fauxroot" run -- sh -c "$boot" >/dev/null 2>&1)
  bench debootstrap native sh -c "$boot"
  bench debootstrap fauxroot as_nobody "$work/fauxroot" run -- sh -c "$boot"
  bench debootstrap fakeroot as_nobody fakechroot fakeroot -- \
    sh -c "debootstrap --variant=fakechroot --cache-dir=$work/debs bookworm root $mirror"
fi

echo
/usr/bin/python3 "$src/bench/chart.py" "$results" ${chart:+"$chart"}
