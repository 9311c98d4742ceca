#!/bin/sh
# Row of bench/table.sh: the resident memory of an idle `convo serve`, IDLE (3) seconds after it
# answered GET /status, twice: the HTTP API alone (`--enable-api` on a fresh SQLite store), and
# serving the example bot (`convo model build examples/bot`, `--model`). VmRSS from /proc.
# Prints one JSON line (KiB). Run from the repository root after `make build`. Linux only.
set -eu
BUILD_DIR=${BUILD_DIR:-build}
IDLE=${IDLE:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"  # stop PID
convo=$(realpath "$BUILD_DIR/apps/convo/convo")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-rss.XXXXXX")
pid=
trap 'stop "$pid"; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# idle NAME SERVE_ARGS...: serve on a free port, wait until it answers, idle, VmRSS (KiB) to $tmp/NAME.rss.
idle() {
  i_name=$1
  shift
  i_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$convo" serve --enable-api -i 127.0.0.1 -p "$i_port" --store "sqlite:///$tmp/$i_name.db" --log-level warn "$@" \
    >"$tmp/$i_name.log" 2>&1 &
  pid=$!
  "$convo" status --url "http://127.0.0.1:$i_port" --wait 10s -o json >/dev/null 2>&1 ||
    { echo "$0: convo serve ($i_name) did not start: $(tail -n 3 "$tmp/$i_name.log")" >&2; exit 1; }
  sleep "$IDLE"
  awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" >"$tmp/$i_name.rss"
  stop "$pid"
  pid=
}
idle api
"$convo" model build "$root/examples/bot" -o "$tmp/models" --name bot.tar.gz --format json >/dev/null
idle bot --model "$tmp/models"
printf '{"idle_s":%s,"api_rss_kib":%d,"bot_rss_kib":%d}\n' "$IDLE" "$(cat "$tmp/api.rss")" "$(cat "$tmp/bot.rss")"
