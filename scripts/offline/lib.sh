# Shared helpers for the offline build scripts. Sourced, never run.
# Pinned inputs live here so every cache key sees them.
set -euo pipefail

ZDT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ZDT_CACHE_DIR=${ZDT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zdt}
ZDT_BIN_DIR="$ZDT_CACHE_DIR/bin"
ZDT_LOG_DIR="$ZDT_CACHE_DIR/logs"
mkdir -p "$ZDT_BIN_DIR" "$ZDT_LOG_DIR" "$ZDT_CACHE_DIR/stamps"

KIND_VERSION=v0.30.0
HELM_VERSION=v3.21.4
K8S_VERSION=${ZDT_K8S_VERSION:-v1.34.4}
CRICTL_VERSION=v1.34.0
CRICTL_SUM_PIN=h1:KqL9EJ+WgHtz1HR1exezm91n+o8O2uMLs/eHzHJHAWw=
# Image tags; the k8s ones must match `kubeadm config images list` for K8S_VERSION (checked at build).
NODE_IMAGE=${ZDT_NODE_IMAGE:-zdt.local/kind-node:${K8S_VERSION}}
NGINX_IMAGE=${ZDT_NGINX_IMAGE:-zdt.local/nginx:1.22}
# zdt reads this tag as it is (harness/cluster/images.ts OFFLINE_HAPROXY_IMAGE): no override.
HAPROXY_IMAGE=zdt.local/haproxy:2.6
# The load pod of --entry in-cluster, with this host's Node.js (harness/cluster/images.ts OFFLINE_LOAD_IMAGE).
LOAD_IMAGE=zdt.local/node:host
# The Ingress controller of --entry ingress; zdt reads this tag as it is (harness/cluster/images.ts OFFLINE_INGRESS_IMAGE).
TRAEFIK_VERSION=v3.6.12
INGRESS_IMAGE=zdt.local/traefik:$TRAEFIK_VERSION

# No DWARF from the compiler: every binary is linked with -s -w, which drops it anyway, and
# generating it is part of each package's compile (see the README's setup figures).
export GOFLAGS="-buildvcs=false -gcflags=all=-dwarf=false"
export CGO_ENABLED=0

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# cache_key INPUT... -> short hash of the pinned inputs; an input that names a file or
# directory is hashed by content, so editing a build script invalidates only its own cache.
cache_key() {
  local i
  for i in "$@"; do
    if [ -d "$i" ]; then find "$i" -type f -print0 | sort -z | xargs -0 sha256sum | cut -c1-64
    elif [ -f "$i" ]; then sha256sum < "$i"
    else printf '%s\n' "$i"; fi
  done | sha256sum | cut -c1-16
}
stamp_ok()  { [ -f "$ZDT_CACHE_DIR/stamps/$1" ] && [ "$(cat "$ZDT_CACHE_DIR/stamps/$1")" = "$2" ]; }
stamp_set() { printf '%s' "$2" > "$ZDT_CACHE_DIR/stamps/$1"; }

DEBIAN_MIRROR=${ZDT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SUITE=bookworm   # newer systemd refuses to boot under cgroup v1

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# rootfs_image TAG PACKAGES: a Debian minbase rootfs with PACKAGES, imported as TAG.
# The tag carries the cache key, so an existing image means the work is done.
rootfs_image() {
  local tag=$1 pkgs=$2 dir
  if image_exists "$tag"; then log "$tag: cached"; return 0; fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/zdt-rootfs.XXXXXX")
  log "debootstrap $DEBIAN_SUITE ($pkgs) -> $tag"
  debootstrap --variant=minbase --include="$pkgs" "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" >"$ZDT_LOG_DIR/debootstrap-${tag//[\/:]/_}.log" 2>&1 \
    || { tail -20 "$ZDT_LOG_DIR/debootstrap-${tag//[\/:]/_}.log" >&2; rm -rf "$dir"; die "debootstrap failed for $tag"; }
  # Images stay small: no docs, manuals, locales or apt lists.
  rm -rf "$dir"/usr/share/{doc,man,info,locale}/* "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  tar -C "$dir" --numeric-owner -c . | docker import - "$tag" >/dev/null
  rm -rf "$dir"
}

# The Debian rootfs images the node, kube-proxy, nginx, haproxy and load images start from
# (build-base-images.sh builds them all; each image's own script builds its own when missing).
NODE_BASE_PKGS=systemd,systemd-sysv,dbus,containerd,runc,containernetworking-plugins,iptables,nftables,conntrack,iproute2,ethtool,socat,util-linux,mount,kmod,ca-certificates,procps,libseccomp2,bash,iputils-ping
NET_BASE_PKGS=iptables,nftables,conntrack,iproute2,kmod,bash,ca-certificates
NGINX_BASE_PKGS=nginx-light,procps
HAPROXY_BASE_PKGS=haproxy
# Node.js's official Linux binary links libstdc++ dynamically; ca-certificates for https targets.
LOAD_BASE_PKGS=libstdc++6,ca-certificates
NODE_BASE_IMAGE=zdt.local/node-base:$(cache_key "$NODE_BASE_PKGS" "$DEBIAN_SUITE")
NET_BASE_IMAGE=zdt.local/net-base:$(cache_key "$NET_BASE_PKGS" "$DEBIAN_SUITE")
NGINX_BASE_IMAGE=zdt.local/nginx-base:$(cache_key "$NGINX_BASE_PKGS" "$DEBIAN_SUITE")
HAPROXY_BASE_IMAGE=zdt.local/haproxy-base:$(cache_key "$HAPROXY_BASE_PKGS" "$DEBIAN_SUITE")
LOAD_BASE_IMAGE=zdt.local/load-base:$(cache_key "$LOAD_BASE_PKGS" "$DEBIAN_SUITE")
