#!/usr/bin/env bash
# A private Docker engine for berth's engine tests: `start` prints its socket, `stop` ends it.
# Uses Debian's docker.io (installed when missing; needs root), its own data root (nothing of a
# system dockerd is touched) and no bridge networking, and imports `localhost/busybox:latest` from
# Debian's busybox-static because no image registry is reachable here.
set -euo pipefail

DIR=${BERTH_DOCKERD_DIR:-/tmp/berth-dockerd}
SOCK="$DIR/docker.sock"
IMAGE=localhost/busybox:latest
docker_cli() { docker -H "unix://$SOCK" "$@"; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (apt)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# A minimal image's root filesystem as a tar on stdout: static busybox, its applets, a passwd.
busybox_rootfs_tar() {
  local rootfs
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$rootfs/etc/passwd"
  tar -C "$rootfs" -c .
  rm -rf "$rootfs"
}

import_busybox() {
  docker_cli image inspect "$IMAGE" >/dev/null 2>&1 && return
  busybox_rootfs_tar | docker_cli import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  echo "imported $IMAGE" >&2
}

start() {
  install_packages
  mkdir -p "$DIR"
  if ! docker_cli info >/dev/null 2>&1; then
    setsid nohup dockerd --host "unix://$SOCK" --pidfile "$DIR/dockerd.pid" \
      --data-root "$DIR/data" --exec-root "$DIR/exec" --storage-driver overlay2 \
      --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
      >"$DIR/dockerd.log" 2>&1 < /dev/null &
    for _ in $(seq 1 60); do
      docker_cli info >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker_cli info >/dev/null 2>&1 || { echo "dockerd did not start; see $DIR/dockerd.log" >&2; tail -20 "$DIR/dockerd.log" >&2; exit 1; }
  fi
  import_busybox
  echo "$SOCK"
}

stop() {
  [ -f "$DIR/dockerd.pid" ] && kill "$(cat "$DIR/dockerd.pid")" 2>/dev/null || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  busybox-tar) busybox_rootfs_tar ;;  # used by swarm-lab.sh for its nodes
  *) echo "usage: $0 start|stop|busybox-tar" >&2; exit 2 ;;
esac
