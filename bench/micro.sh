#!/usr/bin/env bash
# Micro benchmarks: syscall_bench natively as root and under `fauxroot run` as
# uid 65534, in the same run, with the per-call ratio; then store_bench
# (in-process costs). Usage: bench/micro.sh [BUILD_DIR]   (run as root)
set -euo pipefail
build=$(realpath "${1:-build}")
work=$(mktemp -d /tmp/fauxroot-micro-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
install -m 755 "$build/bench/syscall_bench" "$build/cli/fauxroot" "$work/"
mkdir "$work/native" "$work/faux"
chown 65534:65534 "$work/faux"
args=(--benchmark_format=json --benchmark_min_time=0.2 --benchmark_repetitions=3
      --benchmark_report_aggregates_only=true)

FAUXROOT_BENCH_DIR="$work/native" "$work/syscall_bench" "${args[@]}" >"$work/native.json"
setpriv --reuid=65534 --regid=65534 --clear-groups -- env FAUXROOT_BENCH_DIR="$work/faux" \
  "$work/fauxroot" run -- "$work/syscall_bench" "${args[@]}" >"$work/faux.json"

python3 - "$work/native.json" "$work/faux.json" <<'PY'
import json, sys
def medians(path):
    data = json.load(open(path))
    return {b["run_name"]: b["real_time"] for b in data["benchmarks"]
            if b.get("aggregate_name") == "median"}
native, faux = medians(sys.argv[1]), medians(sys.argv[2])
print(f"{'benchmark':24} {'native ns':>10} {'fauxroot ns':>12} {'added us':>9} {'ratio':>7}")
for name in native:
    n, f = native[name], faux.get(name, float("nan"))
    print(f"{name:24} {n:10.0f} {f:12.0f} {(f - n) / 1000:9.2f} {f / n:7.1f}")
PY
echo
"$build/bench/store_bench" --benchmark_min_time=0.2 2>/dev/null | sed -n '/^---/,$p'
