#!/usr/bin/env bash
# Builds a local, offline Debian bookworm repository holding a minbase system
# (Essential and Priority: required packages, and apt) plus the packages named,
# with every dependency. The first run downloads the .debs from the mirror of
# this machine's apt configuration (packaging/debian-mirror.sh) into DIR/pool;
# later runs with the same package list do nothing. Use it as
#   deb [trusted=yes] file://DIR bookworm main
# with apt, mmdebstrap (file://DIR) or debootstrap (--no-check-gpg file://DIR).
#
#   packaging/debian-repo.sh DIR [PACKAGE...]
#
# Needs apt-get and apt-ftparchive (apt-utils); runs as any user. Downloads are
# checked against the archive's signed Release file by apt.
set -euo pipefail

if (($# < 1)) || [[ $1 == -* ]]; then
  echo "usage: $0 DIR [PACKAGE...]" >&2
  exit 2
fi
dir=$(realpath -m "$1")
shift
suite=bookworm
arch=$(dpkg --print-architecture)
want="$suite $arch minbase $*"

if [[ -f $dir/.complete && $(cat "$dir/.complete") == "$want" ]]; then
  echo "debian-repo: $dir is up to date"
  exit 0
fi
command -v apt-ftparchive >/dev/null || {
  echo "debian-repo: apt-ftparchive not found (install apt-utils)" >&2
  exit 1
}

mirror=$("$(dirname "$0")/debian-mirror.sh")
work=$dir/.apt
rm -rf "$work" "$dir/.complete"
mkdir -p "$work/lists/partial" "$work/archives/partial" "$dir/pool"
: >"$work/status"
echo "deb $mirror $suite main" >"$work/sources.list"

apt_opts=(
  -o "Dir::State=$work" -o "Dir::State::Lists=$work/lists"
  -o "Dir::State::status=$work/status" -o "Dir::Cache=$work"
  -o "Dir::Cache::archives=$work/archives" -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=/nonexistent" -o "Dir::Etc::Preferences=/nonexistent"
  -o "Dir::Etc::PreferencesParts=/nonexistent" -o "APT::Architecture=$arch"
  -o "APT::Architectures=$arch" -o "Debug::NoLocking=true" -o "APT::Sandbox::User=$(id -un)"
  -o "APT::Install-Recommends=false" -o "APT::Get::Download-Only=true"
)

apt-get "${apt_opts[@]}" -q update >"$work/log" 2>&1 || {
  tail -20 "$work/log" >&2
  exit 1
}

# minbase, as debootstrap and mmdebstrap define it: Essential: yes and
# Priority: required packages, and apt.
base=$(apt-get "${apt_opts[@]}" indextargets --format '$(FILENAME)' 'Created-By: Packages' |
  xargs -r /usr/lib/apt/apt-helper cat-file |
  awk '/^Package:/ {p = $2} /^(Essential: yes|Priority: required)$/ {print p}' | sort -u)

# Reuse what an earlier run downloaded.
find "$dir/pool" -name '*.deb' -exec ln -f {} "$work/archives/" \; 2>/dev/null || true
# shellcheck disable=SC2086
apt-get "${apt_opts[@]}" -q -y install $base apt "$@" >>"$work/log" 2>&1 || {
  tail -20 "$work/log" >&2
  exit 1
}

rm -f "$dir"/pool/*.deb
mv "$work"/archives/*.deb "$dir/pool/"
dists=$dir/dists/$suite
mkdir -p "$dists/main/binary-$arch"
(cd "$dir" && apt-ftparchive packages pool) >"$dists/main/binary-$arch/Packages"
gzip -9nkf "$dists/main/binary-$arch/Packages"
apt-ftparchive \
  -o "APT::FTPArchive::Release::Origin=fauxroot-local" \
  -o "APT::FTPArchive::Release::Suite=$suite" \
  -o "APT::FTPArchive::Release::Codename=$suite" \
  -o "APT::FTPArchive::Release::Components=main" \
  -o "APT::FTPArchive::Release::Architectures=$arch" \
  release "$dists" >"$dir/Release.tmp"
mv "$dir/Release.tmp" "$dists/Release"
rm -rf "$work"
echo "$want" >"$dir/.complete"
echo "debian-repo: $(find "$dir/pool" -name '*.deb' | wc -l) packages in $dir"
