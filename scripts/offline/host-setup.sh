#!/usr/bin/env bash
# Makes a Docker engine answer on this host, able to run kind's --privileged nodes.
# Idempotent: on a host whose Docker already works and whose capability bounding set is
# complete, it changes nothing.
source "$(dirname "$0")/lib.sh"

WRAPPER=/usr/local/libexec/zdt/runc-capfix
DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_LOG=/var/log/zdt-dockerd.log

need_root() { [ "$(id -u)" = 0 ] || die "host setup must run as root (it installs docker.io and configures dockerd); re-run with sudo"; }

# Capabilities the kernel knows but this host may not grant (bits absent from CapBnd).
missing_caps() {
  local bnd last i
  bnd=$((16#$(awk '/^CapBnd:/{print $2}' /proc/self/status)))
  last=$(cat /proc/sys/kernel/cap_last_cap)
  for ((i = 0; i <= last; i++)); do (( (bnd >> i) & 1 )) || printf '%s ' "$i"; done
}

install_packages() {
  local pkgs=()
  command -v dockerd >/dev/null || pkgs+=(docker.io)
  command -v jq >/dev/null || pkgs+=(jq)
  command -v debootstrap >/dev/null || pkgs+=(debootstrap)
  command -v wrk >/dev/null || pkgs+=(wrk)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  log "apt-get install ${pkgs[*]}"
  need_root
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

# The wrapper strips from the OCI spec every capability outside its own bounding set, computed
# at each call, then hands over to the real runc. Docker 20.10 asks a privileged container
# for every capability it knows, and the kernel refuses the set when one is missing.
install_wrapper() {
  local runc; runc=$(command -v runc) || die "runc not found (docker.io should have installed it)"
  mkdir -p "$(dirname "$WRAPPER")"
  cat > "$WRAPPER.new" <<WRAP
#!/bin/bash
# Installed by zdt host-setup.sh: drops capabilities missing from the bounding set.
REAL=$runc
WRAP
  cat >> "$WRAPPER.new" <<'WRAP'
names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
  NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT
  SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
  AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
  PERFMON BPF CHECKPOINT_RESTORE)
bnd=$((16#$(awk '/^CapBnd:/{print $2}' /proc/self/status)))
drop=()
for i in "${!names[@]}"; do (( (bnd >> i) & 1 )) || drop+=("\"CAP_${names[$i]}\""); done
strip() { # FILE JQPATH
  [ ${#drop[@]} -gt 0 ] && [ -f "$1" ] || return 0
  local d; d=$(IFS=,; echo "[${drop[*]}]")
  jq --argjson d "$d" "$2 |= (if . == null then . else with_entries(.value |= ((. // []) - \$d)) end)" "$1" > "$1.capfix" && mv "$1.capfix" "$1"
}
bundle=. cmd= process=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --bundle|-b) bundle=${args[$((i+1))]} ;;
    --bundle=*) bundle=${args[$i]#--bundle=} ;;
    --process|-p) process=${args[$((i+1))]} ;;
    --process=*) process=${args[$i]#--process=} ;;
    create|run|exec) [ -z "$cmd" ] && cmd=${args[$i]} ;;
  esac
done
case "$cmd" in
  create|run) strip "$bundle/config.json" .process.capabilities ;;
  exec) strip "$process" .capabilities ;;
esac
exec "$REAL" "$@"
WRAP
  chmod 755 "$WRAPPER.new"; mv "$WRAPPER.new" "$WRAPPER"
}

configure_daemon() { # -> 0 when daemon.json changed
  local want cur='{}'
  mkdir -p /etc/docker
  [ -f "$DAEMON_JSON" ] && cur=$(cat "$DAEMON_JSON")
  want=$(jq --arg w "$WRAPPER" '.runtimes["zdt-runc"] = {path: $w} | ."default-runtime" = "zdt-runc"' <<<"$cur")
  [ "$(jq -S . <<<"$cur")" = "$(jq -S . <<<"$want")" ] && return 1
  printf '%s\n' "$want" > "$DAEMON_JSON"
  log "registered $WRAPPER as Docker's default runtime in $DAEMON_JSON"
}

docker_ok() { timeout 10 docker info >/dev/null 2>&1; }

start_dockerd() {
  log "starting dockerd (log: $DOCKERD_LOG)"
  if [ -d /run/systemd/system ] && systemctl start docker 2>/dev/null; then :
  else
    # containerd must not share dockerd's process group: keep it alive after this shell exits.
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 < /dev/null &
  fi
  for _ in $(seq 60); do docker_ok && return 0; sleep 1; done
  tail -20 "$DOCKERD_LOG" >&2 || true
  die "dockerd did not answer within 60 s; see $DOCKERD_LOG"
}

stop_dockerd() {
  if [ -d /run/systemd/system ] && systemctl is-active -q docker 2>/dev/null; then systemctl stop docker; return; fi
  pkill -x dockerd || true
  for _ in $(seq 30); do pgrep -x dockerd >/dev/null || return 0; sleep 1; done
}

install_packages
changed=1
missing=$(missing_caps)
if [ -n "$missing" ]; then
  need_root
  install_wrapper
  configure_daemon && changed=0
else
  log "capability bounding set is complete; no runtime wrapper needed"
fi
if docker_ok && [ $changed -eq 0 ]; then log "restarting dockerd to pick up the new runtime"; stop_dockerd; fi
docker_ok || { need_root; start_dockerd; }
log "docker engine $(docker version -f '{{.Server.Version}}') ready (default runtime: $(docker info -f '{{.DefaultRuntime}}'))"
