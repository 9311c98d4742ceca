#!/bin/sh
# HTTP benchmark (see bench/README.md): `convo serve --enable-api` under wrk, next to nginx serving
# the same bytes as static files. Everything runs on 127.0.0.1 in a `mktemp -d` directory; every
# process started here is stopped again on exit (also on Ctrl-C), and the directory deleted.
#   set-up:  a SQLite store holding conversation "bench" with the 50 events of
#            bench/http/tracker50.json (examples/restaurant_tracker.json from its session_started
#            on, as GET returns only the last session, plus a user message and its featurization),
#            and NCONV (64) conversations bench-post-00 .. 63 holding the same 50 events;
#            `convo serve` on a free port; nginx on another, serving static files whose bytes are
#            those of convo's GET /version and GET /conversations/bench/tracker?include_events=ALL
#            responses (checked with cmp).
#   timed:   wrk (THREADS 2, CONNECTIONS 32, DURATION 10s, after a WARMUP 2s run for the GETs):
#            GET /version on convo and nginx; GET /conversations/bench/tracker?include_events=ALL
#            on convo and nginx (the same path: nginx ignores the query); POST
#            /conversations/{id}/tracker/events of one slot event on convo, cycling over the NCONV
#            conversations (bench/http/post_events.lua), default include_events (AFTER_RESTART,
#            as a Rasa client gets it: each response carries the whole conversation). The POST
#            conversations grow during the run (the table shows by how much), and each POST
#            reloads and returns its whole conversation: its figures depend on DURATION.
# Reports requests/s, latency p50/p90/p99 (wrk --latency, milliseconds), CPU time per request of
# the server (from /proc; convo's process, nginx's master and workers), the convo/nginx ratios
# of the two GETs, a table and one machine-readable JSON line (the last line).
# Run from the repository root after `make build`. Needs wrk, nginx and curl. Environment:
# BUILD_DIR (build), THREADS (2), CONNECTIONS (32), DURATION (10s), WARMUP (2s; 0 for none),
# NCONV (64), NGINX_WORKERS (auto), CONVO_LOG_LEVEL (warn: no access log, as nginx's is off;
# info logs one line per request), AUTH_TOKEN (none; set to run convo with --auth-token and send
# ?token=), NGINX (the nginx binary; default: nginx on PATH, else /usr/sbin/nginx).
set -eu

BUILD_DIR=${BUILD_DIR:-build}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
NCONV=${NCONV:-64}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
CONVO_LOG_LEVEL=${CONVO_LOG_LEVEL:-warn}
AUTH_TOKEN=${AUTH_TOKEN:-}
EVENTS=50

here=$(cd "$(dirname "$0")" && pwd)
EVENTS_FILE=$here/tracker50.json
convo="$BUILD_DIR/apps/convo/convo"
if [ ! -x "$convo" ]; then
  echo "run.sh: $convo not found: run 'make build' first (or set BUILD_DIR)" >&2
  exit 1
fi
case $convo in /*) ;; *) convo="$PWD/$convo" ;; esac
if [ -z "${NGINX:-}" ]; then
  NGINX=$(command -v nginx 2>/dev/null || true)
  [ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
fi
for tool in wrk curl "${NGINX:-nginx}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: $tool not found (Debian: apt-get install wrk curl nginx-light)" >&2
    exit 1
  fi
done
for n in "$THREADS" "$CONNECTIONS" "$NCONV"; do
  case $n in '' | *[!0-9]* | 0) echo "run.sh: THREADS, CONNECTIONS and NCONV must be positive integers" >&2; exit 2 ;; esac
done
if [ "$NCONV" -gt 100 ]; then echo "run.sh: NCONV must be at most 100" >&2; exit 2; fi
case $CONVO_LOG_LEVEL in trace | debug | info | warn | error | off) ;;
  *) echo "run.sh: CONVO_LOG_LEVEL must be trace, debug, info, warn, error or off" >&2; exit 2 ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-http.XXXXXX")
convo_pid=
nginx_pid=
. "$here/../lib.sh"  # stop PID
cleanup() {
  stop "$convo_pid"
  stop "$nginx_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on (httplib sets SO_REUSEPORT, so a busy port does not always fail to
# bind: check /proc/net first), picked at random from 20000..59999. Linux; elsewhere bind decides.
seed=$$
pick_port() {
  while :; do
    seed=$((seed + 1))
    p=$(awk -v s="$seed" 'BEGIN { srand(); x = rand(); srand(s + int(x * 1000003)); print 20000 + int(rand() * 40000) }')
    hex=$(printf '%04X' "$p")
    if [ -r /proc/net/tcp ] &&
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v h=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }'; then
      continue
    fi
    echo "$p"
    return
  done
}
# wait_up URL PID: until URL answers (0), or PID has exited / 10 s passed (1).
wait_up() {
  w_i=0
  while [ "$w_i" -lt 100 ]; do
    if curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
    w_i=$((w_i + 1))
  done
  return 1
}
# cpu_ticks PID...: user+system clock ticks used so far by these processes ("-" without /proc).
cpu_ticks() {
  for c_p in "$@"; do
    [ -r "/proc/$c_p/stat" ] || { echo -; return; }
  done
  for c_p in "$@"; do sed 's/^.*) //' "/proc/$c_p/stat"; done | awk '{ t += $12 + $13 } END { print t + 0 }'
}
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

echo "host: $(nproc 2>/dev/null || echo '?') cores, $(uname -srm), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
if [ "$rev" != '?' ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then rev="$rev+dirty"; fi
nginx_version=$("$NGINX" -v 2>&1 | sed 's/^.*nginx\///')
wrk_version=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')
echo "convo $rev ($convo), nginx $nginx_version, wrk $wrk_version: -t$THREADS -c$CONNECTIONS -d$DURATION"

# --- set-up (untimed) ---------------------------------------------------------------------------
store="sqlite:///$tmp/bench.db"
"$convo" tracker put bench "$EVENTS_FILE" --store "$store" -o json >/dev/null
i=0
while [ "$i" -lt "$NCONV" ]; do
  "$convo" tracker put "bench-post-$(printf %02d "$i")" "$EVENTS_FILE" --store "$store" -o json >/dev/null
  i=$((i + 1))
done

token_args=
query=
if [ -n "$AUTH_TOKEN" ]; then token_args="--auth-token $AUTH_TOKEN"; query="token=$AUTH_TOKEN"; fi
tries=0
while :; do
  convo_port=$(pick_port)
  # shellcheck disable=SC2086
  "$convo" serve --enable-api --interface 127.0.0.1 --port "$convo_port" --store "$store" \
    --log-level "$CONVO_LOG_LEVEL" --log-file "$tmp/convo.log" $token_args &
  convo_pid=$!
  if wait_up "http://127.0.0.1:$convo_port/version" "$convo_pid"; then break; fi
  stop "$convo_pid"
  convo_pid=
  tries=$((tries + 1))
  if [ "$tries" -ge 5 ]; then
    echo "run.sh: convo serve did not start:" >&2
    cat "$tmp/convo.log" >&2
    exit 1
  fi
done
convo_url="http://127.0.0.1:$convo_port"
tracker_path="/conversations/bench/tracker"
tracker_q="include_events=ALL${query:+&$query}"

# The static files: the exact bytes of convo's responses.
mkdir -p "$tmp/nginx/www/conversations/bench" "$tmp/nginx/logs" "$tmp/nginx/temp"
curl -fsS "$convo_url/version" >"$tmp/nginx/www/version"
curl -fsS "$convo_url$tracker_path?$tracker_q" >"$tmp/nginx/www$tracker_path"
curl -fsS "$convo_url$tracker_path?$tracker_q" | cmp -s - "$tmp/nginx/www$tracker_path" ||
  { echo "run.sh: two GETs of the tracker gave different bytes" >&2; exit 1; }
got=$(grep -o '"event":"' "$tmp/nginx/www$tracker_path" | wc -l | tr -d ' ')
if [ "$got" != "$EVENTS" ]; then
  echo "run.sh: the tracker holds $got events, expected $EVENTS" >&2
  exit 1
fi
version_bytes=$(wc -c <"$tmp/nginx/www/version" | tr -d ' ')
tracker_bytes=$(wc -c <"$tmp/nginx/www$tracker_path" | tr -d ' ')

# nginx: its own prefix, config, pid file and temp paths; no access log; in the foreground
# (daemon off) so that $! is its master. As root, its workers run as nobody.
temp_paths=
for m in client_body proxy fastcgi uwsgi scgi; do
  if [ "$m" = client_body ] || ! "$NGINX" -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
    temp_paths="$temp_paths    ${m}_temp_path $tmp/nginx/temp/$m;
"
  fi
done
user_line=
if [ "$(id -u)" = 0 ]; then
  user_line="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
  chmod 755 "$tmp"
  chmod -R a+rX "$tmp/nginx"
fi
tries=0
while :; do
  nginx_port=$(pick_port)
  cat >"$tmp/nginx/nginx.conf" <<EOF
$user_line
daemon off;
worker_processes $NGINX_WORKERS;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
$temp_paths    default_type application/json;
    sendfile on;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/nginx/www;
        location / { try_files \$uri =404; }
    }
}
EOF
  "$NGINX" -p "$tmp/nginx/" -e "$tmp/nginx/logs/error.log" -c "$tmp/nginx/nginx.conf" &
  nginx_pid=$!
  if wait_up "http://127.0.0.1:$nginx_port/version" "$nginx_pid"; then break; fi
  stop "$nginx_pid"
  nginx_pid=
  tries=$((tries + 1))
  if [ "$tries" -ge 5 ]; then
    echo "run.sh: nginx did not start:" >&2
    cat "$tmp/nginx/logs/error.log" >&2
    exit 1
  fi
done
nginx_url="http://127.0.0.1:$nginx_port"
for f in /version "$tracker_path"; do
  curl -fsS "$nginx_url$f" | cmp -s - "$tmp/nginx/www$f" ||
    { echo "run.sh: nginx does not serve $f as convo's bytes" >&2; exit 1; }
done
sleep 0.2  # the workers are up once the first request is answered; let the master settle
nginx_pids="$nginx_pid $(ps -o pid= --ppid "$nginx_pid" 2>/dev/null | tr '\n' ' ')"

# --- timed --------------------------------------------------------------------------------------
: >"$tmp/results"
# bench NAME PIDS URL [SCRIPT [ARGS...]]: wrk against URL (after a warm-up run for GETs); appends
# "NAME requests duration_us bytes p50 p90 p99 max errors... cpu_ticks" to $tmp/results.
bench() {
  b_name=$1 b_pids=$2 b_url=$3
  shift 3
  b_script=${1:-$here/report.lua}
  [ $# -eq 0 ] || shift
  if [ "$b_script" = "$here/report.lua" ] && [ "$WARMUP" != 0 ]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$b_url" >/dev/null
  fi
  echo "wrk $b_name ..."
  # shellcheck disable=SC2086
  b_cpu0=$(cpu_ticks $b_pids)
  if ! wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$b_script" "$b_url" -- "$@" >"$tmp/wrk-$b_name.txt" 2>&1; then
    cat "$tmp/wrk-$b_name.txt" >&2
    echo "run.sh: wrk $b_name failed" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  b_cpu1=$(cpu_ticks $b_pids)
  b_line=$(sed -n 's/^BENCH //p' "$tmp/wrk-$b_name.txt")
  if [ -z "$b_line" ]; then
    cat "$tmp/wrk-$b_name.txt" >&2
    echo "run.sh: no result from wrk $b_name" >&2
    exit 1
  fi
  if [ "$b_cpu0" = - ] || [ "$b_cpu1" = - ]; then b_cpu=-; else b_cpu=$((b_cpu1 - b_cpu0)); fi
  echo "$b_name $b_line $b_cpu" >>"$tmp/results"
}

bench convo_version "$convo_pid" "$convo_url/version${query:+?$query}"
bench nginx_version "$nginx_pids" "$nginx_url/version"
bench convo_tracker "$convo_pid" "$convo_url$tracker_path?$tracker_q"
bench nginx_tracker "$nginx_pids" "$nginx_url$tracker_path?include_events=ALL"
events_before=$(curl -fsS "$convo_url/conversations/bench-post-00/tracker?include_events=ALL${query:+&$query}" | grep -o '"event":"' | wc -l | tr -d ' ')
bench convo_post "$convo_pid" "$convo_url" "$here/post_events.lua" "$NCONV" bench-post- "${query:+?$query}"
events_after=$(curl -fsS "$convo_url/conversations/bench-post-00/tracker?include_events=ALL${query:+&$query}" | grep -o '"event":"' | wc -l | tr -d ' ')
post_bytes=$(curl -fsS -H 'Content-Type: application/json' -d '{"event":"slot","name":"cuisine","value":"italian"}' \
  "$convo_url/conversations/bench-post-00/tracker/events${query:+?$query}" | wc -c | tr -d ' ')
convo_rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$convo_pid/status" 2>/dev/null || echo 0)

# --- report -------------------------------------------------------------------------------------
awk -v threads="$THREADS" -v conns="$CONNECTIONS" -v dur="$DURATION" -v nconv="$NCONV" -v tck="$clk_tck" \
    -v nevents="$EVENTS" -v vbytes="$version_bytes" -v tbytes="$tracker_bytes" -v pbytes="$post_bytes" -v ebefore="$events_before" \
    -v eafter="$events_after" -v rss="${convo_rss:-0}" -v loglevel="$CONVO_LOG_LEVEL" -v auth="${AUTH_TOKEN:+true}" '
  {
    n = $1; req[n] = $2; us[n] = $3; bytes[n] = $4; p50[n] = $5; p90[n] = $6; p99[n] = $7; max[n] = $8
    err[n] = $9 + $10 + $11 + $13; status[n] = $12; cpu[n] = $14
    rps[n] = $2 / ($3 / 1e6)
  }
  function ms(x) { return sprintf("%.2f", x / 1000) }
  function cpu_ms(n) { return cpu[n] == "-" || req[n] == 0 ? "-" : sprintf("%.3f", cpu[n] * 1000 / tck / req[n]) }
  function row(label, n, size) {
    printf "%-34s %10.0f %8s %8s %8s %9s %8s %7d %7d\n", label, rps[n], ms(p50[n]), ms(p90[n]), ms(p99[n]),
           cpu_ms(n), size, err[n], status[n]
  }
  function js(n, k) {
    return sprintf("\"%s_rps\":%.1f,\"%s_p50_ms\":%.3f,\"%s_p90_ms\":%.3f,\"%s_p99_ms\":%.3f,\"%s_cpu_ms_per_req\":%s,\"%s_requests\":%d,\"%s_errors\":%d,\"%s_non2xx\":%d",
                   k, rps[n], k, p50[n] / 1000, k, p90[n] / 1000, k, p99[n] / 1000, k, cpu_ms(n) == "-" ? "null" : cpu_ms(n),
                   k, req[n], k, err[n], k, status[n])
  }
  END {
    printf "\nwrk -t%d -c%d -d%s; latencies in ms; cpu = server user+system ms per request\n", threads, conns, dur
    printf "%-34s %10s %8s %8s %8s %9s %8s %7s %7s\n", "request", "req/s", "p50", "p90", "p99", "cpu/req", "bytes", "errors", "non2xx"
    row("GET /version             convo", "convo_version", vbytes)
    row("GET /version             nginx", "nginx_version", vbytes)
    row("GET tracker (50 events)  convo", "convo_tracker", tbytes)
    row("GET tracker (50 events)  nginx", "nginx_tracker", tbytes)
    row("POST tracker/events      convo", "convo_post", pbytes)
    vr = rps["convo_version"] / rps["nginx_version"]; tr = rps["convo_tracker"] / rps["nginx_tracker"]
    vl = p50["convo_version"] / p50["nginx_version"]; tl = p50["convo_tracker"] / p50["nginx_tracker"]
    printf "\nconvo/nginx req/s: /version %.3f, tracker %.3f; p50 latency convo/nginx: /version %.2fx, tracker %.2fx\n", vr, tr, vl, tl
    printf "POST: %d conversations, %d events each before, %d after (bytes = the last response); convo peak RSS %.1f MB\n",
           nconv, ebefore, eafter, rss / 1024
    bad = 0
    for (n in req) if (err[n] + status[n] > 0) bad = 1
    if (bad) printf "WARNING: some requests failed (errors / non2xx columns): the figures are not comparable\n"
    printf "\n{\"threads\":%d,\"connections\":%d,\"duration\":\"%s\",\"convo_log_level\":\"%s\",\"auth\":%s,", threads, conns, dur, loglevel, auth == "true" ? "true" : "false"
    printf "\"version_bytes\":%d,\"tracker_bytes\":%d,\"tracker_events\":%d,\"post_conversations\":%d,\"post_events_before\":%d,\"post_events_after\":%d,\"post_response_bytes\":%d,", vbytes, tbytes, nevents, nconv, ebefore, eafter, pbytes
    printf "%s,%s,%s,%s,%s,", js("convo_version", "convo_version"), js("nginx_version", "nginx_version"), js("convo_tracker", "convo_tracker"), js("nginx_tracker", "nginx_tracker"), js("convo_post", "convo_post")
    printf "\"version_rps_ratio\":%.4f,\"tracker_rps_ratio\":%.4f,\"version_p50_ratio\":%.3f,\"tracker_p50_ratio\":%.3f,\"convo_peak_rss_kib\":%d,\"ok\":%s}\n", vr, tr, vl, tl, rss, bad ? "false" : "true"
  }' "$tmp/results"
