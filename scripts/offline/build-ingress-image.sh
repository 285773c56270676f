#!/usr/bin/env bash
# The Ingress controller image of `--entry ingress`: Traefik (build-traefik.sh) on the Debian
# base the load image uses, $INGRESS_IMAGE. zdt installs it per run (harness/entry/ingress.ts).
source "$(dirname "$0")/lib.sh"
OUT="$ZDT_CACHE_DIR/traefik-$TRAEFIK_VERSION"
# Setup builds the binary in the step before; alone, this script builds it itself.
bash "$(dirname "$0")/build-traefik.sh"
KEY=$(cache_key "$0" "$(dirname "$0")/lib.sh" "$(sha256sum < "$OUT/traefik")")
if image_exists "$INGRESS_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "zdt.cache-key"}}' "$INGRESS_IMAGE")" = "$KEY" ]; then
  log "$INGRESS_IMAGE: cached ($KEY)"; exit 0
fi
rootfs_image "$LOAD_BASE_IMAGE" "$LOAD_BASE_PKGS"
CTX=$(mktemp -d); trap 'rm -rf "$CTX"' EXIT
cp "$OUT/traefik" "$CTX/traefik"
cat > "$CTX/Dockerfile" <<DOCKERFILE
FROM $LOAD_BASE_IMAGE
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY traefik /usr/local/bin/traefik
LABEL zdt.cache-key=$KEY
ENTRYPOINT ["traefik"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t "$INGRESS_IMAGE" "$CTX" >/dev/null
version=$(docker run --rm "$INGRESS_IMAGE" version | sed -n 's/^Version: *//p')
[ "$version" = "${TRAEFIK_VERSION#v}" ] || [ "$version" = "$TRAEFIK_VERSION" ] || die "traefik version in $INGRESS_IMAGE reports '$version', want $TRAEFIK_VERSION"
log "ingress image $INGRESS_IMAGE (Traefik $version)"
