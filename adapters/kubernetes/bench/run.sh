#!/bin/sh
# Full-sync benchmark of the Kubernetes adapter against fabric8's mock API server:
# loads 2,000 Deployments (+ ReplicaSets) with 6,000 pods, then times listWorkloads() and prints heap use.
# Usage (from the repository root): adapters/kubernetes/bench/run.sh [-Dbench.deployments=N] [-Dbench.podsPer=N]
set -e
cd "$(dirname "$0")/../../.."
exec ./mvnw -B -q -pl adapters/kubernetes test -Dtest=FullSyncBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine=-Xmx512m "$@"
