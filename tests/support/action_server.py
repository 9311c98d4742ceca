#!/usr/bin/env python3
"""A scripted stand-in for a Rasa SDK 2.8 action server (rasa_sdk 2.8.2 on Sanic 20.12), for tests.

Python 3 standard library only.  It answers the same routes, status codes, bodies and content types
as `python -m rasa_sdk` 2.8.2 would, but the actions are not Python classes: they are scripted in a
JSON file.

Usage:
  action_server.py --actions FILE.json [--port N] [--host ADDR] [--port-file PATH]
                   [--log-requests PATH] [--json ujson|plain]

  --port 0 (the default) binds a free port.  Once the server listens, the bound port is printed as
  the first line of stdout (and flushed) and, with --port-file, written to PATH (atomically: the
  file appears complete or not at all).  One line per request goes to stderr.
  --log-requests PATH appends one JSON line per HTTP request (any route), written when the request
  has been read, before the answer is computed:
      {"seq": n, "time": unix_seconds, "method": "POST", "path": "/webhook", "query": "...",
       "headers": {lower-cased name: value}, "action": next_action or null,
       "body": parsed JSON body, or the raw text when it is not JSON (null when empty)}
  --json ujson (default) writes response bodies the way Sanic 20.12's response.json does with ujson
  installed (compact, ASCII-only, and "/" escaped as "\\/"); --json plain uses compact json.dumps.

Routes (as rasa_sdk 2.8.2's endpoint.create_app; a trailing "/" is accepted like Sanic's
non-strict slashes; the query string is ignored):
  GET  /health   200 {"status": "ok"}
  GET  /actions  200 [{"name": <action>}, ...]   (every action of FILE.json, in file order)
  POST /webhook  the action call, see below
  anything else: Sanic's HTML error page, 404 "Requested URL <path> not found" or 405
                 "Method <M> not allowed for URL <path>" (with an Allow header).
All JSON answers have `Content-Type: application/json` (no charset).

POST /webhook, in the SDK's order:
  * empty body or the JSON literal null            -> 400 {"error": "Invalid body request"}
  * a body that is not JSON                         -> 400 HTML page "Failed when parsing body as json"
  * "version" missing, or major.minor != 2.8        -> a warning on stderr (the call still runs)
  * "next_action" missing/empty                     -> 200 with the body `null`
  * next_action not in FILE.json                    -> 404 {"error": "No registered action found for
                                                       name '<x>'.", "action_name": "<x>"}
  * body not an object, "tracker" missing, or the tracker without "sender_id"
                                                    -> 500 HTML page (the SDK raises there)
  * otherwise the action's behaviour (below).

FILE.json maps action names to behaviours (top-level keys starting with "_" are comments).  The
file is re-read when its modification time changes, so a test may rewrite it between turns.
Behaviour keys (all optional; an empty object = an action returning nothing; other keys, such as
"_note", are ignored):
  "events": [...]        events returned as given.  Like the SDK's executor, entries that are not
                         objects or lack a truthy "event" key are dropped (logged on stderr);
                         "sdk_filter": false keeps them.
  "responses": [...]     dispatcher messages.  Each entry is given as keyword arguments of
                         `dispatcher.utter_message` (text, image, json_message, template, response,
                         attachment, buttons, elements, any extra key) and is expanded exactly as the
                         SDK does: {"text", "buttons": [], "elements": [], "custom": {}, "template",
                         "response", "image", "attachment"} + extras.  A plain string = text.
                         "raw_responses": true sends the entries unchanged.
  "echo_tracker": true   add one more message whose "custom" is the whole request body.
  "reject": true|"msg"   400 {"error": msg, "action_name": name}; default message
                         "Custom action '<name>' rejected execution." (ActionExecutionRejection).
  "delay": seconds       sleep before answering (each request has its own thread).
  "status": N            N >= 400: answer like the SDK would: 400 = rejection body, 404 = not-found
                         body, anything else Sanic's HTML error page (what an exception inside the
                         action gives in 2.8.2).  N < 400: the normal result with that status.
  "body": any JSON       send this JSON as the whole answer (with "status", default 200).
  "raw": "text"          send these bytes verbatim (with "status", default 200, and
                         "content_type", default application/json).
  "drop": true           close the connection without answering.
  "sequence": [b1, b2]   the n-th call of the action uses b_n merged over the other keys (the last
                         entry is reused once the list is exhausted).
  "validate": {...}      form validation, only meaningful for validate_<form> actions; reproduces
                         rasa_sdk's FormValidationAction.run:
                           1. "extract": {slot: value} plays extract_<slot> methods (only for the
                              form's required slots); they are appended to the tracker as slot events.
                           2. candidates = the trailing run of `slot` events of the tracker
                              (Tracker.slots_to_validate; Rasa appends the form's candidates there).
                           3. each candidate with a rule under "validate"."slots" - or directly
                              under "validate" - is checked; a rejected value becomes null
                              (the SDK's `return {slot: None}`).  Rule keys:
                                reject_values: [..]  rejected if equal to one of them
                                accept_values: [..]  rejected unless equal to one of them
                                min / max: number    rejected if not a number or out of range
                                map: {"from": to}    replace an accepted value (key: the string
                                                     itself, or the JSON text of a non-string)
                                reject_text: "..."   message uttered on rejection
                                reject_response: "utter_x"  response uttered on rejection
                           4. one `slot` event per candidate (validated or not), in candidate order.
                           5. "required_slots": [...] plays an overridden required_slots(): when it
                              differs from the form's slots in the domain, a final
                              `slot requested_slot=<first of them whose value is null, or null>`.
                         The "events"/"responses" of the behaviour come after the validation ones.
Example: {"action_hello": {"events": [{"event": "slot", "timestamp": null, "name": "x",
          "value": 1}], "responses": [{"text": "hi"}]}, "action_no": {"reject": true},
          "validate_restaurant_form": {"validate": {"cuisine": {"reject_values": ["martian"]}}}}
"""
import argparse
import copy
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SDK_VERSION = "2.8.2"
REQUESTED_SLOT = "requested_slot"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
STATUS_TEXT = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
               404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 413: "Request Entity Too Large",
               429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
               503: "Service Unavailable", 504: "Gateway Timeout"}
FALLBACK_TEXT = "The server encountered an internal error and cannot complete your request."
# Sanic 20.12's minimal HTML error page (errorpages.HTMLRenderer with debug off).
ERROR_STYLE = """
        html { font-family: sans-serif }
        h2 { color: #888; }
        .tb-wrapper p { margin: 0 }
        .frame-border { margin: 1rem }
        .frame-line > * { padding: 0.3rem 0.6rem }
        .frame-line { margin-bottom: 0.3rem }
        .frame-code { font-size: 16px; padding-left: 4ch }
        .tb-wrapper { border: 1px solid #eee }
        .tb-header { background: #eee; padding: 0.3rem; font-weight: bold }
        .frame-descriptor { background: #e2eafb; font-size: 14px }
    """
ROUTES = {"/health": "GET", "/actions": "GET", "/webhook": "POST"}

OUT_LOCK = threading.Lock()


def note(line):
    with OUT_LOCK:
        sys.stderr.write("action_server: " + line + "\n")
        sys.stderr.flush()


# ------------------------------------------------------------------------------------------------
# JSON output


def dumps_for(style):
    def dump(obj):
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
        if style == "ujson":  # ujson escapes "/" by default; "/" only ever occurs inside strings
            text = text.replace("/", "\\/")
        return text.encode("ascii")
    return dump


def html_escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def error_page(status, text):
    title = html_escape("\u26a0\ufe0f %d \u2014 %s" % (status, STATUS_TEXT.get(status, "Error Occurred")))
    page = ("<!DOCTYPE html><html lang=en><meta charset=UTF-8><title>%s</title>\n<style>%s</style>\n"
            "<h1>%s</h1><p>%s\n" % (title, ERROR_STYLE, title, html_escape(text)))
    return page.encode("utf-8")


# ------------------------------------------------------------------------------------------------
# SDK emulation


def sdk_message(spec):
    """One `dispatcher.utter_message(**spec)` as rasa_sdk 2.8.2's CollectingDispatcher records it."""
    if isinstance(spec, str):
        spec = {"text": spec}
    kwargs = dict(spec)
    known = {k: kwargs.pop(k, None) for k in
             ("text", "image", "json_message", "template", "response", "attachment", "buttons", "elements")}
    response = known["response"]
    if known["template"] and not response:
        response = known["template"]
    message = {
        "text": known["text"],
        "buttons": known["buttons"] or [],
        "elements": known["elements"] or [],
        "custom": known["json_message"] or {},
        "template": response,
        "response": response,
        "image": known["image"],
        "attachment": known["attachment"],
    }
    message.update(kwargs)
    return message


def slot_set(name, value):
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def sdk_filter_events(events, action):
    kept = []
    for event in events:
        if isinstance(event, dict) and event.get("event"):
            kept.append(event)
        else:
            note("ERROR action '%s' returned an invalid event, ignored (as rasa_sdk does): %s"
                 % (action, json.dumps(event)))
    return kept


def form_slots_in_domain(domain, form):
    spec = (domain.get("forms") or {}).get(form) or {}
    if not isinstance(spec, dict):
        return []
    if "required_slots" in spec:
        return list((spec.get("required_slots") or {}).keys())
    return list(spec.keys())


def trailing_slot_candidates(events):
    """Tracker.slots_to_validate: the values of the trailing run of `slot` events, in order."""
    count = 0
    for event in reversed(events):
        if isinstance(event, dict) and event.get("event") == "slot":
            count += 1
        else:
            break
    candidates = {}
    for event in events[len(events) - count:]:
        candidates[event.get("name")] = event.get("value")
    return candidates


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def check_slot(rule, value):
    """Returns (accepted, new_value)."""
    if "reject_values" in rule and value in rule["reject_values"]:
        return False, None
    if "accept_values" in rule and value not in rule["accept_values"]:
        return False, None
    if "min" in rule or "max" in rule:
        number = _number(value)
        if number is None:
            return False, None
        if "min" in rule and number < rule["min"]:
            return False, None
        if "max" in rule and number > rule["max"]:
            return False, None
    mapping = rule.get("map") or {}
    key = value if isinstance(value, str) else json.dumps(value)
    if key in mapping:
        return True, mapping[key]
    return True, value


def run_form_validation(action, config, body):
    """FormValidationAction.run for a scripted validator.  Returns (events, messages)."""
    tracker = body.get("tracker") or {}
    domain = body.get("domain") or {}
    events = list(tracker.get("events") or [])
    slots = dict(tracker.get("slots") or {})
    messages = []
    form = action[len("validate_"):] if action.startswith("validate_") else action
    in_domain = form_slots_in_domain(domain, form)
    required = config.get("required_slots", in_domain)

    # 1. extract_<slot> methods
    extracted = {}
    for name in required:
        if name in (config.get("extract") or {}):
            extracted[name] = config["extract"][name]
            slots[name] = extracted[name]
    for name, value in extracted.items():
        events.append(slot_set(name, value))

    # 2./3. validate_<slot> methods over the trailing slot candidates
    rules = config.get("slots")
    if rules is None:
        rules = {k: v for k, v in config.items() if k not in ("extract", "required_slots") and isinstance(v, dict)}
    candidates = trailing_slot_candidates(events)
    for name, value in list(candidates.items()):
        rule = rules.get(name)
        if rule is None:
            continue
        accepted, new_value = check_slot(rule, value)
        if not accepted:
            if rule.get("reject_text"):
                messages.append(sdk_message({"text": rule["reject_text"]}))
            if rule.get("reject_response"):
                messages.append(sdk_message({"response": rule["reject_response"]}))
        candidates[name] = new_value
    result = [slot_set(name, value) for name, value in candidates.items()]
    slots.update(candidates)  # tracker.add_slots(validation_events)

    # 5. next_requested_slot, only when required_slots is "overridden"
    if "required_slots" in config and not (required and required == in_domain):
        missing = [name for name in required if slots.get(name) is None]
        result.append(slot_set(REQUESTED_SLOT, missing[0] if missing else None))
    return result, messages


def version_warning(version):
    if version is None:
        note("WARNING the request has no 'version': an old Rasa that might not be compatible with "
             "rasa_sdk %s" % SDK_VERSION)
    elif str(version).split(".")[:-1] != SDK_VERSION.split(".")[:-1]:
        note("WARNING Rasa version %s and rasa_sdk %s differ in major.minor" % (version, SDK_VERSION))


# ------------------------------------------------------------------------------------------------
# behaviours file


class Behaviours:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.mtime = None
        self.actions = {}
        self.calls = {}
        self.reload()

    def reload(self):
        mtime = os.stat(self.path).st_mtime_ns
        if mtime == self.mtime:
            return
        with open(self.path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict):
            raise ValueError("%s: the top level must be an object" % self.path)
        self.actions = {k: v for k, v in data.items() if not k.startswith("_")}
        for name, spec in self.actions.items():
            if not isinstance(spec, dict):
                raise ValueError("%s: behaviour of '%s' must be an object" % (self.path, name))
        self.mtime = mtime

    def names(self):
        with self.lock:
            self._maybe_reload()
            return list(self.actions.keys())

    def _maybe_reload(self):
        try:
            self.reload()
        except (OSError, ValueError) as e:
            note("WARNING could not re-read %s, keeping the previous behaviours: %s" % (self.path, e))

    def take(self, name):
        """The behaviour for one call of `name` (None if not registered)."""
        with self.lock:
            self._maybe_reload()
            spec = self.actions.get(name)
            if spec is None:
                return None
            n = self.calls.get(name, 0)
            self.calls[name] = n + 1
            spec = copy.deepcopy(spec)
        sequence = spec.pop("sequence", None)
        if isinstance(sequence, list) and sequence:
            step = sequence[min(n, len(sequence) - 1)]
            spec.update(step or {})
        return spec


# ------------------------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "action_server/" + SDK_VERSION

    def log_message(self, fmt, *args):
        pass

    # -- plumbing --------------------------------------------------------------------------------

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size_line = self.rfile.readline()
                if not size_line:
                    break
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, data, content_type=JSON_TYPE, extra_headers=None):
        self.send_response(status, STATUS_TEXT.get(status))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra_headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.status_sent = status

    def send_json(self, status, obj):
        self.send(status, self.server.dumps(obj))

    def send_error_page(self, status, text, extra_headers=None):
        self.send(status, error_page(status, text), HTML_TYPE, extra_headers)

    def record(self, raw, parsed_ok, parsed, action):
        if not self.server.log_path:
            return
        path, _, query = self.path.partition("?")
        if parsed_ok:
            body = parsed
        elif raw:
            body = raw.decode("utf-8", "replace")
        else:
            body = None
        with self.server.log_lock:
            self.server.seq += 1
            entry = {"seq": self.server.seq, "time": time.time(), "method": self.command, "path": path,
                     "query": query, "headers": {k.lower(): v for k, v in self.headers.items()},
                     "action": action, "body": body}
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

    # -- routing ---------------------------------------------------------------------------------

    def handle_any(self):
        started = time.time()
        self.status_sent = None
        self.action = None
        path = self.path.partition("?")[0]
        route = path[:-1] if len(path) > 1 and path.endswith("/") else path
        raw = self.read_body()
        parsed_ok, parsed = False, None
        if raw:
            try:
                parsed, parsed_ok = json.loads(raw.decode("utf-8")), True
            except (ValueError, UnicodeDecodeError):
                pass
        if route == "/webhook" and parsed_ok and isinstance(parsed, dict):
            self.action = parsed.get("next_action")
        self.record(raw, parsed_ok, parsed, self.action)
        try:
            if route not in ROUTES:
                self.send_error_page(404, "Requested URL %s not found" % path)
            elif self.command != ROUTES[route]:
                self.send_error_page(405, "Method %s not allowed for URL %s" % (self.command, path),
                                     {"Allow": ROUTES[route]})
            elif route == "/health":
                self.send_json(200, {"status": "ok"})
            elif route == "/actions":
                self.send_json(200, [{"name": name} for name in self.server.behaviours.names()])
            else:
                self.webhook(raw, parsed_ok, parsed)
        except Exception as e:  # a broken behaviour: answer like an exception inside an SDK action
            note("ERROR %s: %r" % (self.action, e))
            if self.status_sent is None:
                self.send_error_page(500, FALLBACK_TEXT)
        finally:
            shown = self.action if isinstance(self.action, str) else json.dumps(self.action)
            note("%s %s%s -> %s (%d ms)" % (self.command, path, " " + shown if route == "/webhook" else "",
                                            self.status_sent if self.status_sent else "dropped",
                                            (time.time() - started) * 1000))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any

    # -- the action call -------------------------------------------------------------------------

    def webhook(self, raw, parsed_ok, call):
        if not parsed_ok:
            if raw:
                return self.send_error_page(400, "Failed when parsing body as json")
            call = None
        if call is None:
            return self.send_json(400, {"error": "Invalid body request"})
        if not isinstance(call, dict):
            return self.send_error_page(500, FALLBACK_TEXT)
        version_warning(call.get("version"))
        name = call.get("next_action")
        if not name:
            note("WARNING received an action call without an action")
            return self.send_json(200, None)
        if not isinstance(name, str):
            return self.send_error_page(500, FALLBACK_TEXT)
        spec = self.server.behaviours.take(name)
        if spec is None:
            note("ERROR No registered action found for name '%s'." % name)
            return self.send_json(404, {"error": "No registered action found for name '%s'." % name,
                                        "action_name": name})
        tracker = call.get("tracker")
        if not isinstance(tracker, dict) or "sender_id" not in tracker:
            return self.send_error_page(500, FALLBACK_TEXT)

        delay = spec.get("delay")
        if delay:
            time.sleep(float(delay))
        if spec.get("drop"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        status = int(spec.get("status", 200))
        if "raw" in spec:
            data = spec["raw"]
            data = data.encode("utf-8") if isinstance(data, str) else self.server.dumps(data)
            return self.send(status, data, spec.get("content_type", JSON_TYPE))
        if "body" in spec:
            return self.send(status, self.server.dumps(spec["body"]), spec.get("content_type", JSON_TYPE))
        reject = spec.get("reject")
        if reject or status == 400:
            message = reject if isinstance(reject, str) else "Custom action '%s' rejected execution." % name
            return self.send_json(400, {"error": message, "action_name": name})
        if status == 404:
            return self.send_json(404, {"error": "No registered action found for name '%s'." % name,
                                        "action_name": name})
        if status >= 400:
            return self.send_error_page(status, FALLBACK_TEXT)

        events, messages = [], []
        if isinstance(spec.get("validate"), dict):
            events, messages = run_form_validation(name, spec["validate"], call)
        events += list(spec.get("events") or [])
        if spec.get("raw_responses"):
            messages += list(spec.get("responses") or [])
        else:
            messages += [sdk_message(r) for r in spec.get("responses") or []]
        if spec.get("echo_tracker"):
            messages.append(sdk_message({"json_message": call}))
        if spec.get("sdk_filter", True):
            events = sdk_filter_events(events, name)
        return self.send_json(status, {"events": events, "responses": messages})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    parser = argparse.ArgumentParser(description="Scripted rasa_sdk 2.8.2 action server for tests.")
    parser.add_argument("--actions", required=True, metavar="FILE.json", help="behaviours of the actions")
    parser.add_argument("--port", type=int, default=0, help="port (0 = any free port; default 0)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port-file", metavar="PATH", help="also write the bound port here")
    parser.add_argument("--log-requests", metavar="PATH", help="append every request as a JSON line")
    parser.add_argument("--json", choices=("ujson", "plain"), default="ujson",
                        help="response JSON style (default ujson, like Sanic 20.12 with ujson)")
    args = parser.parse_args(argv)

    try:
        behaviours = Behaviours(args.actions)
    except (OSError, ValueError) as e:
        sys.stderr.write("action_server: cannot load %s: %s\n" % (args.actions, e))
        return 2
    server = Server((args.host, args.port), Handler)
    server.behaviours = behaviours
    server.dumps = dumps_for(args.json)
    server.log_path = args.log_requests
    server.log_lock = threading.Lock()
    server.seq = 0
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp%d" % os.getpid()
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    note("rasa_sdk %s stand-in listening on http://%s:%d (actions: %s)"
         % (SDK_VERSION, args.host, port, ", ".join(behaviours.names()) or "none"))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
