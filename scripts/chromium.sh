#!/usr/bin/env bash
# Debian's Chromium, for the test that opens the HTML report in a headless browser
# (test/report/html.test.ts). Idempotent: apt runs only when the package is not installed.
source "$(dirname "$0")/offline/lib.sh"
CHROMIUM=/usr/bin/chromium

if [ "$(dpkg-query -W -f='${Status}' chromium 2>/dev/null)" = "install ok installed" ] && [ -x "$CHROMIUM" ]; then
  log "chromium: installed"
else
  [ "$(id -u)" = 0 ] || die "installing Debian's chromium needs root: sudo bash $0"
  log "apt-get install chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# Runs the binary, so a missing library fails here rather than in the test.
log "$("$CHROMIUM" --version)"
