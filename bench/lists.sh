#!/bin/sh
# Lists at scale (issue 22): the workloads list, the UI's workloads page and GET /api/v1/search, p50/p99 at
# 1,000,000 workloads on 50 engines, loaded straight into the real server's embedded PostgreSQL (needs `psql` on
# PATH), printed as a table with the core count, target and PASS/FAIL. About 10 minutes on 2 cores.
#   bench/lists.sh             # 1,000,000 workloads
#   bench/lists.sh 100000      # another size
#   bench/lists.sh 1000000 search   # only the rows whose names match a regex
set -e
cd "$(dirname "$0")/.."
command -v psql >/dev/null || { echo "bench/lists.sh needs the psql client (Debian: postgresql-client)" >&2; exit 1; }
./mvnw -B -q -DskipTests package -pl backend,bench -am
exec java -cp bench/target/gantry-bench-0.1.0-SNAPSHOT.jar io.gantry.bench.ListsBench \
  backend/target/gantry-backend-0.1.0-SNAPSHOT.jar bench/target/gantry-bench-0.1.0-SNAPSHOT.jar "$@"
