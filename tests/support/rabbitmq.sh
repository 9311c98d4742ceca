#!/bin/sh
# A throwaway RabbitMQ node for script tests (Debian's rabbitmq-server; see shared TESTING.md).
#   rabbitmq.sh start DIR    start a node with everything inside DIR; prints its AMQP port once
#                            it accepts connections
#   rabbitmq.sh stop DIR     stop it (and its private epmd)
#   rabbitmq.sh restart DIR  stop and start again on the same ports with the same data (prints
#                            the port again once ready)
#   rabbitmq.sh ctl DIR ARGS rabbitmqctl against the node (e.g. list_queues name messages)
# DIR/ports holds AMQP_PORT and TLS_PORT (AMQP over TLS; the CA is DIR/tls/ca.pem).
# The node gets its own epmd port and Erlang cookie (HOME=DIR), so nothing is shared with other
# nodes on the machine and nothing outlives `stop`. As root it runs as user `rabbitmq`.
set -eu

RMQ_BIN=/usr/lib/rabbitmq/bin

die() { echo "rabbitmq.sh: $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command as the node's user with the node's environment.
as_node() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u rabbitmq -- env HOME="$DIR" ERL_EPMD_PORT="$EPMD_PORT" "$@"
  else
    env HOME="$DIR" ERL_EPMD_PORT="$EPMD_PORT" "$@"
  fi
}

load_env() {
  [ -f "$DIR/ports" ] || die "no node in $DIR (run start first)"
  # shellcheck disable=SC1091
  . "$DIR/ports"
  NODE="convotest$AMQP_PORT@localhost"
}

wait_ready() {
  i=0
  while [ $i -lt 600 ]; do
    if /usr/bin/python3 - "$AMQP_PORT" <<'EOF' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"AMQP\x00\x00\x09\x01")
sys.exit(0 if s.recv(1) == b"\x01" else 1)  # connection.start is a method frame (type 1)
EOF
    if [ -f "$DIR/server.pid" ] && ! kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; then
      tail -n 30 "$DIR/server.out" >&2 || true
      die "rabbitmq-server exited during startup (see $DIR/server.out)"
    fi
    i=$((i + 1))
    sleep 0.1
  done
  die "rabbitmq-server did not accept AMQP on port $AMQP_PORT within 60 s"
}

launch() {
  load_env
  # The background subshell itself lets go of our stdout (not just its command), so that
  # `$(rabbitmq.sh start DIR)` and popen() see end-of-file once the port is printed.
  (
    exec >"$DIR/server.out" 2>&1 </dev/null
    as_node env RABBITMQ_MNESIA_BASE="$DIR/mnesia" RABBITMQ_LOG_BASE="$DIR/log" \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT" \
      RABBITMQ_DIST_PORT="$DIST_PORT" RABBITMQ_NODENAME="$NODE" \
      RABBITMQ_FEATURE_FLAGS_FILE="$DIR/feature_flags" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/enabled_plugins" \
      RABBITMQ_PID_FILE="$DIR/rabbit.pid" RABBITMQ_CONFIG_FILE="$DIR/rabbitmq" \
      "$RMQ_BIN/rabbitmq-server"
  ) &
  echo $! >"$DIR/server.pid"
  wait_ready
}

stop_node() {
  load_env
  as_node "$RMQ_BIN/rabbitmqctl" -n "$NODE" stop >>"$DIR/ctl.out" 2>&1 || true
  if [ -f "$DIR/server.pid" ]; then
    pid=$(cat "$DIR/server.pid")
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    # Still there (rabbitmqctl failed): kill the Erlang VM itself.
    if kill -0 "$pid" 2>/dev/null && [ -f "$DIR/rabbit.pid" ]; then kill -9 "$(cat "$DIR/rabbit.pid")" 2>/dev/null || true; fi
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$DIR/server.pid" "$DIR/rabbit.pid"
  fi
  # The node's private epmd (started by the node, on our port only).
  as_node /usr/bin/epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
}

# A throwaway CA and a server certificate for localhost and 127.0.0.1 in DIR/tls.
make_certificates() {
  mkdir -p "$DIR/tls"
  (
    cd "$DIR/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=convo-test-ca \
      -keyout ca.key -out ca.pem
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
      -keyout server.key -out server.csr
    printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.pem
  ) >"$DIR/openssl.out" 2>&1 || die "openssl could not make test certificates (see $DIR/openssl.out)"
}

[ $# -ge 2 ] || die "usage: rabbitmq.sh start|stop|restart|ctl DIR [ARGS]"
CMD=$1
DIR=$(cd "$2" 2>/dev/null && pwd) || die "no such directory: $2"
shift 2

case "$CMD" in
  start)
    [ -x "$RMQ_BIN/rabbitmq-server" ] || die "rabbitmq-server is not installed (apt-get install rabbitmq-server)"
    # The node's user must reach DIR: a mkdtemp folder is 0700.
    chmod 0755 "$DIR"
    TLS_PORT=$(free_port)
    printf 'AMQP_PORT=%s\nDIST_PORT=%s\nEPMD_PORT=%s\nTLS_PORT=%s\n' "$(free_port)" "$(free_port)" "$(free_port)" \
      "$TLS_PORT" >"$DIR/ports"
    echo '[].' >"$DIR/enabled_plugins"
    make_certificates
    # No disk-space alarm: a nearly full test machine must not block publishers. A TLS listener
    # on TLS_PORT with a certificate for localhost/127.0.0.1 signed by DIR/tls/ca.pem.
    cat >"$DIR/rabbitmq.conf" <<EOF
disk_free_limit.absolute = 1
listeners.ssl.1 = 127.0.0.1:$TLS_PORT
ssl_options.cacertfile = $DIR/tls/ca.pem
ssl_options.certfile = $DIR/tls/server.pem
ssl_options.keyfile = $DIR/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
EOF
    if [ "$(id -u)" = 0 ]; then chown -R rabbitmq: "$DIR"; fi
    launch
    echo "$AMQP_PORT"
    ;;
  stop) stop_node ;;
  restart)
    stop_node
    launch
    echo "$AMQP_PORT"
    ;;
  ctl)
    load_env
    as_node "$RMQ_BIN/rabbitmqctl" -q -n "$NODE" "$@"
    ;;
  *) die "unknown command: $CMD" ;;
esac
