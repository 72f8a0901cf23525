#!/usr/bin/env bash
# Cost of one batch.lua call in Redis alone (no JVM): a batch of DECISIONS cold-client decisions
# (random client keys out of 10^4, one tier and the global level, as in RedisBench's cold group,
# an injected-clock now so redis-benchmark can pass every argument) sent CALLS times by
# redis-benchmark over one connection. Prints Redis's script time per call and per decision, its
# inner SET and MGET time (INFO commandstats) and the server's CPU per call.
#
# Usage: bench/redis/lua-cost.sh [DECISIONS=30] [CALLS=10000] [SCRIPT=sluice-redis/.../batch.lua]
#   FORMAT in the environment picks the argument format of older scripts: 1 = the first batch.lua
#   (git be72e23 and before: per decision now, cost, level count and a key/limit pair per level),
#   2 = shapes, four arguments per decision (git 363ae26 and before, back to 8173c10); e.g.
#   FORMAT=1 bench/redis/lua-cost.sh 30 10000 <(git show be72e23:sluice-redis/src/main/resources/dev/sluice/redis/batch.lua)
#   The current format (3) uses Redis TIME, as production does; formats 1 and 2 pass a fixed now.
# Needs redis-server, redis-cli and redis-benchmark on the PATH; starts its own server on a free
# loopback port and stops it at the end.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
decisions=${1:-30}
calls=${2:-10000}
script=${3:-$root/sluice-redis/src/main/resources/dev/sluice/redis/batch.lua}
for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" > /dev/null || { echo "lua-cost: $tool not on the PATH" >&2; exit 1; }
done
[[ "$decisions" =~ ^[1-9][0-9]*$ && "$calls" =~ ^[1-9][0-9]*$ ]] || { echo "lua-cost: DECISIONS and CALLS must be positive integers" >&2; exit 2; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'redis-cli -p "$port" shutdown nosave > /dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping > /dev/null 2>&1 && break; sleep 0.1; done
sha=$(redis-cli -p "$port" script load "$(cat "$script")")

# KEYS: the clients (redis-benchmark draws each __rand_int__ anew), the tier, the global bucket.
# ARGV: units per ms, slack, 3 limits, 1 shape, the decisions; limits 10^7/s client and tier,
# 10^8/s global (1 µs intervals); the shape: 3 levels, client limit 1, tier key/limit, global key/limit.
args=("$((decisions + 2))")
for i in $(seq "$decisions"); do args+=("{b}:v1:c:1:t:client-__rand_int__"); done
tier=$((decisions + 1))
global=$((decisions + 2))
case "${FORMAT:-3}" in
  1)
    args+=("{b}:v1:t:t" "{b}:v1:g" 1000 1 3 "$decisions" 10000000 1 10000000 1 100000000 1)
    for i in $(seq "$decisions"); do args+=(1700000000000000 1 3 "$i" 1 "$tier" 2 "$global" 3); done ;;
  2)
    args+=("{b}:v1:t:t" "{b}:v1:g" 1000 1 3 1 "$decisions" 10000000 1 10000000 1 100000000 1 3 1 "$tier" 2 "$global" 3)
    for i in $(seq "$decisions"); do args+=(1700000000000000 1 1 "$i"); done ;;
  *)
    args+=("{b}:v1:t:t" "{b}:v1:g" 1000 1 3 1 "$decisions" T 10000000 1 10000000 1 100000000 1 3 1 "$tier" 2 "$global" 3)
    for i in $(seq "$decisions"); do args+=(1 1 "$i"); done ;;
esac

cpu() { redis-cli -p "$port" info cpu | awk -F: '/used_cpu_(user|sys):/ { s += $2 } END { printf "%.6f", s }'; }
redis-cli -p "$port" config resetstat > /dev/null
c0=$(cpu)
redis-benchmark -p "$port" -n "$calls" -c 1 -r 10000 -q evalsha "$sha" "${args[@]}" > "$dir/bench.out" 2>&1
c1=$(cpu)
stats=$(redis-cli -p "$port" info commandstats | tr -d '\r')
usec() { echo "$stats" | grep "^cmdstat_$1:" | sed 's/.*usec=\([0-9]*\),.*/\1/'; }
failed=$(echo "$stats" | grep "^cmdstat_evalsha:" | sed 's/.*failed_calls=\([0-9]*\).*/\1/')
[ "${failed:-0}" = 0 ] || { echo "lua-cost: $failed script calls failed:" >&2; tail -c 400 "$dir/bench.out" >&2; exit 1; }
awk -v e="$(usec evalsha)" -v s="$(usec set)" -v m="$(usec mget)" -v g="$(usec get)" -v n="$calls" -v d="$decisions" \
  -v c0="$c0" -v c1="$c1" 'BEGIN {
    printf "batch of %d decisions, %d calls: script %.1f us per call (%.2f per decision), of which SET %.1f, MGET %.1f, GET %.1f us per call; redis-server CPU %.1f us per call\n",
      d, n, e / n, e / n / d, s / n, m / n, g / n, (c1 - c0) * 1e6 / n }'
