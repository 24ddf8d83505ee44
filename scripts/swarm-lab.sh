#!/usr/bin/env bash
# A three-node Docker Swarm on this one machine, for berth's cluster tests: `up` builds it and
# prints the manager's socket, `kill NODE` ends every process of one node (a machine dying),
# `down` removes everything `up` made (daemons, mounts, namespaces, links, files), also after a
# half-finished `up`.
#
# Each node is a dockerd in its own network namespace (berth-lab-n1..n3, 10.201.0.1-3), joined by
# veth pairs to a bridge in a hub namespace, so swarm traffic never leaves those namespaces.
# `ip netns exec` remounts /sys, hiding the cgroup mounts dockerd needs; each node therefore runs
# in its own mount and UTS namespace (its own hostname) and mounts the cgroup hierarchies again.
# Needs root, iproute2, Debian's docker.io and busybox-static (installed by test-dockerd.sh).
set -euo pipefail

DIR=${BERTH_SWARM_LAB_DIR:-/tmp/berth-swarm-lab}
NODES=(n1 n2 n3)
HUB=berth-lab-hub
SUBNET=10.201.0
IMAGE=localhost/busybox:latest

ns() { echo "berth-lab-$1"; }
addr() { echo "$SUBNET.${1#n}"; }
sock() { echo "$DIR/$1/docker.sock"; }
dk() { local node=$1; shift; docker -H "unix://$(sock "$node")" "$@"; }

# The hierarchies this kernel mounts under /sys/fs/cgroup, remounted inside a node's mount namespace.
node_entry() {
  local node=$1
  cat <<EOF
set -e
mount -t tmpfs cgroup /sys/fs/cgroup
for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
  mkdir -p /sys/fs/cgroup/\$c && mount -t cgroup -o \$c cgroup /sys/fs/cgroup/\$c
done
mkdir -p /sys/fs/cgroup/systemd && mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
hostname berth-lab-$node
exec dockerd --host unix://$(sock "$node") --pidfile $DIR/$node/dockerd.pid \
  --data-root $DIR/$node/data --exec-root $DIR/$node/exec --storage-driver overlay2 \
  --iptables=false --ip-forward=false --ip-masq=false --bridge=none
EOF
}

wait_for() {
  local what=$1; shift
  for _ in $(seq 1 120); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "swarm-lab: timed out waiting for $what" >&2
  return 1
}

network_up() {
  ip netns add "$HUB"
  ip -n "$HUB" link add br0 type bridge
  ip -n "$HUB" link set br0 up
  ip -n "$HUB" link set lo up
  for node in "${NODES[@]}"; do
    ip netns add "$(ns "$node")"
    ip link add "lab-$node" netns "$HUB" type veth peer name eth0 netns "$(ns "$node")"
    ip -n "$HUB" link set "lab-$node" master br0 up
    ip -n "$(ns "$node")" addr add "$(addr "$node")/24" dev eth0
    ip -n "$(ns "$node")" link set eth0 up
    ip -n "$(ns "$node")" link set lo up
  done
}

import_image() {
  "$(dirname "$0")/test-dockerd.sh" busybox-tar | dk "$1" import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
}

up() {
  [ "$(id -u)" = 0 ] || { echo "swarm-lab: needs root" >&2; exit 1; }
  trap 'echo "swarm-lab: up failed; cleaning up" >&2; down' ERR
  down 2>/dev/null
  mkdir -p "$DIR"
  network_up
  for node in "${NODES[@]}"; do
    mkdir -p "$DIR/$node"
    node_entry "$node" > "$DIR/$node/entry.sh"
    setsid nohup ip netns exec "$(ns "$node")" unshare --mount --uts --propagation private \
      sh "$DIR/$node/entry.sh" >"$DIR/$node/dockerd.log" 2>&1 < /dev/null &
  done
  for node in "${NODES[@]}"; do
    wait_for "dockerd on $node (see $DIR/$node/dockerd.log)" dk "$node" info
    import_image "$node"
  done
  # A 1 s dispatcher heartbeat: a dead node is noticed in seconds rather than the default ~15 s.
  dk n1 swarm init --advertise-addr "$(addr n1)" --listen-addr "$(addr n1):2377" --dispatcher-heartbeat 1s >/dev/null
  local token
  token=$(dk n1 swarm join-token -q worker)
  for node in n2 n3; do
    dk "$node" swarm join --token "$token" --advertise-addr "$(addr "$node")" --listen-addr "$(addr "$node"):2377" "$(addr n1):2377" >/dev/null
  done
  wait_for "three ready nodes" sh -c "[ \"\$(docker -H unix://$(sock n1) node ls --format '{{.Status}}' | grep -c Ready)\" = 3 ]"
  trap - ERR
  sock n1
}

# Every process of the node at once, as if its machine lost power.
kill_node() {
  local pids
  pids=$(ip netns pids "$(ns "$1")" 2>/dev/null || true)
  if [ -n "$pids" ]; then kill -9 $pids 2>/dev/null || true; fi
}

down() {
  for node in "${NODES[@]}"; do kill_node "$node"; done
  sleep 0.5
  # Mounts made by the nodes live in their own mount namespaces and end with them; anything of
  # ours still in this namespace (netns bind mounts aside) is unmounted here, deepest first.
  if [ -d "$DIR" ]; then
    { grep -o " $DIR[^ ]*" /proc/mounts || true; } | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  fi
  for node in "${NODES[@]}"; do ip netns del "$(ns "$node")" 2>/dev/null || true; done
  ip netns del "$HUB" 2>/dev/null || true
  rm -rf "$DIR"
}

case "${1:-}" in
  up) up ;;
  kill) kill_node "${2:?usage: $0 kill n1|n2|n3}" ;;
  down) down ;;
  *) echo "usage: $0 up|kill NODE|down" >&2; exit 2 ;;
esac
