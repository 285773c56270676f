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
command -v go >/dev/null || die "go is not on PATH: Traefik is built from its Go module"
# The binary's own key, without lib.sh: a pin changed there rebuilds the image, not 3.5 min of Go.
BUILD_KEY=$(cache_key "$0" "$TRAEFIK_VERSION" "$(go version)")
if ! stamp_ok traefik "$BUILD_KEY" || [ ! -x "$OUT/traefik" ]; then
  # module_dir MODULE[@VERSION]: where `go mod download` put it (read-only).
  module_dir() { go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'; }
  # The module as the proxy serves it, copied writable: go build runs inside its own go.mod.
  MOD_DIR=$(module_dir "github.com/traefik/traefik/v3@$TRAEFIK_VERSION")
  [ -n "$MOD_DIR" ] || die "go mod download github.com/traefik/traefik/v3@$TRAEFIK_VERSION gave no module directory"
  SRC=$(mktemp -d "${TMPDIR:-/tmp}/zdt-traefik.XXXXXX"); trap 'rm -rf "$SRC"' EXIT
  cp -r "$MOD_DIR/." "$SRC/"; chmod -R u+w "$SRC"
  # lego's providers/dns, used only for ACME's DNS-01 challenge, registers 194 DNS hosts with
  # their cloud SDKs: a third of Traefik's packages. zdt's routes are plain HTTP and name no
  # certificate resolver, so Traefik links a copy of lego whose providers/dns refuses every
  # provider by name.
  LEGO_DIR=$(cd "$SRC" && module_dir github.com/go-acme/lego/v4)
  [ -n "$LEGO_DIR" ] || die "go mod download github.com/go-acme/lego/v4 (Traefik's) gave no module directory"
  mkdir "$SRC/zdt-lego"; cp -r "$LEGO_DIR/." "$SRC/zdt-lego/"; chmod -R u+w "$SRC/zdt-lego"
  rm "$SRC/zdt-lego/providers/dns/"*.go
  cat > "$SRC/zdt-lego/providers/dns/dns.go" <<'GO'
// Package dns: zdt's build of Traefik has no ACME DNS-01 providers (build-ingress-image.sh).
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v4/challenge"
)

// NewDNSChallengeProviderByName refuses every provider.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("ACME DNS-01 provider %q is not built into zdt's Traefik", name)
}
GO
  (cd "$SRC" && go mod edit -replace github.com/go-acme/lego/v4=./zdt-lego)
  log "go build traefik $TRAEFIK_VERSION (cold: minutes on 2 cores)"
  mkdir -p "$OUT"
  (cd "$SRC" && go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" -o "$OUT/traefik" ./cmd/traefik)
  stamp_set traefik "$BUILD_KEY"
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
