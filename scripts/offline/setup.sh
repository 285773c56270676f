#!/usr/bin/env bash
# One entry point for everything zdt needs on a host without a container registry:
# Docker engine, kind, Kubernetes binaries, the kind node image, the nginx, haproxy, load and Ingress controller images and Helm.
# Each step is cached (a warm run takes seconds); progress shows per step with elapsed time,
# and a failure names the step and shows the end of its log.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# PHASE|id|what|script. Phases run in order; the steps of one phase run side by side. Phase 2 is
# every Go build at once beside the debootstraps: each build waits on the module proxy for a
# while, and another one's compiling fills those gaps on the 2 cores. Phase 3 is Docker work on
# what phase 2 made. Measured cold on 2 cores: see the README's setup figures.
STEPS=(
  "1|host|Docker engine and runtime wrapper|host-setup.sh"
  "2|binaries|kind, Kubernetes, etcd, CoreDNS, crictl, pause|build-binaries.sh"
  "2|helm|Helm $HELM_VERSION|build-helm.sh"
  "2|traefik|Traefik $TRAEFIK_VERSION (--entry ingress; cold: a Go build of minutes)|build-traefik.sh"
  "2|base-images|Debian base images (debootstrap)|build-base-images.sh"
  "3|node-image|kind node image $NODE_IMAGE|build-node-image.sh"
  "3|nginx-image|nginx image $NGINX_IMAGE|build-nginx-image.sh"
  "3|haproxy-image|haproxy image $HAPROXY_IMAGE (--entry load-balancer)|build-haproxy-image.sh"
  "3|load-image|load pod image $LOAD_IMAGE (--entry in-cluster)|build-load-image.sh"
  "3|ingress-image|Ingress controller image $INGRESS_IMAGE|build-ingress-image.sh"
)
n=${#STEPS[@]}

# run_step INDEX ID WHAT SCRIPT: runs one step into its log; 0 when it succeeded.
run_step() {
  local i=$1 id=$2 what=$3 script=$4 logf="$ZDT_LOG_DIR/setup-$2.log" start=$SECONDS beat rc=0
  printf '[%d/%d] %s ...\n' "$i" "$n" "$what" >&2
  # A heartbeat so CI logs show the long steps (cold builds take minutes) are alive. Its sleep
  # goes with it: a sleep left running would hold stdout, and a pipe reading setup would wait.
  ( s=''; trap 'kill "$s" 2>/dev/null; exit 0' TERM
    while :; do sleep 30 & s=$!; wait "$s"; printf '      ... %s: %ds, last: %s\n' "$id" $((SECONDS - start)) "$(tail -n1 "$logf" 2>/dev/null | cut -c1-100)" >&2; done ) &
  beat=$!
  bash "$HERE/$script" >"$logf" 2>&1 || rc=$?
  kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
  if [ "$rc" = 0 ]; then
    # Cached: every line the step wrote says so (a step that built anything wrote more).
    printf '[%d/%d] %s: ok in %ds%s\n' "$i" "$n" "$what" $((SECONDS - start)) "$(grep -qv ': cached' "$logf" || echo ' (cached)')" >&2
  else
    printf '[%d/%d] %s: FAILED after %ds. Last lines of %s:\n' "$i" "$n" "$what" $((SECONDS - start)) "$logf" >&2
    tail -n 30 "$logf" | sed 's/^/    /' >&2
  fi
  return "$rc"
}

# kill_tree PID: PID and everything it started. Ctrl-C reaches only the foreground: background
# steps ignore SIGINT (no job control), and would go on writing the caches a re-run then races.
kill_tree() { local c; for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill "$1" 2>/dev/null || true; }
trap 'trap - INT TERM; for j in $(jobs -p); do kill_tree "$j"; done; printf "setup: interrupted\n" >&2; exit 130' INT TERM

total_start=$SECONDS
for phase in $(printf '%s\n' "${STEPS[@]}" | cut -d'|' -f1 | uniq); do
  pids=() i=0
  for step in "${STEPS[@]}"; do
    i=$((i + 1))
    IFS='|' read -r p id what script <<<"$step"
    [ "$p" = "$phase" ] || continue
    run_step "$i" "$id" "$what" "$script" &
    pids+=($!)
  done
  # Every step of the phase finishes (none is left half-built) before a failure stops setup.
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || exit 1
done
printf 'setup: done in %ds (cache: %s)\n' $((SECONDS - total_start)) "$ZDT_CACHE_DIR" >&2
