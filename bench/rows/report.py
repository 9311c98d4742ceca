#!/usr/bin/python3
"""The table of bench/table.sh: reads DIR/NAME.json (the last JSON line of each step; a step that
failed holds {"error": "..."}) and prints one row per goal of issue 13, then one JSON line.

usage: report.py DIR MODE
ratio = convo's figure / the peer's, in the row's unit (time: lower is better; rate: higher is
better); a row is met when its ratio (or figure) is within the goal, "-" when it could not run."""
import json
import os
import sys

DIR, MODE = sys.argv[1], sys.argv[2]


def load(name):
    try:
        with open(os.path.join(DIR, name + ".json"), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {"error": "not run (STEPS)"}
    except (OSError, ValueError) as e:
        return {"error": "no result (%s)" % e}


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


ROWS = []


def row(name, step, unit, convo, peer, goal, test, peer_name, note=None):
    """convo, peer: functions of the step's JSON (None when missing); test(ratio, convo, data)."""
    d = load(step)
    r = {"row": name, "step": step, "unit": unit, "peer_name": peer_name, "goal": goal,
         "convo": None, "peer": None, "ratio": None, "met": None, "note": None}
    if "error" in d:
        r["note"] = "%s: %s" % (step, d["error"])
    else:
        try:
            r["convo"] = convo(d)
            r["peer"] = peer(d) if peer else None
            r["ratio"] = div(r["convo"], r["peer"])
            r["met"] = None if r["convo"] is None else test(r["ratio"], r["convo"], d)
            r["note"] = note(d) if note else None
        except (KeyError, TypeError) as e:
            r["note"] = "%s: unexpected result (%s)" % (step, e)
    ROWS.append(r)


def le(x):
    return lambda ratio, v, d: ratio is not None and ratio <= x


def ge(x):
    return lambda ratio, v, d: ratio is not None and ratio >= x


def rate(n, s):
    return None if s is None or s == 0 else n / s


row("tracker show --events, 20k events, ALL JSON", "file", "s", lambda d: d["show_s"], lambda d: d["rasa_s"],
    "<=0.01 (>=100x faster)", le(0.01), "Rasa 2.8.12 tracker",
    lambda d: d["rasa_note"] or ("%.1f MB in; Rasa in-process (imports excluded), same JSON: %s"
                                 % (d["bytes"] / 1e6, d["rasa_same_as_convo"])))
row("events validate, same file", "file", "s", lambda d: d["validate_s"], lambda d: d["python_load_s"],
    "<=0.2", le(0.2), "python3 json.load")
row("tracker get --all-sessions, SQLite", "store", "s", lambda d: d["get_s"], lambda d: d["sqlite3_read_s"],
    "<=3", le(3), "sqlite3 SELECT data", lambda d: "%d events" % d["events"])
row("events push of one event", "push", "ms", lambda d: d["convo_ms"], lambda d: d["sqlite3_ms"],
    "<=2", le(2), "sqlite3 INSERT", lambda d: "process start included")
row("serve GET tracker, 50 events, c32", "http32", "req/s", lambda d: d["convo_tracker_rps"],
    lambda d: d["nginx_tracker_rps"], ">=0.3", ge(0.3), "nginx static")
row("serve idle RSS", "rss", "MB", lambda d: max(d["api_rss_kib"], d["bot_rss_kib"]) / 1024, None,
    "<=15 MB", lambda ratio, v, d: v <= 15, "-",
    lambda d: "API only %.1f MB, example bot %.1f MB" % (d["api_rss_kib"] / 1024, d["bot_rss_kib"] / 1024))
for c in (256, 1000):
    row("serve GET /version p99, c%d" % c, "http%d" % c, "ms", lambda d: d["convo_version_p99_ms"],
        lambda d: d["nginx_version_p99_ms"], "<=2, 0 timeouts",
        lambda ratio, v, d: ratio is not None and ratio <= 2 and d["convo_version_errors"] == 0, "nginx static",
        lambda d: "convo %d socket errors/timeouts, nginx %d" % (d["convo_version_errors"], d["nginx_version_errors"]))
row("consume-kafka --store sqlite", "consume", "ev/s", lambda d: rate(d["events"], d["kafka_store_s"]),
    lambda d: rate(d["events"], d["kcat_s"]), ">=0.5", ge(0.5), "kcat -C", lambda d: "%d events" % d["events"])
row("consume-kafka -o ndjson", "consume", "ev/s", lambda d: rate(d["events"], d["kafka_ndjson_s"]),
    lambda d: rate(d["events"], d["kcat_s"]), ">=0.8", ge(0.8), "kcat -C")
row("consume-amqp --store sqlite", "consume", "ev/s", lambda d: rate(d["amqp_events"], d["amqp_store_s"]),
    lambda d: rate(d["amqp_events"], d["pika_ack_s"]), ">=3", ge(3), "pika ack-only",
    lambda d: "%d events" % d["amqp_events"])
row("serve publishing to Kafka", "consume", "ev/s", lambda d: rate(d["serve_events"], d["serve_kafka_s"]),
    lambda d: rate(d["serve_events"], d["serve_none_s"]), ">=0.5 (<=2x slower)", ge(0.5), "same POSTs, no broker",
    lambda d: None if d["serve_kafka_s"] is not None else "serve with the kafka broker FAILED (see its log)")
row("model pull, 304 round trip", "pull", "ms", lambda d: d["unchanged_ms"]["convo"],
    lambda d: d["unchanged_ms"]["curl"], "<=1.3", le(1.3), "curl", lambda d: "process start included")
row("keep: GET /version, c32", "http32", "req/s", lambda d: d["convo_version_rps"],
    lambda d: d["nginx_version_rps"], ">=0.85 (was 0.95)", ge(0.85), "nginx static")
row("keep: model pull download", "pull", "s", lambda d: d["download_s"]["convo"], lambda d: d["download_s"]["curl"],
    "<=1.06 (was 0.96)", le(1.06), "curl", lambda d: "%.0f MB" % (d["bytes"] / 1e6))
row("webhook turns, example bot, c32", "dialogue", "turns/s", lambda d: d["convo_rps"], lambda d: d["nginx_rps"],
    ">=0.2, p99 < 5 ms", lambda ratio, v, d: ratio is not None and ratio >= 0.2 and d["convo_p99_ms"] < 5,
    "nginx static", lambda d: "convo p50 %.2f ms, p99 %.2f ms" % (d["convo_p50_ms"], d["convo_p99_ms"]))


def fig(v):
    if v is None:
        return "-"
    return "%.4g" % v if abs(v) < 1000 else "%.0f" % v


print("\nissue 13 goals (%s mode); ratio = convo / peer in the row's unit" % MODE)
fmt = "%-42s %-8s %10s %10s %-22s %8s %-22s %-5s %s"
print(fmt % ("row", "unit", "convo", "peer", "peer is", "ratio", "goal", "met", "notes"))
for r in ROWS:
    met = "-" if r["met"] is None else ("yes" if r["met"] else "no")
    peer = fig(r["peer"]) if r["peer"] is not None or r["convo"] is None or r["peer_name"] == "-" else "unavailable"
    print(fmt % (r["row"], r["unit"], fig(r["convo"]), peer, r["peer_name"],
                 "-" if r["ratio"] is None else "%.3f" % r["ratio"], r["goal"], met, r["note"] or ""))
met = sum(1 for r in ROWS if r["met"])
ran = sum(1 for r in ROWS if r["met"] is not None)
print("\n%d of %d rows met, %d not met, %d not produced\n" % (met, len(ROWS), ran - met, len(ROWS) - ran))
print(json.dumps({"mode": MODE, "met": met, "rows_total": len(ROWS), "not_produced": len(ROWS) - ran,
                  "rows": [{k: r[k] for k in ("row", "unit", "convo", "peer", "ratio", "goal", "met", "note")}
                           for r in ROWS]}, separators=(",", ":")))
