#!/usr/bin/env bash
# Builds every Go/C binary the offline node image needs, from the Go module proxy only:
# kind, the Kubernetes server binaries, crictl, etcd, CoreDNS and pause. (kindnetd's module is
# not served by the proxy here, so the node image uses zdt's own small CNI daemon instead.)
# Output: $ZDT_CACHE_DIR/bin/kind and $ZDT_CACHE_DIR/k8s-<version>/{bin,images.txt}.
source "$(dirname "$0")/lib.sh"

OUT="$ZDT_CACHE_DIR/k8s-$K8S_VERSION"
KEY=$(cache_key "$0" "$K8S_VERSION" "$KIND_VERSION" "$CRICTL_VERSION" "$CRICTL_SUM_PIN" "$(go version)")
if stamp_ok binaries "$KEY" && [ -x "$OUT/bin/kubelet" ] && [ -x "$ZDT_BIN_DIR/kind" ]; then
  log "binaries: cached ($KEY)"; exit 0
fi
mkdir -p "$OUT/bin"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
STAGING=${K8S_VERSION/v1./v0.}   # staging modules are versioned v0.<minor>.<patch>

log "kind $KIND_VERSION"
GOBIN="$ZDT_BIN_DIR" go install "sigs.k8s.io/kind@$KIND_VERSION"

log "kubernetes $K8S_VERSION"
# k8s.io/kubernetes points its staging modules at ./staging; re-pin each to the published version.
mkdir -p "$WORK/k8s" && cd "$WORK/k8s"
go mod init zdt.local/k8sbuild >/dev/null 2>&1
K8S_MOD=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
{
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo "require sigs.k8s.io/cri-tools $CRICTL_VERSION"
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#replace \1 => \1 '"$STAGING"'#p' "$K8S_MOD"
} >> go.mod
cat > tools.go <<'GO'
//go:build tools
package tools
import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubeadm"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "sigs.k8s.io/cri-tools/cmd/crictl"
)
GO
# crictl builds here too: it needs release candidates of the staging modules, which the
# checksum database reachable here does not list, so it takes the pinned ones instead.
# cri-tools itself is not listed either: verify it against our own pinned sum.
export GONOSUMDB=sigs.k8s.io/cri-tools
CRICTL_SUM=$(go mod download -json "sigs.k8s.io/cri-tools@$CRICTL_VERSION" | sed -n 's/.*"Sum": "\(.*\)".*/\1/p')
[ "$CRICTL_SUM" = "$CRICTL_SUM_PIN" ] || die "sigs.k8s.io/cri-tools@$CRICTL_VERSION has sum '$CRICTL_SUM', pinned '$CRICTL_SUM_PIN'"
go mod tidy
MINOR=${K8S_VERSION#v1.}; MINOR=${MINOR%%.*}
LDF="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF="$LDF -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
go build -trimpath -ldflags "$LDF" -o "$OUT/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubectl
go build -trimpath -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" -o "$OUT/bin/" sigs.k8s.io/cri-tools/cmd/crictl
"$OUT/bin/kubeadm" version -o short | grep -qx "$K8S_VERSION" || die "kubeadm reports $("$OUT/bin/kubeadm" version -o short), want $K8S_VERSION"
"$OUT/bin/kubeadm" config images list --kubernetes-version "$K8S_VERSION" > "$OUT/images.txt"
cp "$OUT/bin/kubectl" "$ZDT_BIN_DIR/kubectl"
K8S_DIR=$(go list -m -f '{{.Dir}}' k8s.io/kubernetes)

tag_of() { sed -n "s#.*/$1:##p" "$OUT/images.txt"; }
ETCD_TAG=$(tag_of etcd); ETCD_VERSION=v${ETCD_TAG%-*}
COREDNS_VERSION=$(tag_of coredns/coredns)

# build_main NAME MODULE@VERSION: builds the main package read from stdin, in a module of its own
# that requires MODULE@VERSION, into $OUT/bin/NAME. For modules whose root has local replaces
# (etcd) or whose own main links more than the node needs (CoreDNS).
build_main() {
  mkdir -p "$WORK/$1" && cd "$WORK/$1"
  go mod init "zdt.local/$1build" >/dev/null 2>&1
  cat > main.go
  go get "$2" >/dev/null 2>&1
  go mod tidy >/dev/null 2>&1
  go build -trimpath -ldflags "-s -w" -o "$OUT/bin/$1" .
}

log "etcd $ETCD_VERSION"
# etcd's root module also uses local replaces; its server module exposes etcdmain.
build_main etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO

log "coredns $COREDNS_VERSION"
# Only the plugins kubeadm's default Corefile names, and log: all 50 bring the AWS, Azure, Google
# Cloud and Datadog SDKs, most of CoreDNS's cold build. A Corefile naming any other plugin fails
# to load (CoreDNS says the plugin is missing); zdt never edits the Corefile.
COREDNS_PLUGINS="errors health ready kubernetes metrics forward cache loop reload loadbalance log"
{
  printf 'package main\n\nimport (\n\t"github.com/coredns/coredns/coremain"\n'
  for p in $COREDNS_PLUGINS; do printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"; done
  printf ')\n\nfunc main() { coremain.Run() }\n'
} | build_main coredns "github.com/coredns/coredns@$COREDNS_VERSION"
"$OUT/bin/coredns" -plugins | grep -qx kubernetes || die "coredns $COREDNS_VERSION was built without its kubernetes plugin"

log "pause"
gcc -Os -static -DVERSION="v$(tag_of pause)" -o "$OUT/bin/pause" "$K8S_DIR/build/pause/linux/pause.c"
strip "$OUT/bin/pause"

stamp_set binaries "$KEY"
log "binaries: done -> $OUT/bin"
