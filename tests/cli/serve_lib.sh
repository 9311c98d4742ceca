# Starting `convo serve` in shell tests (sourced after lib.sh; needs $convo, $py, $tmp).
server_pids=""
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server NAME SERVE_ARGS...: `convo serve --enable-api` on a free loopback port, log in NAME.log;
# waits with `convo status --wait` (credentials from $wait_auth); sets NAME_pid, NAME_port, NAME_url.
wait_auth=()
start_server() {
  local name=$1 attempt port pid
  shift
  for attempt in 1 2 3; do
    port=$(free_port)
    : >"$tmp/$name.log"
    "$convo" serve --enable-api -i 127.0.0.1 -p "$port" --log-file "$tmp/$name.log" "$@" >"$name.out" 2>&1 &
    pid=$!
    server_pids="$server_pids $pid"
    if "$convo" status --url "http://127.0.0.1:$port" "${wait_auth[@]}" --wait 10s -o json >"$name.status" 2>&1 &&
      kill -0 "$pid" 2>/dev/null && grep -q "listening on http://127.0.0.1:$port " "$name.log"; then
      printf -v "${name}_pid" %s "$pid"
      printf -v "${name}_port" %s "$port"
      printf -v "${name}_url" %s "http://127.0.0.1:$port"
      return 0
    fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  echo "could not start server $name: $(cat "$name.out" "$name.status" "$name.log" 2>/dev/null)" >&2
  exit 1
}

# stop_server NAME: SIGTERM, then the exit status in $stop_status and the time taken in $stop_ms.
stop_server() {
  local pid_var=${1}_pid t0
  local pid=${!pid_var}
  t0=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid"
  stop_status=$?
  stop_ms=$((($(date +%s%N) - t0) / 1000000))
  server_pids=$(printf '%s\n' $server_pids | grep -vx "$pid" | tr '\n' ' ')
}

# post URL CONVERSATION JSON: POST events; prints the HTTP status.
post() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$1/conversations/$2/tracker/events" -d "$3"; }
# status_field NAME FIELD: a field of convo's /status event_broker object of server NAME.
status_field() {
  curl -s "$(eval echo "\$${1}_url")/status" | "$py" -c "import json,sys; print(json.load(sys.stdin)['convo']['event_broker'].get('$2'))"
}
# wait_outbox NAME DEPTH: until server NAME's outbox holds DEPTH messages (at most ~30 s).
wait_outbox() {
  local i
  for i in $(seq 300); do [ "$(status_field "$1" outbox)" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
