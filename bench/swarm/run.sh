#!/bin/sh
# Gantry vs `docker service ls` on the real Swarm (issue 4): makes N services (default 500) on this machine's
# dockerd, then starts the real server jar, registers the daemon as a swarm engine and prints a table (with
# nproc): `docker service ls` wall time (median of 7 runs), Gantry's full sync of the engine (7 forced syncs)
# and its list API p50/p99, each with its ratio to `docker service ls`.
# The services run with replicas 0: a sync reads services and tasks, not containers, and 500 running
# containers would swamp this shared 2-core machine. They carry the label io.gantry.bench=swarm and are
# removed at the end, also when the run fails or is interrupted (and leftovers of an earlier run at the start).
# Needs root for scripts/swarm-test-env.sh (dockerd + swarm + image). Usage: bench/swarm/run.sh [N]
set -e
cd "$(dirname "$0")/../.."
N=${1:-500}
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker
LABEL=io.gantry.bench=swarm
IMAGE=gantry-test/busybox:1

cleanup() {
  "$DOCKER" service ls -q --filter "label=$LABEL" | xargs -r "$DOCKER" service rm >/dev/null
}

scripts/swarm-test-env.sh
cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM
./mvnw -B -q -DskipTests package -pl backend,bench -am
echo "creating $N services (replicas 0) ..."
seq 1 "$N" | xargs -P 4 -I{} "$DOCKER" service create -d -q --no-resolve-image --replicas 0 \
  --name "bench-sw-{}" --label "$LABEL" "$IMAGE" sleep 3600 >/dev/null
echo "nproc: $(nproc)"
java -cp bench/target/gantry-bench-0.1.0-SNAPSHOT.jar io.gantry.bench.SwarmSyncBench \
  backend/target/gantry-backend-0.1.0-SNAPSHOT.jar "$N" "$DOCKER"
