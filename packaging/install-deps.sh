#!/usr/bin/env bash
# Installs every build and test dependency of fauxroot from Debian's packages.
# Idempotent: packages already present are left alone, and apt-get update runs
# only when a package is missing. Run as root on Debian 12 (bookworm).
#   --bench  also what bench/macro.sh compares against and draws with
#            (bc, python3-matplotlib, and the peers pseudo, proot and uidmap)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries
  libseccomp-dev liblmdb-dev libboost-dev libarchive-dev libssl-dev
  nlohmann-json3-dev libcli11-dev zlib1g-dev libzstd-dev
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  busybox-static acl attr libcap2-bin python3 util-linux coreutils
  fakeroot rpm debootstrap skopeo umoci strace golang-go file
  # builders the tests plug fauxroot into, and the local repository they use
  mmdebstrap fakechroot apt-utils
  # fuzzing: clang 16 with libc++ (libstdc++ 12 gives clang no std::expected)
  clang-16 libclang-rt-16-dev libc++-16-dev libc++abi-16-dev
)

if [[ ${1:-} == --bench ]]; then
  packages+=(bc python3-matplotlib pseudo proot uidmap)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
