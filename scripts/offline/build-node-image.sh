#!/usr/bin/env bash
# Assembles the kind node image without any registry: a debootstrap'd bookworm base with
# systemd and containerd, the Kubernetes binaries from build-binaries.sh, zdt's node-side
# files (scripts/offline/node/rootfs) and every component image kubeadm and kind start,
# imported into the node's containerd. Result: $NODE_IMAGE (plain name:tag, as kind needs).
source "$(dirname "$0")/lib.sh"

K8S_OUT="$ZDT_CACHE_DIR/k8s-$K8S_VERSION"
[ -f "$K8S_OUT/images.txt" ] || die "Kubernetes binaries missing in $K8S_OUT: run scripts/offline/build-binaries.sh first"
HERE=$(cd "$(dirname "$0")" && pwd)
KEY=$(cache_key "$0" "$HERE/lib.sh" "$HERE/node" "$K8S_OUT/images.txt" "$(sha256sum "$K8S_OUT"/bin/* | sha256sum)")
if image_exists "$NODE_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "zdt.cache-key"}}' "$NODE_IMAGE")" = "$KEY" ]; then
  log "$NODE_IMAGE: cached ($KEY)"; exit 0
fi

rootfs_image "$NODE_BASE_IMAGE" "$NODE_BASE_PKGS"
rootfs_image "$NET_BASE_IMAGE" "$NET_BASE_PKGS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zdt-node.XXXXXX")
BUILD_CONTAINER=zdt-node-build-$$
cleanup() { docker rm -f "$BUILD_CONTAINER" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

image_for() { grep -m1 "/$1:" "$K8S_OUT/images.txt" || die "no $1 in kubeadm's image list"; }
PAUSE_IMAGE=$(image_for pause)
NET_IMAGE=zdt.local/zdt-net:$K8S_VERSION

# build_image TAG DOCKERFILE FILE...: a component image from a tiny build context.
build_image() {
  local tag=$1 dockerfile=$2 ctx; shift 2
  ctx="$WORK/ctx-${tag//[\/:]/_}"; mkdir -p "$ctx"
  [ $# -gt 0 ] && cp -a "$@" "$ctx/"
  printf '%s\n' "$dockerfile" > "$ctx/Dockerfile"
  # The classic builder needs nothing from a registry for FROM scratch or a local base.
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null || die "docker build $tag failed"
}

log "component images"
STATIC='ENV PATH=/usr/local/bin:/usr/bin:/bin'
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  build_image "$(image_for "$c")" "FROM scratch
$STATIC
COPY $c /usr/local/bin/$c" "$K8S_OUT/bin/$c"
done
build_image "$(image_for etcd)" "FROM scratch
$STATIC
COPY etcd /usr/local/bin/etcd" "$K8S_OUT/bin/etcd"
build_image "$(image_for coredns)" "FROM scratch
COPY coredns /coredns
ENTRYPOINT [\"/coredns\"]" "$K8S_OUT/bin/coredns"
build_image "$PAUSE_IMAGE" "FROM scratch
COPY pause /pause
ENTRYPOINT [\"/pause\"]" "$K8S_OUT/bin/pause"
# kube-proxy must speak the iptables backend the node uses (see the node entrypoint).
cp "$HERE/node/images/iptables-select" "$WORK/iptables-select"
build_image "$(image_for kube-proxy)" "FROM $NET_BASE_IMAGE
COPY kube-proxy /usr/local/bin/kube-proxy
COPY iptables-select /usr/local/sbin/iptables-select
RUN for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do ln -sf /usr/local/sbin/iptables-select /usr/local/sbin/\$t; done" \
  "$K8S_OUT/bin/kube-proxy" "$WORK/iptables-select"
build_image "$NET_IMAGE" "FROM $NET_BASE_IMAGE
COPY kubectl /usr/local/bin/kubectl" "$K8S_OUT/bin/kubectl"

COMPONENTS=$(cat "$K8S_OUT/images.txt"; echo "$NET_IMAGE")
log "saving $(echo "$COMPONENTS" | wc -l) images"
# shellcheck disable=SC2086
docker save -o "$WORK/images.tar" $COMPONENTS

log "assembling node filesystem"
mkdir -p "$WORK/rootfs"
cp -a "$HERE/node/rootfs/." "$WORK/rootfs/"
sed -i "s#@PAUSE_IMAGE@#$PAUSE_IMAGE#" "$WORK/rootfs/etc/containerd/config.toml"
sed -i "s#@NET_IMAGE@#$NET_IMAGE#" "$WORK/rootfs/kind/manifests/default-cni.yaml"
echo "$K8S_VERSION" > "$WORK/rootfs/kind/version"
mkdir -p "$WORK/rootfs/usr/bin" "$WORK/rootfs/usr/local/bin" "$WORK/rootfs/etc/kubernetes/manifests" "$WORK/rootfs/etc/cni/net.d"
cp "$K8S_OUT"/bin/{kubeadm,kubelet,kubectl} "$WORK/rootfs/usr/bin/"
cp "$K8S_OUT/bin/crictl" "$WORK/rootfs/usr/local/bin/"

docker run -d --name "$BUILD_CONTAINER" --privileged --entrypoint sleep "$NODE_BASE_IMAGE" infinity >/dev/null
tar -C "$WORK/rootfs" --numeric-owner --owner=0 --group=0 -c . | docker cp - "$BUILD_CONTAINER:/"
docker cp "$WORK/images.tar" "$BUILD_CONTAINER:/images.tar"
docker exec "$BUILD_CONTAINER" bash -euc '
  # As in any systemd-in-a-container image: nothing starts but what a node needs.
  rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
        /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
        /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
  grep -q "^ReadKMsg=no" /etc/systemd/journald.conf || echo "ReadKMsg=no" >> /etc/systemd/journald.conf
  systemctl enable containerd.service kubelet.service >/dev/null 2>&1
  systemctl mask systemd-binfmt.service getty.target >/dev/null 2>&1
  containerd >/var/log/containerd-build.log 2>&1 &
  for i in $(seq 60); do ctr version >/dev/null 2>&1 && break; sleep 0.5; done
  # --no-unpack: the CRI plugin unpacks on first use, in the node its overlayfs can mount.
  ctr -n k8s.io images import --no-unpack --digests /images.tar >/dev/null
  ctr -n k8s.io images ls -q | grep -v "^sha256:" | sort
  kill %1; wait || true
  rm -f /images.tar /var/log/containerd-build.log /run/containerd/containerd.sock
' > "$WORK/imported.txt"
for img in $COMPONENTS; do
  grep -qxF -e "$img" -e "docker.io/$img" "$WORK/imported.txt" || die "image $img missing in the node's containerd after import"
done
docker stop -t 1 "$BUILD_CONTAINER" >/dev/null
docker commit "$BUILD_CONTAINER" "$NODE_IMAGE-assembling" >/dev/null
# docker commit --change cannot set STOPSIGNAL on Docker 20.10; a one-line build can.
build_image "$NODE_IMAGE" "FROM $NODE_IMAGE-assembling
ENV container=docker
STOPSIGNAL SIGRTMIN+3
LABEL zdt.cache-key=$KEY
ENTRYPOINT [\"/usr/local/bin/entrypoint\", \"/sbin/init\"]
CMD []"
docker rmi "$NODE_IMAGE-assembling" >/dev/null
log "node image $NODE_IMAGE ($(docker image inspect -f '{{.Size}}' "$NODE_IMAGE" | numfmt --to=iec))"
