#!/bin/sh
# Sync + list benchmark of the Gantry server (issue 2): builds the server jar and this module,
# then starts the real server per size on a fresh embedded PostgreSQL, registers a synthetic
# engine of N workloads, and prints a table.
#   bench/run.sh               # N = 10,000 and 100,000
#   bench/run.sh 5000          # other sizes
set -e
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests package -pl backend,bench -am
[ $# -gt 0 ] || set -- 10000 100000
exec java -cp bench/target/gantry-bench-0.1.0-SNAPSHOT.jar io.gantry.bench.SyncBench \
  backend/target/gantry-backend-0.1.0-SNAPSHOT.jar bench/target/gantry-bench-0.1.0-SNAPSHOT.jar "$@"
