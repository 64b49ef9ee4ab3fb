#!/usr/bin/env python3
"""A Hadoop streaming reducer: reads `key<TAB>count` lines sorted by key on stdin, writes `key<TAB>total` per key."""
import sys

current, total = None, 0
for line in sys.stdin:
    key, count = line.rstrip("\n").split("\t")
    if key != current:  # sorted input: all lines of one key come together, so a new key means the last is done
        if current is not None:
            print(f"{current}\t{total}")
        current, total = key, 0
    total += int(count)
if current is not None:
    print(f"{current}\t{total}")
