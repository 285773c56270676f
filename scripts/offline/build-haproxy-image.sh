#!/usr/bin/env bash
# The load balancer of `--entry load-balancer`, from Debian's haproxy package: no registry
# involved. zdt writes its config per run and starts it on the kind network (harness/entry).
source "$(dirname "$0")/lib.sh"
KEY=$(cache_key "$0" "$(dirname "$0")/lib.sh")
if image_exists "$HAPROXY_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "zdt.cache-key"}}' "$HAPROXY_IMAGE")" = "$KEY" ]; then
  log "$HAPROXY_IMAGE: cached ($KEY)"; exit 0
fi
rootfs_image "$HAPROXY_BASE_IMAGE" "$HAPROXY_BASE_PKGS"
CTX=$(mktemp -d); trap 'rm -rf "$CTX"' EXIT
cat > "$CTX/Dockerfile" <<DOCKERFILE
FROM $HAPROXY_BASE_IMAGE
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL zdt.cache-key=$KEY
CMD ["haproxy", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t "$HAPROXY_IMAGE" "$CTX" >/dev/null
version=$(docker run --rm "$HAPROXY_IMAGE" haproxy -v)
[[ $version == "HAProxy version 2.6"* ]] || die "haproxy -v in $HAPROXY_IMAGE reports '${version%%$'\n'*}', want 2.6"
log "haproxy image $HAPROXY_IMAGE"
