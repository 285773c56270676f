#!/usr/bin/env bash
# Verdict accuracy: runs the end-to-end tests whose title matches PATTERN N times on one
# reused cluster and prints how often each test's expectation held (a passing configuration
# passed, a twin failed as it must).
#   scripts/accuracy.sh 'PDB with parallel drains' 5
set -euo pipefail
pattern=${1:?usage: scripts/accuracy.sh PATTERN [N]}
n=${2:-5}
cd "$(dirname "$0")/.."
export ZDT_REUSE_CLUSTER=1 PATH="${ZDT_CACHE_DIR:-$HOME/.cache/zdt}/bin:$PATH"
# One cluster for all rounds: create it once if none runs, delete it at the end if we did.
created=0
if ! kind get clusters 2>/dev/null | grep -qx zdt; then
  image=${ZDT_NODE_IMAGE:-}
  [ -z "$image" ] && docker image inspect zdt.local/kind-node:v1.34.4 >/dev/null 2>&1 && image=zdt.local/kind-node:v1.34.4
  kind create cluster --config kind-config/default.yaml ${image:+--image "$image"} >&2
  created=1
fi
trap '[ $created = 1 ] && kind delete cluster --name zdt >&2' EXIT
declare -A held total
for round in $(seq "$n"); do
  out=$(npx mocha --config suites/.mocharc.json --grep "$pattern" --reporter json 2>/dev/null || true)
  while IFS=$'\t' read -r state title; do
    [ -n "$title" ] || continue
    total[$title]=$(( ${total[$title]:-0} + 1 ))
    [ "$state" = pass ] && held[$title]=$(( ${held[$title]:-0} + 1 ))
  done < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8").replace(/^[^{]*/, ""));
    for (const t of r.passes) console.log("pass\t" + t.fullTitle);
    for (const t of r.failures) console.log("fail\t" + t.fullTitle);' <<<"$out")
  echo "round $round/$n done" >&2
done
printf '%-6s %s\n' held test
for t in "${!total[@]}"; do printf '%s/%s    %s\n' "${held[$t]:-0}" "${total[$t]}" "$t"; done | sort -k2
