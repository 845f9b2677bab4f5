#!/bin/sh
# Full-sync benchmark of the Marathon adapter (issue 6, target under 3 s): the stateful test Marathon
# (adapters/marathon/src/test) serves 1,000 Docker apps with 5,000 running, health-checked tasks; the bench
# times listWorkloads() twice and prints a table with the core count (nproc).
# Usage (from anywhere): bench/marathon/run.sh
set -e
cd "$(dirname "$0")/../.."
echo "nproc: $(nproc)"
exec ./mvnw -B -q -pl adapters/marathon -am test -Dtest=MarathonFullSyncBench -Dsurefire.failIfNoSpecifiedTests=false
