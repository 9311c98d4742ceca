#!/usr/bin/env python3
"""Action server of the example bot (Python 3 standard library only).

Speaks the Rasa SDK 2.8 action-server protocol, so convo (or Rasa 2.8) can call it through
endpoints.yml's action_endpoint:

    python3 examples/bot/actions.py [--port 5055] [--host 0.0.0.0]

Routes: GET /health -> {"status": "ok"}; GET /actions -> [{"name": ...}, ...];
POST /webhook -> {"events": [...], "responses": [...]} (unknown action: 404 with
{"error": "No registered action found for name '<x>'.", "action_name": "<x>"}).

Actions:
  action_book_table         "Your table for <people> is booked." and sets the slot booked = true.
  validate_restaurant_form  called by restaurant_form with the slots the user just gave; keeps them,
                            except people above 20 (or not a number), which is set back to null with
                            a message, so the form asks again.
"""
import argparse
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_PEOPLE = 20


def message(text=None, response=None, **extra):
    """A bot message in the shape rasa_sdk's dispatcher.utter_message() sends."""
    msg = {"text": text, "buttons": [], "elements": [], "custom": {}, "template": response,
           "response": response, "image": None, "attachment": None}
    msg.update(extra)
    return msg


def slot(name, value):
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def show_number(value):
    """4.0 -> "4", 2.5 -> "2.5", anything else as str()."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- actions: each takes the tracker and the domain, returns (events, messages) -----------------


def action_book_table(tracker, domain):
    people = (tracker.get("slots") or {}).get("people")
    text = "Your table for %s is booked." % show_number(people)
    return [slot("booked", True)], [message(text)]


def validate_restaurant_form(tracker, domain):
    # The slots to validate are the `slot` events at the very end of the tracker: the form appends
    # the values it extracted from the latest message there before calling this action.
    events = tracker.get("events") or []
    start = len(events)
    while start > 0 and events[start - 1].get("event") == "slot":
        start -= 1
    candidates = {}
    for event in events[start:]:
        candidates[event.get("name")] = event.get("value")

    messages = []
    if "people" in candidates and candidates["people"] is not None:
        number = as_number(candidates["people"])
        if number is None:
            candidates["people"] = None
            messages.append(message("Please give the number of people as a number."))
        elif number > MAX_PEOPLE:
            candidates["people"] = None
            messages.append(message("We can seat at most %d." % MAX_PEOPLE))
    return [slot(name, value) for name, value in candidates.items()], messages


ACTIONS = {
    "action_book_table": action_book_table,
    "validate_restaurant_form": validate_restaurant_form,
}


# --- HTTP ---------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def route(self):
        return self.path.partition("?")[0].rstrip("/") or "/"

    def do_GET(self):
        if self.route() == "/health":
            return self.reply(200, {"status": "ok"})
        if self.route() == "/actions":
            return self.reply(200, [{"name": name} for name in ACTIONS])
        return self.reply(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if self.route() != "/webhook":
            return self.reply(404, {"error": "not found"})
        try:
            call = json.loads(raw) if raw else None
        except ValueError:
            call = None
        if not isinstance(call, dict):
            return self.reply(400, {"error": "Invalid body request"})
        name = call.get("next_action")
        if not name:
            return self.reply(200, None)
        action = ACTIONS.get(name)
        if action is None:
            log("%s: not registered -> 404" % name)
            return self.reply(404, {"error": "No registered action found for name '%s'." % name,
                                    "action_name": name})
        events, messages = action(call.get("tracker") or {}, call.get("domain") or {})
        log("%s (sender %s) -> %d event(s), %d message(s)"
            % (name, call.get("sender_id"), len(events), len(messages)))
        return self.reply(200, {"events": events, "responses": messages})


def log(line):
    sys.stderr.write("%s actions: %s\n" % (time.strftime("%H:%M:%S"), line))
    sys.stderr.flush()


def main():
    parser = argparse.ArgumentParser(description="Action server of the example bot.")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="0.0.0.0")
    args = parser.parse_args()
    try:
        server = ThreadingHTTPServer((args.host, args.port), Handler)
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return 1
    server.daemon_threads = True
    log("serving %s on http://%s:%d/webhook" % (", ".join(ACTIONS), args.host, server.server_address[1]))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
