#!/usr/bin/env python3
"""A Rasa NLU server for tests (POST /model/parse): texts containing "hello" are `greet`, "bye"
`goodbye`, anything else `nlu_fallback`; every request body is appended to LOG.
Usage: nlu_server.py PORT LOG"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"path": self.path, "body": body}) + "\n")
        text = body.get("text", "")
        intent = "greet" if "hello" in text else "goodbye" if "bye" in text else "nlu_fallback"
        answer = json.dumps({"text": text, "intent": {"name": intent, "confidence": 0.93}, "entities": [],
                             "intent_ranking": [{"name": intent, "confidence": 0.93}]}).encode()
        self.send_response(200 if self.path == "/model/parse" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
