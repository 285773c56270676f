#!/usr/bin/env bash
# Installs what `npm run bench` needs beside Node: Debian's nginx-light (the bench's private
# target) and wrk (the reference). Idempotent: with both present it changes nothing and says nothing.
set -euo pipefail

missing=()
# Debian installs nginx in /usr/sbin, which is not on a non-root user's PATH.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0

fail() { echo "bench setup: $*" >&2; exit 1; }
command -v apt-get >/dev/null || fail "needs ${missing[*]} (Debian package names); no apt-get here: install them with this host's package manager"
[ "$(id -u)" = 0 ] || fail "needs ${missing[*]}; run \`sudo apt-get install -y --no-install-recommends ${missing[*]}\` (or this script as root), then \`npm run bench\` again"

echo "bench setup: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt run on this host (e.g. the offline setup) holds the lock for a while: wait for it.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
# Package lists may be missing or stale on a fresh machine; refresh only when the install needs it.
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  { apt_get update -qq && apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
  fail "apt-get install ${missing[*]} failed"
