# Shared by the benchmark scripts (sourced).
# stop PID: SIGTERM, up to 5 s for it to exit, then SIGKILL. Only processes the script started.
stop() {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  s_i=0
  while kill -0 "$1" 2>/dev/null && [ "$s_i" -lt 50 ]; do sleep 0.1; s_i=$((s_i + 1)); done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
