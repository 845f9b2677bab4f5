#!/bin/sh
# Full-sync benchmark of the Kubernetes adapter (issue 5, target under 5 s and under 300 MB heap): fabric8's mock
# API server (the emulator in adapters/kubernetes/src/test) holds 2,000 Deployments with their ReplicaSets and
# 6,000 pods; the bench times listWorkloads() and prints a table with the core count (nproc) and the heap.
# Usage (from anywhere): bench/kubernetes/run.sh [-Dbench.deployments=N] [-Dbench.podsPer=N]
set -e
cd "$(dirname "$0")/../.."
echo "nproc: $(nproc)"
exec ./mvnw -B -q -pl adapters/kubernetes test -Dtest=FullSyncBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine=-Xmx512m "$@"
