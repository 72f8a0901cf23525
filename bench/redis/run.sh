#!/usr/bin/env bash
# Redis store benchmark: (a) plain one-EVAL-per-request token bucket, (b) Sluice without leasing,
# (c) Sluice with leasing, on 1 and 2 nodes (saturated cells also on 3); the cold-client group (d):
# 10^4 client keys and many driver threads, plain EVAL against Sluice without leasing, one call per
# decision and batched; and cells on a 3-master Cluster without and with 3 aggregate shards (k, K).
# Sluice cells run with batching on (the default) unless their name says "unbatched".
# Runs a real redis-server on loopback (found like the tests do: $SLUICE_REDIS_SERVER,
# redis-server on the PATH, or the embedded-redis jar). Prints a markdown table (see
# docs/benchmarks.md, section "Redis store") and each node's store counters (Redis vs leased
# decisions, local denials, lease grants, batch calls).
#
# Usage: bench/redis/run.sh [SECONDS_PER_CELL=5] [THREADS_PER_NODE=8] [CLIENT_KEYS=8] [CELLS=abcBC] [COLD_THREADS=64]
#   CELLS: a, b, c = throughput cells (a)/(b)/(c); B, C = saturated (b)/(c); d = the cold-client
#   group (10^4 keys, COLD_THREADS driver threads per node); k, K = throughput (b)/(c) and saturated
#   (c) on a 3-master Cluster, one slot vs 3 aggregate shards; e = of d only plain EVAL and batched
#   Sluice; f = those two driven asynchronously (COLD_THREADS decisions in flight per node, each issued
#   from the completion of the one before, no thread per request). Extra JVM options
#   (e.g. -XX:StartFlightRecording=filename=c.jfr, -Xlog:gc*,safepoint:file=gc.log,
#   -Dsluice.bench.batchesInFlight=2 for pipelined batch calls, or -Dsluice.bench.nodes=1 to run one
#   node count only) go in $BENCH_JAVA_OPTS.
#
# Works from a fresh clone: builds sluice-redis and the modules it needs in this checkout's target/
# folders (reactor build from the root, nothing installed into ~/.m2); Maven downloads what the
# local repository lacks.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=../../bin/find-jdk.sh
. bin/find-jdk.sh
sluice_find_jdk || exit 1
# -am: sluice-core and sluice-testkit come from this checkout, never from an older install in ~/.m2.
# Every module of the reactor writes the classpath file; sluice-redis comes last, so its list stays.
./mvnw -q -B -pl sluice-redis -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$root/sluice-redis/target/bench.classpath" -Dmdep.includeScope=test
cp="sluice-redis/target/test-classes:sluice-redis/target/classes:$(cat sluice-redis/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "$cp" dev.sluice.redis.RedisBench "${1:-5}" "${2:-8}" "${3:-8}" "${4:-abcBC}" "${5:-64}" 2>/dev/null
