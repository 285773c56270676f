#!/usr/bin/env bash
# The load pod of `--entry in-cluster`: Debian with this host's Node.js binary, no registry
# involved. zdt sends the load program itself in a ConfigMap at run time (harness/entry/in-cluster.ts).
source "$(dirname "$0")/lib.sh"
NODE_BIN=$(command -v node) || die "node is not on PATH: the load image takes this host's Node.js binary"
NODE_VERSION=$("$NODE_BIN" --version)
KEY=$(cache_key "$0" "$(dirname "$0")/lib.sh" "$NODE_VERSION")
if image_exists "$LOAD_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "zdt.cache-key"}}' "$LOAD_IMAGE")" = "$KEY" ]; then
  log "$LOAD_IMAGE: cached ($KEY, Node.js $NODE_VERSION)"; exit 0
fi
rootfs_image "$LOAD_BASE_IMAGE" "$LOAD_BASE_PKGS"
CTX=$(mktemp -d); trap 'rm -rf "$CTX"' EXIT
cp "$(readlink -f "$NODE_BIN")" "$CTX/node"
cat > "$CTX/Dockerfile" <<DOCKERFILE
FROM $LOAD_BASE_IMAGE
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY node /usr/local/bin/node
LABEL zdt.cache-key=$KEY
CMD ["node", "--version"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t "$LOAD_IMAGE" "$CTX" >/dev/null
version=$(docker run --rm "$LOAD_IMAGE" node --version)
[ "$version" = "$NODE_VERSION" ] || die "node --version in $LOAD_IMAGE reports '$version', want $NODE_VERSION"
log "load image $LOAD_IMAGE (Node.js $version)"
