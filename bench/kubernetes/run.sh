#!/bin/sh
# Full-sync benchmark of the Kubernetes adapter (issue 5: under 5 s and 300 MB heap; issue 15: a resync from the
# informers' cache under 100 ms): fabric8's mock API server (the emulator in adapters/kubernetes/src/test) holds
# 2,000 Deployments with their ReplicaSets and 6,000 pods; the bench times the first listWorkloads() of a new
# client (its informers list everything), then the resync (the same call again, read from their cache), and prints
# a table with the core count (nproc) and the heap; the load average is printed first.
# Usage (from anywhere): bench/kubernetes/run.sh [-o] [-Dbench.deployments=N] [-Dbench.podsPer=N]
set -e
cd "$(dirname "$0")/../.."
echo "nproc: $(nproc)"
uptime
exec ./mvnw -B -q -pl adapters/kubernetes -am test -Dtest=FullSyncBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine=-Xmx512m "$@"
