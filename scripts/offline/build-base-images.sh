#!/usr/bin/env bash
# The Debian rootfs images (debootstrap) the node, kube-proxy, nginx, haproxy and load images start from.
# Its own step so setup runs it beside the Go builds: it waits on the network and dpkg while
# they keep both cores busy. Cached by tag (the tag is the package list's hash).
source "$(dirname "$0")/lib.sh"
rootfs_image "$NODE_BASE_IMAGE" "$NODE_BASE_PKGS"
rootfs_image "$NET_BASE_IMAGE" "$NET_BASE_PKGS"
rootfs_image "$NGINX_BASE_IMAGE" "$NGINX_BASE_PKGS"
rootfs_image "$HAPROXY_BASE_IMAGE" "$HAPROXY_BASE_PKGS"
rootfs_image "$LOAD_BASE_IMAGE" "$LOAD_BASE_PKGS"
