#!/bin/sh
# List endpoint p99 and throughput with 1, 2 and 3 replicas on one PostgreSQL (issue 9): builds the
# server jar and this module, then runs ReplicaScalingBench and prints a table with the core count.
#   bench/scaling.sh                      # 10,000 workloads, 16 clients x 200 calls
#   bench/scaling.sh 10000 32 300         # workloads, clients, calls per client
set -e
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests package -pl backend,bench -am
exec java -cp bench/target/gantry-bench-0.1.0-SNAPSHOT.jar io.gantry.bench.ReplicaScalingBench \
  backend/target/gantry-backend-0.1.0-SNAPSHOT.jar bench/target/gantry-bench-0.1.0-SNAPSHOT.jar "$@"
