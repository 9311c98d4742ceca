#!/usr/bin/env python3
"""Compares a conversation convo stored with one Rasa 2.8.12 produced (an oracle fixture from
tests/fixtures/dialogue_oracle): the bot messages of every turn and every event, field by field,
ignoring only what differs by nature (timestamps, message ids).

Usage: oracle_compare.py FIXTURE.json CONVO_TRACKER.json TURNS.json
  TURNS.json: [[bot messages of turn 1], [turn 2], ...] as convo's REST channel answered.
Exit 0 when equal; otherwise prints the first difference and exits 1."""
import json
import sys

VOLATILE = {"timestamp", "message_id"}


def clean(value):
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def main():
    fixture, tracker, turns = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
    want_turns = [t["bot"] for t in fixture["turns"]]
    if turns != want_turns:
        for i, (got, want) in enumerate(zip(turns, want_turns)):
            if got != want:
                print(f"turn {i + 1} ({fixture['turns'][i]['user']}): bot messages differ\n  convo: {json.dumps(got)}\n  rasa:  {json.dumps(want)}")
                return 1
        print(f"turn count differs: convo {len(turns)}, rasa {len(want_turns)}")
        return 1
    got_events, want_events = clean(tracker["events"]), clean(fixture["events"])
    for i, (got, want) in enumerate(zip(got_events, want_events)):
        if got != want:
            print(f"event {i} differs\n  convo: {json.dumps(got, sort_keys=True)}\n  rasa:  {json.dumps(want, sort_keys=True)}")
            return 1
    if len(got_events) != len(want_events):
        extra = got_events[len(want_events):] or want_events[len(got_events):]
        print(f"event count differs: convo {len(got_events)}, rasa {len(want_events)}; first extra: {json.dumps(extra[0])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
