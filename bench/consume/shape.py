#!/usr/bin/python3
"""shape.py EVENTS.json CONVERSATIONS OUT.tsv

Turns the event list of convo_bench_gen (one long conversation) into the messages Rasa 2.8's
event brokers publish for CONVERSATIONS conversations: the list is cut into CONVERSATIONS
contiguous runs (conversation bench-00000 gets the first run, and so on), and the runs are
interleaved one event at a time, as a server taking many conversations at once publishes them.
Order within each conversation is kept. Each body is what Rasa's brokers send:
json.dumps({"sender_id": ..., **event}) (Python's default separators, sender_id first).

Writes one message per line as KEY<TAB>BODY (for `kcat -P -K '\\t' -l`; the tab cannot occur in
a body, json.dumps escapes it) and prints "messages bytes" (bytes of the bodies only).
"""
import json
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    events = json.load(open(sys.argv[1], encoding="utf-8"))
    conversations = max(1, min(int(sys.argv[2]), len(events)))
    n = len(events)
    # Run k covers events[bounds[k]:bounds[k + 1]]; lengths differ by at most one.
    bounds = [k * n // conversations for k in range(conversations + 1)]
    longest = max(bounds[k + 1] - bounds[k] for k in range(conversations))
    body_bytes = 0
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        for step in range(longest):
            for k in range(conversations):
                i = bounds[k] + step
                if i >= bounds[k + 1]:
                    continue
                sender = "bench-%05d" % k
                body = json.dumps({"sender_id": sender, **events[i]})
                body_bytes += len(body.encode("utf-8"))
                out.write(sender + "\t" + body + "\n")
    print(n, body_bytes)


if __name__ == "__main__":
    main()
