#!/usr/bin/python3
"""Helpers of bench/consume/run.sh (system python3 with pika). Every timed command prints its own
wall time in seconds as the last stdout line ("seconds S"), measured from its first connection
attempt to its last acknowledgement or answer.

  tools.py amqp-fill PORT EXCHANGE MESSAGES.tsv N QUEUE...
      declares durable QUEUEs bound to fanout EXCHANGE, publishes the first N bodies of
      MESSAGES.tsv (KEY<TAB>BODY lines) to it, persistent as Rasa publishes them (no publisher
      confirms: pika's BlockingConnection waits for each one), then waits until every QUEUE
      holds N messages (a passive declare reports the depth)
  tools.py amqp-ack PORT QUEUE N
      the peer consumer: basic_consume with prefetch 1000, acks with multiple=True every 500
      messages, stops after N messages; does nothing with the bodies
  tools.py post URL MESSAGES.tsv REQUESTS PER_REQUEST THREADS
      POSTs REQUESTS requests of PER_REQUEST events each (the events of MESSAGES.tsv without
      sender_id) to /conversations/pub-NNNN/tracker/events, THREADS at a time; then, if the
      server has an event broker, polls GET /status until the outbox is empty and published is
      REQUESTS * PER_REQUEST; prints "posted S", "drained S" (or "drained -") and "seconds S"
"""
import http.client
import json
import sys
import threading
import time


def read_bodies(path, n):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if len(out) >= n:
                break
            out.append(line.rstrip("\n").split("\t", 1)[1])
    if len(out) < n:
        sys.exit("tools.py: %s holds only %d messages, %d needed" % (path, len(out), n))
    return out


def connect(port):
    import pika
    params = pika.ConnectionParameters("127.0.0.1", int(port), credentials=pika.PlainCredentials("guest", "guest"))
    return pika, pika.BlockingConnection(params)


def amqp_fill(port, exchange, path, n, queues):
    bodies = read_bodies(path, int(n))
    pika, conn = connect(port)
    ch = conn.channel()
    ch.exchange_declare(exchange, exchange_type="fanout", durable=True)
    for q in queues:
        ch.queue_declare(q, durable=True)
        ch.queue_bind(q, exchange)
    props = pika.BasicProperties(delivery_mode=2)
    t0 = time.monotonic()
    for b in bodies:
        ch.basic_publish(exchange, "", b.encode("utf-8"), props)
    deadline = time.monotonic() + 600
    while True:
        depths = [ch.queue_declare(q, durable=True, passive=True).method.message_count for q in queues]
        if all(d >= int(n) for d in depths):
            break
        if time.monotonic() > deadline:
            sys.exit("tools.py: queues hold %s messages after 600 s, %s expected" % (depths, n))
        time.sleep(0.05)
    conn.close()
    print("seconds %.6f" % (time.monotonic() - t0))


def amqp_ack(port, queue, n):
    n = int(n)
    t0 = time.monotonic()
    _, conn = connect(port)
    ch = conn.channel()
    ch.basic_qos(prefetch_count=1000)
    got = [0]

    def on_message(channel, method, _properties, _body):
        got[0] += 1
        if got[0] % 500 == 0 or got[0] >= n:
            channel.basic_ack(method.delivery_tag, multiple=True)
        if got[0] >= n:
            channel.stop_consuming()

    ch.basic_consume(queue=queue, on_message_callback=on_message)
    ch.start_consuming()
    conn.close()
    print("messages %d" % got[0])
    print("seconds %.6f" % (time.monotonic() - t0))


def get_json(host, port, path):
    # A closed connection is retried (and counted: the report shows how often it happened).
    global status_retries
    for attempt in range(50):
        try:
            c = http.client.HTTPConnection(host, port, timeout=30)
            c.request("GET", path)
            r = c.getresponse()
            data = r.read()
            c.close()
            return json.loads(data)
        except (OSError, http.client.HTTPException) as e:
            status_retries += 1
            print("GET %s failed: %r" % (path, e), file=sys.stderr)
            time.sleep(0.05)
    sys.exit("tools.py: GET %s failed 50 times" % path)


status_retries = 0


def post(url, path, requests, per_request, threads):
    requests, per_request, threads = int(requests), int(per_request), int(threads)
    hostport = url.split("://", 1)[1].rstrip("/")
    host, port = hostport.rsplit(":", 1)
    port = int(port)
    bodies = read_bodies(path, requests * per_request)
    payloads = []
    for r in range(requests):
        events = []
        for b in bodies[r * per_request:(r + 1) * per_request]:
            e = json.loads(b)
            del e["sender_id"]
            events.append(e)
        payloads.append(("/conversations/pub-%04d/tracker/events?include_events=NONE" % r,
                         json.dumps(events).encode("utf-8")))
    broker = get_json(host, port, "/status").get("convo", {}).get("event_broker")
    start_published = broker.get("published", 0) if broker else 0
    lock = threading.Lock()
    todo = list(range(requests))
    failures = []

    def worker():
        c = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                if not todo:
                    break
                i = todo.pop(0)
            target, body = payloads[i]
            c.request("POST", target, body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                with lock:
                    failures.append("%s: HTTP %d" % (target, r.status))
        c.close()

    t0 = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    posted = time.monotonic() - t0
    if failures:
        sys.exit("tools.py: %d requests failed, first: %s" % (len(failures), failures[0]))
    print("posted %.6f" % posted)
    if broker is None:
        print("drained -")
        print("seconds %.6f" % posted)
        return
    # At least every posted event (new conversations add their session start too); the outbox
    # is filled with the events in the request's transaction, so once the answers are in and
    # the outbox is empty, everything stored has been published.
    want = start_published + requests * per_request
    deadline = time.monotonic() + 600
    while True:
        b = get_json(host, port, "/status")["convo"]["event_broker"]
        if b.get("outbox") == 0 and b.get("published", 0) >= want:
            break
        if time.monotonic() > deadline:
            sys.exit("tools.py: the outbox did not drain within 600 s: %s" % json.dumps(b))
        time.sleep(0.01)
    drained = time.monotonic() - t0
    print("published %d" % (b["published"] - start_published))
    print("status_retries %d" % status_retries)
    print("drained %.6f" % drained)
    print("seconds %.6f" % drained)


def main():
    commands = {"amqp-fill": (amqp_fill, 5), "amqp-ack": (amqp_ack, 3), "post": (post, 5)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) - 2 < commands[sys.argv[1]][1]:
        sys.exit(__doc__)
    fn, count = commands[sys.argv[1]]
    args = sys.argv[2:]
    if fn is amqp_fill:
        fn(args[0], args[1], args[2], args[3], args[4:])
    else:
        fn(*args[:count])


if __name__ == "__main__":
    main()
