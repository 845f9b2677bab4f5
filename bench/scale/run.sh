#!/bin/sh
# The scale envelope of issue 22 in one run: builds the server jar and the bench module, then starts the real server
# jar (embedded PostgreSQL and agent, as installed) and prints one table with the core count: idle RSS, warm start,
# E synthetic engines of P workloads (first sync, no-change resync, RSS), list/page/search p99, freshness of
# engine-side changes on a pushing synthetic engine, the agent and dockerd with C live-stream clients, three replicas
# on the first one's PostgreSQL (lease spread, list throughput 3 vs 1), and the jar's size.
#   bench/scale/run.sh                                   # 50 x 20,000 = 1,000,000 workloads, 1,000 stream clients
#   bench/scale/run.sh --engines 5 --per-engine 2000     # smaller; also --stream-clients C --changes K --resyncs R
# dockerd is used when its Swarm is active with the test image (sudo scripts/swarm-test-env.sh); otherwise its rows say
# it is absent. The bench's Swarm service (replicas 0) is labelled io.gantry.bench=scale and removed at the end.
# Set MAVEN_OPTS (e.g. -Dmaven.repo.local=...) for the build, or SKIP_BUILD=1 to reuse the jars already built.
set -e
cd "$(dirname "$0")/../.."
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker
if command -v "$DOCKER" >/dev/null 2>&1; then
  # leftovers of an interrupted run
  "$DOCKER" service ls -q --filter label=io.gantry.bench=scale 2>/dev/null | xargs -r "$DOCKER" service rm >/dev/null || true
fi
[ -n "$SKIP_BUILD" ] || ./mvnw -B -q -DskipTests package -pl backend,bench -am
echo "nproc: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# the server runs with the JVM options of the README's scripts/run (not its class data sharing archive, which is
# made for the plain jar: the bench adds its synthetic engine to the class path); SERVER_JAVA_OPTS to change them
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS-$(sed -n 's/^JAVA_OPTS=${JAVA_OPTS-"\(.*\)"}$/\1/p' scripts/run)}
echo "server JVM options: $SERVER_JAVA_OPTS"
# the servers start from scripts/run's extracted layout with its class data sharing archive, as a user's does
RUN_DIR=backend/target/run
GANTRY_RUN_DIR=$RUN_DIR JAVA_OPTS="$SERVER_JAVA_OPTS" scripts/run --prepare
exec java "-Dbench.serverJavaOpts=$SERVER_JAVA_OPTS" "-Dbench.serverRunDir=$RUN_DIR" -cp bench/target/gantry-bench-0.1.0-SNAPSHOT.jar io.gantry.bench.ScaleBench \
  backend/target/gantry-backend-0.1.0-SNAPSHOT.jar bench/target/gantry-bench-0.1.0-SNAPSHOT.jar "$@"
