#!/usr/bin/env bash
# Soak: one `fauxroot run` kept busy for MINUTES (default 10) with file
# churn, chowns, stats, forks and threads, while the supervisor's resident
# memory is sampled every 10 s. Fails when memory keeps growing (last sample
# more than 2x the first after warm-up) or any round fails. Opt-in: ctest -L soak.
# Usage: tests/soak.sh FAUXROOT_BINARY [MINUTES]
set -euo pipefail
fauxroot=$1
minutes=${2:-${FAUXROOT_SOAK_MINUTES:-10}}
work=$(mktemp -d /tmp/fauxroot-soak-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
install -m 755 "$fauxroot" "$work/fauxroot"
mkdir "$work/run" && chown 65534:65534 "$work/run"
deadline=$(($(date +%s) + minutes * 60))
cd "$work/run"
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$work/fauxroot" run --db "$work/run/db" -- \
  /usr/bin/python3 - "$deadline" <<'PY' &
import os, sys, threading, time
deadline = int(sys.argv[1])
def churn(tag):
    for i in range(300):
        n = "%s-%d" % (tag, i)
        open(n, "w").close(); os.chown(n, 1000 + i, 2000 + i)
        assert os.stat(n).st_uid == 1000 + i
        os.unlink(n)
rounds = 0
while time.time() < deadline:
    pid = os.fork()
    if pid == 0:
        threads = [threading.Thread(target=churn, args=("t%d" % k,)) for k in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit("round %d failed" % rounds)
    rounds += 1
print("rounds", rounds)
PY
runner=$!
sleep 2
supervisor=$(pgrep -P "$runner" -x fauxroot || echo "$runner")
samples=()
while kill -0 "$runner" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$supervisor/status" 2>/dev/null || true)
  [[ -n $rss ]] && samples+=("$rss") && echo "supervisor VmRSS ${rss} KiB"
  sleep 10
done
wait "$runner"
first=${samples[1]:-${samples[0]}}
last=${samples[-1]}
echo "first ${first} KiB, last ${last} KiB over ${#samples[@]} samples"
((last <= 2 * first)) || { echo "supervisor memory keeps growing"; exit 1; }
