#!/usr/bin/env bash
# Brings up the real Docker Swarm the swarm adapter's integration tests (and .ci/run) use:
#   1. installs docker.io and busybox-static from Debian when absent,
#   2. starts dockerd in the background when it does not answer (log: $GANTRY_DOCKERD_LOG),
#   3. makes this daemon a single-node swarm manager (advertise 127.0.0.1),
#   4. imports the image gantry-test/busybox:1 (a rootfs of static busybox and its applets).
# Idempotent: every step checks first and does nothing when already done. Needs root. Tests never run it:
# they skip (or fail under CI=true) when the swarm is not there.
set -euo pipefail

IMAGE="gantry-test/busybox:1"
DOCKERD_LOG="${GANTRY_DOCKERD_LOG:-/var/log/gantry-dockerd.log}"
DOCKERD_WAIT_SECONDS="${GANTRY_DOCKERD_WAIT_SECONDS:-60}"
APT_LOCK_WAIT_SECONDS="${GANTRY_APT_LOCK_WAIT_SECONDS:-300}"

log() { echo "swarm-test-env: $*" >&2; }

# Another process (e.g. a parallel build) may hold the dpkg/apt lock: retry until it is free.
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_WAIT_SECONDS)) out
  while true; do
    if out=$(DEBIAN_FRONTEND=noninteractive apt-get "$@" 2>&1); then
      return 0
    fi
    if grep -qiE 'could not get lock|unable to acquire|lock-frontend|dpkg was interrupted' <<<"$out" \
        && ((SECONDS < deadline)); then
      log "apt/dpkg lock held, retrying apt-get $1"
      sleep 5
      continue
    fi
    echo "$out" >&2
    return 1
  done
}

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${missing[@]}"
fi

# Prefer Debian's client, which matches the daemon's API version.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)

if ! "$DOCKER" info >/dev/null 2>&1; then
  log "starting dockerd (log: $DOCKERD_LOG)"
  nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  deadline=$((SECONDS + DOCKERD_WAIT_SECONDS))
  until "$DOCKER" info >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "dockerd did not answer within ${DOCKERD_WAIT_SECONDS}s; last log lines:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 1
  done
fi

if [ "$("$DOCKER" info --format '{{.Swarm.ControlAvailable}}')" != "true" ]; then
  log "initialising a single-node swarm"
  "$DOCKER" swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

if ! "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  log "importing $IMAGE"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/www"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo "gantry" >"$rootfs/www/index.html"
  tar -C "$rootfs" -c . | "$DOCKER" import - "$IMAGE" >/dev/null
fi

log "ready: $("$DOCKER" info --format 'swarm {{.Swarm.LocalNodeState}}, manager {{.Swarm.ControlAvailable}}, server {{.ServerVersion}}')"
