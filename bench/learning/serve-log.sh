#!/usr/bin/env bash
# Produces a request log from `sluice serve` under real traffic and trains the token regression on
# it (issue 14's "MAE in tokens for a 10 s window on a request log produced by sluice serve"):
#   1. an nginx upstream on 127.0.0.1:18181 answering `return 200`;
#   2. `sluice serve` on 127.0.0.1:18180 (admin 19190) with a per-client limit and a global rate,
#      writing its request log;
#   3. wrk with Zipf-distributed client ids (bench/learning/zipf.lua) in PHASES phases of
#      PHASE_SECONDS each, the think time changing from phase to phase so demand moves;
#   4. `sluice train` on the log, then `sluice evaluate` of the active model on the same log.
# Loopback only; stops everything it started. Needs wrk and nginx (apt-get install -y wrk nginx).
# Usage: bench/learning/serve-log.sh [OUT_DIR]   (default: a new temporary directory)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
phase_seconds="${PHASE_SECONDS:-30}"
pauses=(${PAUSES:-20 5 10 40 5 15 30 8})
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "serve-log: $tool is missing (apt-get install -y wrk nginx)" >&2; exit 2; }
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$out/nginx/logs"
cat > "$out/nginx/nginx.conf" <<NGINX
worker_processes 1;
error_log $out/nginx/logs/error.log warn;
pid $out/nginx/nginx.pid;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $out/nginx/body;
  proxy_temp_path $out/nginx/proxy;
  fastcgi_temp_path $out/nginx/fastcgi;
  uwsgi_temp_path $out/nginx/uwsgi;
  scgi_temp_path $out/nginx/scgi;
  server { listen 127.0.0.1:18181; location / { return 200 "ok\n"; } }
}
NGINX
nginx -p "$out/nginx" -c "$out/nginx/nginx.conf" & pids+=($!)

cat > "$out/sluice.yaml" <<YAML
server: {bind: 127.0.0.1, port: 18180, admin-port: 19190}
upstream: {url: http://127.0.0.1:18181}
identity: {client-header: X-Client-ID}
tiers:
  standard:
    per-client: {burst: 20, rate: 15/s}
global: {burst: 400, rate: 1200/s}
YAML
rm -f "$out/requests.jsonl"
"$root/sluice" --version >/dev/null   # builds the runnable jar first if the sources changed
"$root/sluice" serve --config "$out/sluice.yaml" --request-log "$out/requests.jsonl" --request-log-max-size 4g > "$out/serve.log" 2>&1 & pids+=($!)
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null http://127.0.0.1:19190/healthz 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null http://127.0.0.1:19190/healthz || { echo "serve-log: sluice serve did not start; see $out/serve.log" >&2; exit 1; }

i=0
for p in "${pauses[@]}"; do
  i=$((i + 1))
  echo "serve-log: phase $i/${#pauses[@]}: think time ${p} ms for ${phase_seconds} s" >&2
  WRK_PAUSE_MS="$p" WRK_SEED="$i" wrk -t2 -c32 -d"${phase_seconds}s" -s "$root/bench/learning/zipf.lua" \
    http://127.0.0.1:18180/ > "$out/wrk-$i.txt" 2>&1
  grep -q "Requests/sec" "$out/wrk-$i.txt" || { echo "serve-log: wrk failed:" >&2; cat "$out/wrk-$i.txt" >&2; exit 1; }
done
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
echo "serve-log: $(wc -l < "$out/requests.jsonl") log lines in $out/requests.jsonl" >&2
"$root/sluice" train --logs "$out/requests.jsonl" --out "$out/models" --model all | tee "$out/train.txt"
