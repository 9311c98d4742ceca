"""Exit 0 when two JSON documents are equal with types kept (1 and 1.0 differ), else print a diff.

Usage: json_equal.py ACTUAL_FILE EXPECTED_FILE [KEY_PATH]  (KEY_PATH like current_state.ALL)
"""
import json
import sys


def canon(value):
    # json.dumps keeps the int/float distinction; sort keys so order does not matter here
    # (key order is checked by the C++ oracle suite).
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


actual = json.load(open(sys.argv[1]))
expected = json.load(open(sys.argv[2]))
if len(sys.argv) > 3:
    for key in sys.argv[3].split("."):
        expected = expected[key]
if canon(actual) != canon(expected):
    print("actual:  ", canon(actual)[:600])
    print("expected:", canon(expected)[:600])
    sys.exit(1)
