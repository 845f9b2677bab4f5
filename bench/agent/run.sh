#!/bin/sh
# Start-latency benchmark of the node agent (issue 3; targets: raw runtime p50 under 20 ms and at least
# 10x faster than docker run, runc runtime p50 under 150 ms): packages the daemon jar, starts it as
# operators do, times 200 raw tasks and ~50 runc tasks from the gRPC Create call to RUNNING and to the
# task's first output, beside `runc run -d` of the same bundle and `docker run --rm`, and prints a table
# with nproc, the ratios and the agent's RSS idle and with 100 tasks.
# runc rows need root, runc and busybox-static; the docker row a running dockerd with the image
# gantry-test/busybox:1 (sudo bash scripts/swarm-test-env.sh); what is missing is skipped with a reason.
# Usage (from anywhere): bench/agent/run.sh [-Dbench.rawTasks=N] [-Dbench.runcTasks=N] [-Dbench.dockerRuns=N]
set -e
cd "$(dirname "$0")/../.."
exec ./mvnw -B -q -pl adapters/agent -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=StartLatencyBench -Dit.failIfNoSpecifiedTests=false "$@"
