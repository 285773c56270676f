#!/usr/bin/env bash
# One entry point for everything zdt needs on a host without a container registry:
# Docker engine, kind, Kubernetes binaries, the kind node image, the nginx image and Helm.
# Each step is cached (a warm run takes seconds); progress shows per step with elapsed time,
# and a failure names the step and shows the end of its log.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

STEPS=(
  "host|Docker engine and runtime wrapper|host-setup.sh"
  "binaries|kind, Kubernetes, etcd, CoreDNS, crictl, pause|build-binaries.sh"
  "node-image|kind node image $NODE_IMAGE|build-node-image.sh"
  "nginx-image|nginx image $NGINX_IMAGE|build-nginx-image.sh"
  "helm|Helm $HELM_VERSION|build-helm.sh"
)

total_start=$SECONDS
n=${#STEPS[@]} i=0
for step in "${STEPS[@]}"; do
  IFS='|' read -r id what script <<<"$step"
  i=$((i + 1))
  logf="$ZDT_LOG_DIR/setup-$id.log"
  start=$SECONDS
  printf '[%d/%d] %s ...\n' "$i" "$n" "$what" >&2
  # A heartbeat so CI logs show the long steps (cold builds take minutes) are alive.
  ( while sleep 30; do printf '      ... %s: %ds, last: %s\n' "$id" $((SECONDS - start)) "$(tail -n1 "$logf" 2>/dev/null | cut -c1-100)" >&2; done ) &
  beat=$!
  if bash "$HERE/$script" >"$logf" 2>&1; then
    kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
    printf '[%d/%d] %s: ok in %ds%s\n' "$i" "$n" "$what" $((SECONDS - start)) "$(grep -q ': cached' "$logf" && echo ' (cached)')" >&2
  else
    kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
    printf '[%d/%d] %s: FAILED after %ds. Last lines of %s:\n' "$i" "$n" "$what" $((SECONDS - start)) "$logf" >&2
    tail -n 30 "$logf" | sed 's/^/    /' >&2
    exit 1
  fi
done
printf 'setup: done in %ds (cache: %s)\n' $((SECONDS - total_start)) "$ZDT_CACHE_DIR" >&2
