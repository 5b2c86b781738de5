#!/usr/bin/env bash
# The package-heavy macro benchmark: mmdebstrap builds a Debian bookworm root
# with about 200 packages (minbase plus build-essential, python3, perl, git,
# iputils-ping, sudo, passwd, cron, ...) into a tarball, offline, from a local
# file:// repository (packaging/debian-repo.sh: the first run downloads the
# .debs from this machine's apt mirror; later runs reuse them). Each tool runs
# in the same session, RUNS rounds of every tool, in a fresh directory on a tmpfs:
#   native      real root, mmdebstrap --mode=root (the physical baseline)
#   fauxroot    uid 65534: fauxroot run -- mmdebstrap --mode=root
#   fakechroot  uid 65534: mmdebstrap --mode=fakechroot (fakechroot + fakeroot)
#   unshare     a user with /etc/subuid ranges: mmdebstrap --mode=unshare
#               (newuidmap, a set-uid helper; the user is created if missing)
#   proot       uid 65534: mmdebstrap --mode=proot (proot -0)
# proot runs PROOT_RUNS times (default 1: it takes minutes). A tool that fails
# is reported as failed, with its log's tail, and the others go on.
# Prints medians and ratios to native (of the medians, and paired: the median of
# the rounds' ratios); appends "packages TOOL SECONDS" lines to
# RESULTS (default $work/results.txt) for bench/chart.py.
# Usage: sudo bench/packages.sh [--runs N] [--proot-runs N] [--tools "native fauxroot ..."] [BUILD_DIR]
set -euo pipefail
runs=3 proot_runs=1 tools="native fauxroot fakechroot unshare proot" build=build
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --proot-runs) proot_runs=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "packages.sh: run as root (the baseline is real root)" >&2; exit 1; }
build=$(realpath "$build")
source "$(dirname "$0")/lib.sh"
bench_setup
bench_make_repo
repo=$bench_repo
include=$(IFS=,; echo "${bench_packages[*]}")
mmdebstrap_command() {
  echo "mmdebstrap --mode=$1 --variant=minbase --include=$include bookworm out.tar" \
    "'deb [trusted=yes] copy://$repo bookworm main'"
}

bench_user=fauxroot-bench
if [[ $tools == *unshare* ]] && ! id "$bench_user" >/dev/null 2>&1; then
  useradd --system --home-dir "$work" --shell /bin/sh "$bench_user"
  usermod --add-subuids 1000000-1065535 --add-subgids 1000000-1065535 "$bench_user"
fi

# as UID COMMAND...: as that uid, with its own primary group (newuidmap checks it).
as() {
  local gid
  gid=$(getent passwd "$1" | cut -d: -f4)
  setpriv --reuid="$1" --regid="${gid:-$1}" --clear-groups -- env HOME="$work" "${@:2}"
}

run_tool() {
  case $1 in
    native) sh -c "$(mmdebstrap_command root)" ;;
    fauxroot) as 65534 "$work/fauxroot" -v run --db db -- sh -c "$(mmdebstrap_command root)" ;;
    fakechroot) as 65534 sh -c "$(mmdebstrap_command fakechroot)" ;;
    unshare) as "$(id -u $bench_user)" sh -c "$(mmdebstrap_command unshare)" ;;
    # mmdebstrap 1.3 has no proot mode: proot -0 fakes root for --mode=root,
    # whose mounts proot cannot make.
    proot) as 65534 proot -0 sh -c "$(mmdebstrap_command root) --skip=chroot/mount" ;;
  esac
}

# Rounds, not tool after tool: round i runs every tool once, so that the
# machine's drift over the session falls on all of them alike.
declare -A times_of failed
installed=""
for ((i = 0; i < runs; i++)); do
  for tool in $tools; do
    [[ -n ${failed[$tool]:-} ]] && continue
    [[ $tool == proot ]] && ((i >= proot_runs)) && continue
    rm -rf "$work/run" && mkdir "$work/run" && chmod 777 "$work/run"
    t0=$(date +%s.%N)
    if ! (cd "$work/run" && run_tool "$tool" >log 2>&1); then
      echo "$tool: failed; the end of its log:" && tail -5 "$work/run/log" | cut -c1-300
      failed[$tool]=1
      unset "times_of[$tool]"
      continue
    fi
    times_of[$tool]+="$(echo "$(date +%s.%N) - $t0" | bc) "
    [[ -z $installed ]] && installed=$(tar -xOf "$work/run/out.tar" ./var/lib/dpkg/status |
      grep -c '^Package:')
    [[ $tool == fauxroot ]] && grep -E 'notifications|peak' "$work/run/log" | sed 's/^/  /'
  done
done
bench_report packages $tools
[[ -n $installed ]] && echo "packages in the root: $installed"
