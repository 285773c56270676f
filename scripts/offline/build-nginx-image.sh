#!/usr/bin/env bash
# The example app's image, from Debian's nginx package: no registry involved.
# STOPSIGNAL SIGQUIT as in the official image, so a pod stop is nginx's graceful shutdown.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
KEY=$(cache_key "$0" "$HERE/lib.sh" "$HERE/nginx")
if image_exists "$NGINX_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "zdt.cache-key"}}' "$NGINX_IMAGE")" = "$KEY" ]; then
  log "$NGINX_IMAGE: cached ($KEY)"; exit 0
fi
rootfs_image "$NGINX_BASE_IMAGE" "$NGINX_BASE_PKGS"
CTX=$(mktemp -d); trap 'rm -rf "$CTX"' EXIT
cp "$HERE/nginx/nginx.conf" "$CTX/"
cat > "$CTX/Dockerfile" <<DOCKERFILE
FROM $NGINX_BASE_IMAGE
COPY nginx.conf /etc/nginx/nginx.conf
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EXPOSE 80
STOPSIGNAL SIGQUIT
LABEL zdt.cache-key=$KEY
CMD ["nginx", "-g", "daemon off;"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t "$NGINX_IMAGE" "$CTX" >/dev/null
docker run --rm "$NGINX_IMAGE" nginx -t >/dev/null 2>&1 || die "nginx -t failed in $NGINX_IMAGE"
log "nginx image $NGINX_IMAGE"
