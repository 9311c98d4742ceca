#!/usr/bin/env python3
"""The action server the dialogue oracle fixtures were produced with (tests/fixtures/dialogue_oracle,
bot2): scripted answers per action, including a 400 rejection, a 404, a 500, an invalid event and
a follow-up loop. Usage: oracle_stub_actions.py PORT [REQUEST_LOG]."""
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
LOG = open(sys.argv[2] if len(sys.argv) > 2 else "/dev/null", "a")
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        LOG.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body}) + "\n"); LOG.flush()
        name = body.get("next_action")
        def send(code, obj, ctype="application/json"):
            data = json.dumps(obj).encode()
            self.send_response(code); self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
        sdk_msg = lambda **kw: {"text": None, "buttons": [], "elements": [], "custom": {}, "template": None, "response": None, "image": None, "attachment": None, **kw}
        if name == "action_hello":
            send(200, {"events": [{"event": "slot", "timestamp": None, "name": "cuisine", "value": "italian"}],
                       "responses": [sdk_msg(text="hi from server"), sdk_msg(template="utter_goodbye", response="utter_goodbye", extra="x"),
                                     sdk_msg(response="utter_nonexistent", text="ignored?"), sdk_msg(text="t", buttons=[{"title": "b", "payload": "/greet"}], response="utter_ask_cuisine")]})
        elif name == "action_loop":
            send(200, {"events": [{"event": "followup", "name": "action_loop"}], "responses": []})
        elif name == "action_reject":
            send(400, {"error": "nope", "action_name": "action_reject"})
        elif name == "action_missing":
            send(404, {"error": "No registered action found for name 'action_missing'.", "action_name": "action_missing"})
        elif name == "action_badevent":
            send(200, {"events": [{"event": "slot", "name": "cuisine", "value": "x"}, {"event": "bogus"}], "responses": [sdk_msg(text="should not appear")]})
        elif name == "action_botevent":
            send(200, {"events": [{"event": "bot", "text": "bot event text", "data": {}, "metadata": {}}, {"event": "followup", "name": "utter_greet"}], "responses": [sdk_msg(text="response text")]})
        elif name == "validate_restaurant_form":
            # sdk-like: echo candidate slots; reject cuisine 'bad'
            evs = []
            i = len(body["tracker"]["events"])
            cand = []
            for e in reversed(body["tracker"]["events"]):
                if e["event"] == "slot": cand.insert(0, e)
                else: break
            for e in cand:
                v = e["value"]
                if e["name"] == "cuisine" and v == "bad": v = None
                evs.append({"event": "slot", "timestamp": None, "name": e["name"], "value": v})
            send(200, {"events": evs, "responses": [sdk_msg(text="validated " + ",".join(e["name"] for e in cand))] if cand else []})
        else:
            send(500, {"error": "boom"})
    def log_message(self, *a): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
