# Shared by the macro benchmark scripts (sourced, not run): the work directory,
# the package set of the package-heavy and dpkg-heavy workloads, and helpers.
# Expects $build (the build tree) to be set.

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${FAUXROOT_BENCH_WORK:-/tmp/fauxroot-macro}
results=${RESULTS:-$work/results.txt}

# A tmpfs, so that the disk's own noise (this VM's ext4 takes from 30 us to
# 600 us per create) does not drown what is measured: the cost of the calls.
bench_setup() {
  mkdir -p "$work"
  if ! mountpoint -q "$work"; then mount -t tmpfs -o size=8g,mode=755 fauxroot-bench "$work"; fi
  chmod 755 "$work"
  install -m 755 "$build/cli/fauxroot" "$work/"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# paired_median "A1 A2 ..." "B1 B2 ...": the median over rounds of Ai / Bi (times
# from the same rounds), or nothing when the lists differ in length.
paired_median() {
  local -a a=($1) b=($2)
  ((${#a[@]} == ${#b[@]})) || return 0
  for i in "${!a[@]}"; do echo "${a[$i]} / ${b[$i]}" | bc -l; done | median
}

# bench_report WORKLOAD TOOL...: for each TOOL with times in the caller's
# times_of[TOOL] ("T1 T2 ...", one per round), prints the median and appends
# "WORKLOAD TOOL MEDIAN" to $results (fakechroot mode is fakeroot+fakechroot:
# charted with the other fakeroot figures); then each tool's ratio to native,
# median over median and the median of the rounds' own ratios.
bench_report() {
  local workload=$1 tool paired
  shift
  local -A median_of
  for tool; do
    [[ -n ${times_of[$tool]:-} ]] || continue
    median_of[$tool]=$(printf '%s\n' ${times_of[$tool]} | median)
    printf '%-11s %8.2f s   (%s)\n' "$tool" "${median_of[$tool]}" "${times_of[$tool]% }"
    echo "$workload ${tool/fakechroot/fakeroot} ${median_of[$tool]}" >>"$results"
  done
  [[ -n ${median_of[native]:-} ]] || return 0
  echo "ratios to native: median / median, and the median of the rounds' own ratios:"
  for tool; do
    [[ $tool == native || -z ${median_of[$tool]:-} ]] && continue
    paired=$(paired_median "${times_of[$tool]}" "${times_of[native]}")
    printf '  %-11s %5.2f  %5s\n' "$tool" "$(echo "${median_of[$tool]} / ${median_of[native]}" | bc -l)" \
      "${paired:+$(printf '%.2f' "$paired")}"
  done
}

# About 190 packages with minbase: what packages.sh builds and dpkg.sh installs.
bench_packages=(build-essential python3 perl git iputils-ping sudo passwd cron ca-certificates
  curl openssh-client less vim-tiny locales procps)
bench_repo=$work/repo
# The local repository of that set (packaging/debian-repo.sh: downloads once).
bench_make_repo() {
  "$src/packaging/debian-repo.sh" "$bench_repo" "${bench_packages[@]}" usrmerge >/dev/null
  chmod -R a+rX "$bench_repo"
}
