#!/usr/bin/python3
"""bench/soak/writer.py URL THREADS ACKS: the kill -9 phase's writers. Each thread POSTs one user
event at a time to its own conversation (/conversations/kill-T/tracker/events), the text "T-N" for
its Nth write, and appends "kill-T<TAB>T-N" to ACKS once the server answered 200 (an acknowledged
write). Runs until the server goes away; then exits 0."""
import http.client
import sys
import threading
from urllib.parse import urlparse


def writer(url, t, acks, lock):
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    n = 0
    while True:
        n += 1
        body = '[{"event": "user", "text": "%d-%d", "parse_data": {"intent": {"name": "greet"}}}]' % (t, n)
        try:
            conn.request("POST", "/conversations/kill-%d/tracker/events" % t, body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException):
            return
        if r.status == 200:
            with lock:
                acks.write("kill-%d\t%d-%d\n" % (t, t, n))
                acks.flush()


def main():
    url, threads, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    lock = threading.Lock()
    with open(path, "a", encoding="utf-8") as acks:
        ts = [threading.Thread(target=writer, args=(url, t, acks, lock)) for t in range(threads)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()


if __name__ == "__main__":
    main()
