#!/usr/bin/env bash
# Helm 3, for `zdt verify ./chart` and `zdt lint ./chart` (`helm template`), built from the Go
# module proxy like kind. A helm already on PATH is used instead (harness/manifests/render.ts).
# Output: $ZDT_CACHE_DIR/bin/helm.
source "$(dirname "$0")/lib.sh"

KEY=$(cache_key "$0" "$HELM_VERSION" "$(go version)")
if stamp_ok helm "$KEY" && [ -x "$ZDT_BIN_DIR/helm" ]; then
  log "helm: cached ($KEY)"; exit 0
fi
log "helm $HELM_VERSION"
# helm's module has no replace directives, so `go install` builds it as released; the ldflag
# makes `helm version` report the release instead of "v3.21+unreleased".
GOBIN="$ZDT_BIN_DIR" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
"$ZDT_BIN_DIR/helm" version --short | grep -q "^$HELM_VERSION" || die "helm reports $("$ZDT_BIN_DIR/helm" version --short), want $HELM_VERSION"
stamp_set helm "$KEY"
log "helm $("$ZDT_BIN_DIR/helm" version --short)"
