#!/usr/bin/env bash
# Runs the in-process decision benchmarks (sluice-bench DecisionBenchmark) for 1 and 2 threads
# with -prof gc, writes JMH JSON and a markdown table to bench/results/, and prints the table.
#
# Environment:
#   JMH_QUICK=1        smoke test: 1 short warmup and 1 short measurement iteration per cell
#   JMH_THREADS="1 2"  thread counts, one JMH invocation each
#   JMH_FILTER=REGEX   benchmarks to run (default: DecisionBenchmark)
#   JMH_ARGS="..."     extra JMH arguments, e.g. "-p keys=hot"
#   JMH_SKIP_BUILD=1   reuse sluice-bench/target/benchmarks.jar
#   JMH_OUT=DIR        results directory (default: bench/results)
#   JMH_ALLOC_GATE=0   do not fail when an allocation-free Sluice benchmark allocates
#
# Exits non-zero (after writing the table) when DecisionBenchmark.sluice or .sluiceHierarchy
# reports >= 0.5 B/op under -prof gc (bench/jmh_alloc_gate.py), so 0 B/op cannot regress silently.
#
# Full run: 5 implementations x 2 key sets x 2 loads x 2 thread counts = 40 forks of
# 2 x 1 s warmup + 4 x 1 s measurement, plus JVM start and setup (prefilling 10^6 keys per lane
# takes a few seconds in the zipf cells): about 7 minutes on a 2-core machine.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=../bin/find-jdk.sh
. bin/find-jdk.sh
sluice_find_jdk || exit 1

if [ "${JMH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -q -B -pl sluice-core,sluice-bench -am package -DskipTests
fi

if [ "${JMH_QUICK:-0}" = 1 ]; then
  timing="-wi 1 -w 500ms -i 1 -r 500ms"
else
  timing="-wi 2 -w 1s -i 4 -r 1s"
fi
threads=${JMH_THREADS:-1 2}
filter=${JMH_FILTER:-DecisionBenchmark}
out=${JMH_OUT:-bench/results}
stamp=$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$out"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
jdk=$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- sluice-core sluice-bench 2>/dev/null | wc -l | tr -d ' ')
core_sha=$(find sluice-core/src/main -type f -name '*.java' | LC_ALL=C sort | xargs cat | sha1sum | cut -c1-12)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

jsons=()
commands=()
for t in $threads; do
  json="$out/jmh-$stamp-t$t.json"
  # shellcheck disable=SC2086  # timing and JMH_ARGS are word lists on purpose
  set -- "$JAVA_HOME/bin/java" -jar sluice-bench/target/benchmarks.jar "$filter" \
    $timing -t "$t" -prof gc -rf json -rff "$json" ${JMH_ARGS:-}
  commands+=("$*")
  echo "== $*" >&2
  "$@" >&2
  jsons+=("$json")
done

elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
md="$out/jmh-$stamp.md"
header=$(mktemp)
trap 'rm -f "$header"' EXIT
{
  echo "### JMH run $stamp (UTC)"
  echo
  echo "- machine: $(nproc) CPUs, $cpu; $jdk"
  echo "- code: git $rev, $dirty changed or untracked paths under sluice-core/ and sluice-bench/; sluice-core sources sha1 $core_sha"
  echo "- load average (1/5/15 min) before: $load_before, after: $load_after; JMH time ${elapsed} s"
  for c in "${commands[@]}"; do
    echo "- \`$c\`"
  done
  echo
} > "$header"
python3 bench/jmh_table.py --header "$header" --out "$md" "${jsons[@]}"
echo "wrote $md and ${jsons[*]}" >&2
if [ "${JMH_ALLOC_GATE:-1}" != 0 ]; then
  python3 bench/jmh_alloc_gate.py "${jsons[@]}"
fi
