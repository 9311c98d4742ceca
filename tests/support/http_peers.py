#!/usr/bin/env python3
"""HTTP peers for the channel tests, each appending what it receives to LOG:
  http_peers.py receiver PORT LOG   every POST body as one line, answered 200 (callback receivers)
  http_peers.py nlu PORT LOG        a Rasa NLU server: POST /model/parse answers texts containing
                                    "hello" as greet, "bye" as goodbye, others nlu_fallback; each
                                    request is logged as {"path", "body"}
  http_peers.py nlg PORT LOG        an NLG server: answers {"text": "NLG: <response>"} (utter_default:
                                    500; utter_nothing: an empty body); logs each request body"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE, PORT, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if MODE == "receiver":
            with open(LOG, "ab") as log:
                log.write(raw.replace(b"\n", b" ") + b"\n")
            return self.answer(200, b"ok", "text/plain")
        body = json.loads(raw or b"{}")
        if MODE == "nlg":
            with open(LOG, "a") as log:
                log.write(json.dumps(body) + "\n")
            name = body.get("response")
            if name == "utter_default":
                return self.answer(500, b"boom", "text/plain")
            if name == "utter_nothing":
                return self.answer(200, b"", "application/json")
            return self.answer(200, json.dumps({"text": "NLG: " + name}).encode())
        with open(LOG, "a") as log:
            log.write(json.dumps({"path": self.path, "body": body}) + "\n")
        text = body.get("text", "")
        intent = "greet" if "hello" in text else "goodbye" if "bye" in text else "nlu_fallback"
        result = {"text": text, "intent": {"name": intent, "confidence": 0.93}, "entities": [],
                  "intent_ranking": [{"name": intent, "confidence": 0.93}]}
        self.answer(200 if self.path == "/model/parse" else 404, json.dumps(result).encode())

    def do_GET(self):
        self.answer(200, b"", "text/plain")

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
