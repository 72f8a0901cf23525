#!/usr/bin/env bash
# Edge-server benchmark: Sluice against nginx, same machine, same wrk load, same run.
#
#   bench/wrk/run.sh            # about 2 minutes; prints a table, writes bench/results/wrk-*.txt
#
# Everything binds 127.0.0.1. Ports 18081 (nginx: the upstream, answering `return 200` directly),
# 18082 (nginx: proxy_pass + limit_req in front of 18081), 18080/18090 (Sluice edge/admin, proxying
# to 18081 and serving /v1/decisions). Installs wrk and nginx with apt when missing.
# Env: DURATION (default 8s), CONNECTIONS (64), THREADS (2), LIGHT_CONNECTIONS (4).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
LIGHT=${LIGHT_CONNECTIONS:-4}

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  echo "bench: installing wrk and nginx with apt" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  limit_req_zone \$http_x_client_id zone=clients:20m rate=100000r/s;
  upstream api { server 127.0.0.1:18081; keepalive 64; }
  server {
    listen 127.0.0.1:18081;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:18082;
    location / {
      limit_req zone=clients burst=100000 nodelay;
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)

cat > "$work/sluice.yaml" <<YAML
server: { bind: 127.0.0.1, port: 18080, admin-bind: 127.0.0.1, admin-port: 18090, admin-token: bench }
upstream: { url: "http://127.0.0.1:18081", timeout: 10s }
tiers:
  bench:
    per-client: { burst: 1000000, rate: 1000000/s }
YAML
export SLUICE_JAVA_OPTS=${SLUICE_JAVA_OPTS:-"-Xms1g -Xmx1g"}
# Run the built jar as it is (./sluice would rebuild it when any module's sources are newer).
[ -f sluice-cli/target/sluice.jar ] || ./sluice --version >/dev/null
. bin/find-jdk.sh && sluice_find_jdk
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $SLUICE_JAVA_OPTS -jar sluice-cli/target/sluice.jar serve --config "$work/sluice.yaml" \
  --watch-interval 0 > "$work/sluice.log" 2> "$work/sluice.err" &
pids+=($!)
for _ in $(seq 1 300); do
  curl -sf http://127.0.0.1:18090/healthz >/dev/null 2>&1 && curl -sf http://127.0.0.1:18081/ >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf http://127.0.0.1:18090/healthz >/dev/null || { cat "$work/sluice.err" >&2; exit 1; }

run() { # name url script connections
  local out
  out=$(wrk -t"$THREADS" -c"$4" -d"$DURATION" --latency -s "bench/wrk/$3" "$2")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
  printf '%-34s %10s req/s  p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-}"
}

echo "bench: warming Sluice up (JIT) for 10 s" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/wrk/decision.lua http://127.0.0.1:18080 >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/wrk/rotate.lua http://127.0.0.1:18080 >/dev/null

mkdir -p bench/results
result="bench/results/wrk-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -r); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) $SLUICE_JAVA_OPTS; nginx: $(nginx -v 2>&1 | cut -d/ -f2); wrk -t$THREADS -d$DURATION, 10,000 rotating client ids"
  echo
  run "nginx return 200 (c$CONNECTIONS)"          http://127.0.0.1:18081 rotate.lua "$CONNECTIONS"
  run "sluice /v1/decisions (c$CONNECTIONS)"      http://127.0.0.1:18080 decision.lua "$CONNECTIONS"
  run "nginx proxy+limit_req (c$CONNECTIONS)"     http://127.0.0.1:18082 rotate.lua "$CONNECTIONS"
  run "sluice proxy (c$CONNECTIONS)"              http://127.0.0.1:18080 rotate.lua "$CONNECTIONS"
  run "nginx return 200 (c$LIGHT)"                http://127.0.0.1:18081 rotate.lua "$LIGHT"
  run "nginx proxy+limit_req (c$LIGHT)"           http://127.0.0.1:18082 rotate.lua "$LIGHT"
  run "sluice proxy (c$LIGHT)"                    http://127.0.0.1:18080 rotate.lua "$LIGHT"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$result"
echo "bench: results in $result" >&2
