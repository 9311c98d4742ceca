#!/usr/bin/env python3
"""A model server for tests: serves the files of a directory the way Rasa's model-server protocol
expects (ETag / If-None-Match), with switches for every behaviour a client must cope with.

Usage: model_server.py DIR [--port N] [--log FILE]
Prints the port on the first line of stdout once it listens. GET /models/<file> serves DIR/<file>.
Query parameters choose the behaviour (they may be combined):
  etag=V          the ETag to send (default: the file's md5, unquoted)
  unchanged=204   status for a matching If-None-Match (default 304)
  force=304       answer this status (with the ETag) whatever If-None-Match says
  noetag=1        200 without an ETag header
  status=N        answer N with a short text body, whatever else is asked
  truncate=N      announce the full Content-Length, send N bytes, close the connection
  stall=N         send N bytes, then stop sending (until the client goes away)
  slow=MS         send the body in 64 kB pieces, MS milliseconds apart
  disposition=F   Content-Disposition: attachment; filename="F"
A missing file is 404. Every request is appended to --log as one JSON line: method, path, query,
and the headers received.
"""
import argparse
import hashlib
import http.server
import json
import os
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is what tests read
        pass

    def record(self, parsed):
        if not self.server.log_path:
            return
        entry = {"method": self.command, "path": parsed.path, "query": urllib.parse.parse_qs(parsed.query),
                 "headers": {k.lower(): v for k, v in self.headers.items()}}
        with LOCK, open(self.server.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def text(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parsed = urllib.parse.urlparse(self.path)
        self.record(parsed)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        if "status" in q:
            return self.text(int(q["status"]), "simulated status %s\n" % q["status"])
        name = parsed.path[len("/models/"):] if parsed.path.startswith("/models/") else ""
        path = os.path.join(self.server.root, os.path.basename(name))
        if not name or not os.path.isfile(path):
            return self.text(404, "no model here\n")
        etag = q.get("etag") or self.server.md5_of(path)
        if "force" in q or ("noetag" not in q and self.headers.get("If-None-Match") == etag):
            status = int(q.get("force", q.get("unchanged", "304")))
            self.send_response(status)
            self.send_header("ETag", etag)
            if status != 204 and status != 304:
                self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        if "noetag" not in q:
            self.send_header("ETag", etag)
        if "disposition" in q:
            self.send_header("Content-Disposition", 'attachment; filename="%s"' % q["disposition"])
        self.end_headers()
        try:
            if "truncate" in q:
                self.wfile.write(body[: int(q["truncate"])])
                self.wfile.flush()
                self.close_connection = True
                return
            if "stall" in q:
                self.wfile.write(body[: int(q["stall"])])
                self.wfile.flush()
                while not self.server.stopping:  # until the client closes its end
                    time.sleep(0.05)
                    try:
                        if self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                            break
                    except BlockingIOError:
                        pass
                self.close_connection = True
                return
            if "slow" in q:
                pause = int(q["slow"]) / 1000.0
                for start in range(0, len(body), 65536):
                    self.wfile.write(body[start:start + 65536])
                    self.wfile.flush()
                    time.sleep(pause)
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stopping = False
    hashes = {}

    def md5_of(self, path):
        """The file's md5, cached by (path, size, mtime): a 304 need not read the file."""
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns)
        with LOCK:
            if key not in self.hashes:
                digest = hashlib.md5()
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
                self.hashes[key] = digest.hexdigest()
            return self.hashes[key]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default="")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.root = os.path.abspath(args.dir)
    server.log_path = args.log
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping = True
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
