#!/usr/bin/env bash
# The main job, end to end, with no privilege: as uid 65534, build a Debian
# bookworm root with debootstrap under `fauxroot run`, install packages with
# apt-get inside it (apt's _apt sandbox on) under `fauxroot run --root`, export
# it as an OCI image, and read the owners, set-id bits, devices and file
# capabilities back from the image. Run as root on Debian 12 (it installs what
# it needs); the mirror comes from this machine's apt configuration.
#
#   FAUXROOT_DEMO_DIR=DIR   keep the work (root, db, image) in DIR
#   FAUXROOT_DEMO_PACKAGES  packages to install (default: iputils-ping sudo passwd cron)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

packaging/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target fauxroot

mirror=$(packaging/debian-mirror.sh)
packages=${FAUXROOT_DEMO_PACKAGES:-iputils-ping sudo passwd cron}
work=${FAUXROOT_DEMO_DIR:-$(mktemp -d /tmp/fauxroot-demo-XXXXXX)}
mkdir -p "$work"
[[ -n ${FAUXROOT_DEMO_DIR:-} ]] || trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
install -m 0755 build/cli/fauxroot "$work/fauxroot"
chown 65534:65534 "$work"
cd "$work"
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups -- env -i HOME="$work" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
step() { printf '\n== %s\n' "$*"; }
timed() { local t=$SECONDS; "$@"; echo "   ($((SECONDS - t)) s)"; }

step "as uid $(as_nobody id -u): debootstrap --variant=minbase bookworm from $mirror"
rm -rf rootfs db image
bootstrap() {
  as_nobody ./fauxroot run --db db -- \
    debootstrap --variant=minbase bookworm rootfs "$mirror" >debootstrap.log 2>&1 ||
    { tail -20 debootstrap.log; return 1; }
}
timed bootstrap

step "apt-get install $packages, inside the root, apt's sandbox on"
timed as_nobody ./fauxroot run --db db --root rootfs --env HOME=/root -- sh -c "
  apt-get update -q >/dev/null &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages >apt.log 2>&1 ||
  { tail -20 apt.log; exit 1; }
  ls -ld /var/lib/apt/lists/partial"

step "export to an OCI image layout"
timed as_nobody ./fauxroot export --db db --rootfs rootfs --oci image:bookworm \
  --config 'Cmd=["/bin/bash"]' --config Env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

step "the image, read back (what podman, skopeo or umoci will unpack)"
"$src/packaging/image-files.py" image:bookworm /usr/bin/passwd /usr/bin/sudo /etc/shadow \
  /usr/bin/ping /usr/bin/crontab /var/spool/cron/crontabs /dev/null /dev/console
if command -v skopeo >/dev/null; then
  skopeo inspect oci:image:bookworm | grep -E '"(Digest|Architecture|Os)"'
fi

step "on disk the files stay the invoking user's (no privilege was used)"
ls -ln rootfs/usr/bin/passwd rootfs/etc/shadow rootfs/dev/null
