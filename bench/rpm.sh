#!/usr/bin/env bash
# The rpm-heavy macro benchmark: `rpm -i` of COUNT locally built packages
# (default 100; no RPM package set is reachable from these machines, so they
# are made here with rpmbuild, once, from one generated spec) into an empty
# root, in RUNS rounds of both tools, in the same session:
#   native    real root: rpm --root ROOT -i rpms/*.rpm
#   fauxroot  uid 65534: fauxroot run -- rpm --root ROOT -i rpms/*.rpm
# Each package holds 40 files in 4 directories with owners, groups, set-id
# bits and (every tenth package) a file capability, as rpm applies them: the
# calls a real install makes (chown, chmod, setxattr, stat of every path).
# Appends "rpm TOOL SECONDS" lines to RESULTS (default $work/results.txt).
# Usage: sudo bench/rpm.sh [--runs N] [--count N] [BUILD_DIR]
set -euo pipefail
runs=3 count=100 build=build
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "rpm.sh: run as root (the baseline is real root)" >&2; exit 1; }
build=$(realpath "$build")
source "$(dirname "$0")/lib.sh"
bench_setup

d=$work/rpm
rpms=$d/rpms-$count
if ! compgen -G "$rpms/*.rpm" >/dev/null; then
  rm -rf "$d" && mkdir -p "$d/top" "$rpms"
  {
    printf 'Name: fauxbench\nVersion: 1.0\nRelease: 1\nSummary: rpm-heavy benchmark\n'
    printf 'License: MIT\nBuildArch: noarch\n%%description\nfauxroot benchmark\n'
    for ((p = 0; p < count; p++)); do
      printf '%%package -n fauxbench-%d\nSummary: package %d\n' "$p" "$p"
      printf '%%description -n fauxbench-%d\npackage %d\n' "$p" "$p"
    done
    printf '%%install\n'
    printf 'for p in $(seq 0 %d); do for s in bin lib share spool; do\n' $((count - 1))
    printf '  mkdir -p %%{buildroot}/opt/p$p/$s\n'
    printf '  for f in $(seq 0 9); do echo "$p $s $f" > %%{buildroot}/opt/p$p/$s/f$f; done\n'
    printf 'done; done\n'
    for ((p = 0; p < count; p++)); do
      printf '%%files -n fauxbench-%d\n' "$p"
      printf '%%dir /opt/p%d\n%%dir /opt/p%d/bin\n' "$p" "$p"
      printf '%%attr(0755,root,root) /opt/p%d/bin/f[1-9]\n' "$p"
      if ((p % 10 == 0)); then
        printf '%%caps(cap_net_raw=ep) %%attr(0755,root,root) /opt/p%d/bin/f0\n' "$p"
      else
        printf '%%attr(4755,root,root) /opt/p%d/bin/f0\n' "$p"
      fi
      printf '/opt/p%d/lib\n%%attr(-,bin,bin) /opt/p%d/share\n' "$p" "$p"
      printf '%%dir %%attr(2770,daemon,mail) /opt/p%d/spool\n' "$p"
      printf '%%attr(0640,daemon,mail) /opt/p%d/spool/f*\n' "$p"
    done
  } >"$d/fauxbench.spec"
  rpmbuild --quiet --define "_topdir $d/top" --define "_rpmdir $d/out" -bb "$d/fauxbench.spec" \
    >"$d/build.log" 2>&1 || { tail -5 "$d/build.log"; exit 1; }
  mv "$d"/out/noarch/*.rpm "$rpms/" && rm -rf "$d/top" "$d/out"
fi
chmod -R a+rX "$d"
echo "rpm -i of $(find "$rpms" -name '*.rpm' | wc -l) packages ($((count * 40)) files) into an empty root"

# The root: an rpm database and the users the packages name.
make_root() {
  mkdir -p root/etc
  printf 'root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/sh\nbin:x:2:2::/:/bin/sh\n' >root/etc/passwd
  printf 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nmail:x:8:\n' >root/etc/group
  HOME=$PWD rpm --root="$PWD/root" --dbpath=/var/lib/rpm --initdb
}
install="rpm --root=\$PWD/root --dbpath=/var/lib/rpm -i --nodeps --nosignature $rpms/*.rpm"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$d" "$@"; }

declare -A times_of
for ((i = 0; i < runs; i++)); do
  for tool in native fauxroot; do
    rm -rf "$d/run" && mkdir "$d/run" && chown 65534:65534 "$d/run"
    cd "$d/run"
    if [[ $tool == native ]]; then
      make_root >log 2>&1
      t0=$(date +%s.%N)
      HOME=$PWD sh -c "$install" >>log 2>&1 || { echo "native: failed"; tail -5 log; exit 1; }
      installed=$(HOME=$PWD rpm --root="$PWD/root" --dbpath=/var/lib/rpm -qa | wc -l)
    else
      as_nobody "$work/fauxroot" run --db db -- sh -c "$(declare -f make_root); make_root" >log 2>&1
      t0=$(date +%s.%N)
      as_nobody "$work/fauxroot" -v run --db db -- sh -c "HOME=\$PWD $install" >>log 2>&1 ||
        { echo "fauxroot: failed"; tail -5 log; exit 1; }
      installed=$(as_nobody "$work/fauxroot" run --db db -- \
        rpm --root="$PWD/root" --dbpath=/var/lib/rpm -qa | wc -l)
    fi
    times_of[$tool]+="$(echo "$(date +%s.%N) - $t0" | bc) "
    ((installed == count)) || { echo "$tool: $installed of $count packages installed"; exit 1; }
    [[ $tool == fauxroot ]] && grep -E 'notifications' log | sed 's/^/  /'
  done
done
bench_report rpm native fauxroot
