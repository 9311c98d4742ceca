#!/bin/sh
# Dialogue benchmark (not a test): turns per second and latency of POST /webhooks/rest/webhook on
# the example bot (examples/bot; `/greet` answered by a rule: no custom action), next to nginx
# returning the same bytes as a static answer. Everything runs on 127.0.0.1 in a `mktemp -d`
# directory; processes started here are stopped on exit.
#   set-up: `convo model build examples/bot`, `convo serve --model` on a free port with a SQLite
#           store; nginx serving a file holding convo's exact answer to one turn (checked with cmp).
#   timed:  wrk (THREADS 2, CONNECTIONS 32, DURATION 10s, after a 2 s warm-up) POSTing
#           {"sender": "<one of NSENDERS>", "message": "/greet"} to convo (bench/dialogue/turn.lua
#           cycles over NSENDERS conversations) and the same POST to nginx.
# Prints requests/s, p50/p99 latency (ms), the convo/nginx ratio, and one JSON line last.
# Run from the repository root after `make build`. Needs wrk, nginx, curl
# (Debian: apt-get install wrk nginx-light curl). Environment: BUILD_DIR, THREADS, CONNECTIONS,
# DURATION, NSENDERS (256).
set -eu
BUILD_DIR=${BUILD_DIR:-build}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
NSENDERS=${NSENDERS:-256}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/lib.sh"
convo="$root/$BUILD_DIR/apps/convo/convo"
[ -x "$convo" ] || { echo "run.sh: $convo not found: run 'make build' first" >&2; exit 1; }
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
for tool in wrk curl "$NGINX"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (apt-get install wrk nginx-light curl)" >&2; exit 1; }
done
tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers run as another user
convo_pid=""
nginx_pid=""
cleanup() { stop "$convo_pid"; stop "$nginx_pid"; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$convo" model build "$root/examples/bot" -o "$tmp/models" --name bot.tar.gz --format json >/dev/null
cport=$(free_port)
"$convo" serve --enable-api -i 127.0.0.1 -p "$cport" --model "$tmp/models" --store "${STORE:-sqlite:///$tmp/bench.db}" --log-level warn >"$tmp/convo.log" 2>&1 &
convo_pid=$!
"$convo" status --url "http://127.0.0.1:$cport" --wait 10s >/dev/null 2>&1 || true
curl -s "http://127.0.0.1:$cport/webhooks/rest/webhook" -d '{"sender": "probe", "message": "/greet"}' >"$tmp/answer.json"
# Both variations of utter_greet have their own text; nginx serves one of the same size class.
mkdir -p "$tmp/www/webhooks/rest"
cp "$tmp/answer.json" "$tmp/www/webhooks/rest/webhook"
nport=$(free_port)
cat >"$tmp/nginx.conf" <<NGX
daemon off;
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
    location / { default_type application/json; error_page 405 =200 \$uri; }
  }
}
NGX
"$NGINX" -c "$tmp/nginx.conf" >/dev/null 2>&1 &
nginx_pid=$!
i=0
while [ $i -lt 50 ] && ! curl -s -o /dev/null "http://127.0.0.1:$nport/"; do sleep 0.1; i=$((i + 1)); done
curl -s -X POST "http://127.0.0.1:$nport/webhooks/rest/webhook" -d '{}' | cmp -s - "$tmp/answer.json" ||
  { echo "run.sh: nginx does not serve the same bytes: $(curl -s -X POST "http://127.0.0.1:$nport/webhooks/rest/webhook" -d "{}" | head -c 200) vs $(head -c 200 "$tmp/answer.json")" >&2; cat "$tmp/nginx.err" >&2; exit 1; }

run_wrk() {  # URL LABEL
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$here/turn.lua" "$1" >/dev/null 2>&1 || true
  NSENDERS=$NSENDERS wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$here/turn.lua" "$1" >"$tmp/$2.wrk"
}
NSENDERS=$NSENDERS run_wrk "http://127.0.0.1:$cport/webhooks/rest/webhook" convo
NSENDERS=$NSENDERS run_wrk "http://127.0.0.1:$nport/webhooks/rest/webhook" nginx
rps() { awk '/Requests\/sec/ {print $2}' "$tmp/$1.wrk"; }
lat() { awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$tmp/$1.wrk"; }
errs() { awk '/Non-2xx|Socket errors/ {print}' "$tmp/$1.wrk" | tr '\n' ' '; }
c=$(rps convo); n=$(rps nginx)
ratio=$(awk -v a="$c" -v b="$n" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
printf '%-8s %12s %10s %10s %s\n' server "turns/s" "p50 ms" "p99 ms" errors
printf '%-8s %12s %10s %10s %s\n' convo "$c" "$(lat convo 50%)" "$(lat convo 99%)" "$(errs convo)"
printf '%-8s %12s %10s %10s %s\n' nginx "$n" "$(lat nginx 50%)" "$(lat nginx 99%)" "$(errs nginx)"
echo "convo/nginx: $ratio"
printf '{"convo_rps": %s, "nginx_rps": %s, "ratio": %s, "convo_p50_ms": %s, "convo_p99_ms": %s}\n' \
  "$c" "$n" "$ratio" "$(lat convo 50%)" "$(lat convo 99%)"
