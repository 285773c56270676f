#!/usr/bin/env bash
# The Ingress controller of `--entry ingress`: Traefik, built from its Go module on the module
# proxy (no registry involved), on the Debian base the load image uses. Why Traefik: README
# ("--entry ingress"). zdt installs it per run (harness/entry/ingress.ts).
source "$(dirname "$0")/lib.sh"
# Here, not in lib.sh, whose every change invalidates every image's cache.
# zdt reads this tag as it is (harness/cluster/images.ts OFFLINE_INGRESS_IMAGE).
TRAEFIK_VERSION=v3.6.12
INGRESS_IMAGE=zdt.local/traefik:$TRAEFIK_VERSION
KEY=$(cache_key "$0" "$(dirname "$0")/lib.sh")
if image_exists "$INGRESS_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "zdt.cache-key"}}' "$INGRESS_IMAGE")" = "$KEY" ]; then
  log "$INGRESS_IMAGE: cached ($KEY)"; exit 0
fi
OUT="$ZDT_CACHE_DIR/traefik-$TRAEFIK_VERSION"
if ! stamp_ok traefik "$TRAEFIK_VERSION" || [ ! -x "$OUT/traefik" ]; then
  command -v go >/dev/null || die "go is not on PATH: Traefik is built from its Go module"
  # The module as the proxy serves it, copied writable: go build runs inside its own go.mod.
  MOD_DIR=$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$MOD_DIR" ] || die "go mod download github.com/traefik/traefik/v3@$TRAEFIK_VERSION gave no module directory"
  SRC=$(mktemp -d "${TMPDIR:-/tmp}/zdt-traefik.XXXXXX"); trap 'rm -rf "$SRC"' EXIT
  cp -r "$MOD_DIR/." "$SRC/"; chmod -R u+w "$SRC"
  log "go build traefik $TRAEFIK_VERSION (cold: several minutes on 2 cores)"
  mkdir -p "$OUT"
  (cd "$SRC" && go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" -o "$OUT/traefik" ./cmd/traefik)
  stamp_set traefik "$TRAEFIK_VERSION"
fi
rootfs_image "$LOAD_BASE_IMAGE" "$LOAD_BASE_PKGS"
CTX=$(mktemp -d); trap 'rm -rf "$CTX" "${SRC:-}"' EXIT
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
