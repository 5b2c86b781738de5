#!/usr/bin/env bash
# The main job: builds fauxroot, then, as an unprivileged user (uid 65534),
# runs a short build step under `fauxroot run` that chowns, mknods and stats,
# and prints what the step saw and what the db recorded. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target fauxroot

work=$(mktemp -d /tmp/fauxroot-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
install -m 0755 build/cli/fauxroot "$work/fauxroot"
mkdir "$work/tree"
chmod 0755 "$work"
chown 65534:65534 "$work" "$work/tree"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }

echo "== as uid $(as_nobody id -u), a build step under fauxroot run:"
cd "$work/tree"
as_nobody "$work/fauxroot" run --db "$work/db" -- sh -c '
  set -e
  echo "inside: uid=$(id -u) gid=$(id -g)"
  touch passwd shadow; chown 0:42 shadow; chmod 640 shadow
  install -o 0 -g 0 -m 4755 /bin/true su
  mkdir home; chown 1000:1000 home
  mknod null c 1 3; mknod sda b 8 0; mkfifo fifo
  ln -s home home-link; chown -h 1000:1000 home-link
  ls -ln --time-style=+%F
  stat -c "%n: %F, mode %a, owner %u:%g" sda su shadow
'
echo
echo "== the same tree seen from outside (real owners, placeholders for devices):"
ls -ln --time-style=+%F
echo
echo "== a second run on the same db sees the same metadata:"
as_nobody "$work/fauxroot" run --db "$work/db" -- stat -c "%n: %F, owner %u:%g" null home shadow
echo
echo "== the db (fauxroot db dump):"
as_nobody "$work/fauxroot" db dump --db "$work/db"
