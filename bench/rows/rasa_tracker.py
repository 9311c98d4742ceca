#!/usr/bin/python3
"""The Rasa peer of `convo tracker show --events FILE --include-events ALL -o json` (bench/rows/file.sh):
Rasa 2.8.12's own tracker code, run by the turn oracle of ../shared/oracle (its README; Rasa's code
stays outside the repository), on the same file. Timed in-process, imports excluded, best of RUNS:
    json.load(FILE) -> DialogueStateTracker.from_dict("default", events, slots)
    -> current_state(EventVerbosity.ALL) -> json.dumps
slots: an AnySlot per slot name the events set, in order of first appearance (convo without --domain
reports the slots its events set). With CONVO_OUT (convo's output for the same file) the two
documents are compared once, untimed.

usage: rasa_tracker.py ORACLE_DIR FILE RUNS [CONVO_OUT]
prints one JSON line: {"rasa_s", "rasa_mean_s", "runs", "events", "out_bytes", "same_as_convo"}"""
import json
import os
import sys
import time


def main():
    oracle, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    convo_out = sys.argv[4] if len(sys.argv) > 4 else None
    sys.path.insert(0, os.path.abspath(oracle))
    import turn_oracle  # noqa: F401  (puts Rasa's sources, the shims and the stubs on the path)
    from rasa.shared.core.slots import AnySlot
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    with open(path, encoding="utf-8") as f:
        names = list(dict.fromkeys(e["name"] for e in json.load(f) if e.get("event") == "slot"))
    times, out, n = [], "", 0
    for _ in range(runs):
        slots = [AnySlot(name) for name in names]  # untimed: the domain's part
        t0 = time.perf_counter()
        with open(path, encoding="utf-8") as f:
            events = json.load(f)
        tracker = DialogueStateTracker.from_dict("default", events, slots)
        out = json.dumps(tracker.current_state(EventVerbosity.ALL))
        times.append(time.perf_counter() - t0)
        n = len(tracker.events)
    same = None
    if convo_out:
        with open(convo_out, encoding="utf-8") as f:
            same = json.load(f) == json.loads(out)
    print(json.dumps({"rasa_s": min(times), "rasa_mean_s": sum(times) / len(times), "runs": runs,
                      "events": n, "out_bytes": len(out.encode()), "same_as_convo": same}))


if __name__ == "__main__":
    main()
