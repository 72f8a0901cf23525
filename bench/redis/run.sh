#!/usr/bin/env bash
# Redis store benchmark: (a) plain one-EVAL-per-request token bucket, (b) Sluice without leasing,
# (c) Sluice with leasing, on 1 and 2 nodes, against a real redis-server on loopback (found like
# the tests do: $SLUICE_REDIS_SERVER, redis-server on the PATH, or the embedded-redis jar).
# Prints a markdown table (see docs/benchmarks.md, section "Redis store") and each node's store
# counters (Redis vs leased decisions, local denials, lease grants).
#
# Usage: bench/redis/run.sh [SECONDS_PER_CELL=5] [THREADS_PER_NODE=8] [CLIENT_KEYS=8] [CELLS=abcBC]
#   CELLS: a, b, c = throughput cells (a)/(b)/(c); B, C = saturated (b)/(c). Extra JVM options
#   (e.g. -XX:StartFlightRecording=filename=c.jfr) go in $BENCH_JAVA_OPTS.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=../../bin/find-jdk.sh
. bin/find-jdk.sh
sluice_find_jdk || exit 1
./mvnw -q -B -f sluice-redis/pom.xml test-compile dependency:build-classpath \
  -Dmdep.outputFile="$root/sluice-redis/target/bench.classpath" -Dmdep.includeScope=test
cp="sluice-redis/target/test-classes:sluice-redis/target/classes:$(cat sluice-redis/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "$cp" dev.sluice.redis.RedisBench "${1:-5}" "${2:-8}" "${3:-8}" "${4:-abcBC}" 2>/dev/null
