#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt uses (the first http(s) URI of a
# source that serves the main archive), read from /etc/apt/sources.list and
# /etc/apt/sources.list.d/*, in both one-line and deb822 formats. Mirrors are
# never written into the repository; scripts ask this one at run time.
set -euo pipefail

candidates() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    # deb [options] URI suite components...
    sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([a-z+]+:\/\/[^[:space:]]+)[[:space:]].*/\2/p' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    sed -nE 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
  done
}

# Prefer a URI that serves Debian's main archive (not -security, not a third party).
mirror=$(candidates | grep -E '^https?://' | grep -E '/debian/?$' | head -n 1 || true)
if [[ -z $mirror ]]; then
  echo "debian-mirror: no Debian mirror found in /etc/apt/sources.list*" >&2
  exit 1
fi
echo "${mirror%/}"
