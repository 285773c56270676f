#!/usr/bin/env bash
# Traefik, the Ingress controller of `--entry ingress`, built from its Go module on the module
# proxy (no registry involved). Why Traefik: README ("--entry ingress"). The image around it is
# build-ingress-image.sh's; this step has no Docker in it, so setup runs it beside the other Go
# builds. Output: $ZDT_CACHE_DIR/traefik-<version>/traefik.
source "$(dirname "$0")/lib.sh"
OUT="$ZDT_CACHE_DIR/traefik-$TRAEFIK_VERSION"
command -v go >/dev/null || die "go is not on PATH: Traefik is built from its Go module"
# Keyed without lib.sh: a pin changed there rebuilds images, not minutes of Go.
KEY=$(cache_key "$0" "$TRAEFIK_VERSION" "$(go version)")
if stamp_ok traefik "$KEY" && [ -x "$OUT/traefik" ]; then
  log "traefik: cached ($KEY)"; exit 0
fi
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
// Package dns: zdt's build of Traefik has no ACME DNS-01 providers (build-traefik.sh).
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
stamp_set traefik "$KEY"
log "traefik $TRAEFIK_VERSION -> $OUT/traefik ($(du -h "$OUT/traefik" | cut -f1))"
