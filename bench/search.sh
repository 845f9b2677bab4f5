#!/bin/sh
# Search benchmark (issue 20): GET /api/v1/search p50/p99 at N synthetic workloads in the real server jar on a fresh
# embedded PostgreSQL, one row per way of matching, printed as a table with the core count.
#   bench/search.sh               # N = 10,000 and 100,000
#   bench/search.sh 5000          # other sizes
set -e
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests package -pl backend,bench -am
[ $# -gt 0 ] || set -- 10000 100000
exec java -cp bench/target/gantry-bench-0.1.0-SNAPSHOT.jar io.gantry.bench.SearchBench \
  backend/target/gantry-backend-0.1.0-SNAPSHOT.jar bench/target/gantry-bench-0.1.0-SNAPSHOT.jar "$@"
