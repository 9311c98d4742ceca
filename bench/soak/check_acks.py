#!/usr/bin/python3
"""bench/soak/check_acks.py DB ACKS: after the kill -9, every acknowledged write (ACKS, from
writer.py) must be in the SQLite store DB, and the database must pass PRAGMA integrity_check.
Prints "acknowledged N missing M integrity ok|<first problem>"; exits 1 on a missing write or a
failed check."""
import json
import sqlite3
import sys


def main():
    db, path = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(db)
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    stored = set()
    for sender, data in con.execute("SELECT sender_id, data FROM events WHERE type_name = 'user'"):
        stored.add((sender, json.loads(data).get("text")))
    acked = [tuple(line.rstrip("\n").split("\t")) for line in open(path, encoding="utf-8") if line.strip()]
    missing = [a for a in acked if a not in stored]
    print("acknowledged %d missing %d integrity %s" % (len(acked), len(missing), integrity))
    for m in missing[:5]:
        print("missing: %s %s" % m)
    sys.exit(0 if not missing and integrity == "ok" else 1)


if __name__ == "__main__":
    main()
