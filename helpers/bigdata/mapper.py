#!/usr/bin/env python3
"""A Hadoop streaming mapper: reads access-log lines on stdin, writes `page<TAB>1` for each on stdout."""
import sys

for line in sys.stdin:
    request = line.split('"')
    if len(request) > 2 and request[1].count(" ") == 2:  # "GET /page HTTP/1.1"
        print(f"{request[1].split(' ')[1]}\t1")
