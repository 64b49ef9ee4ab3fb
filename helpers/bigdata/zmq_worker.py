"""A MapReduce worker for the ZeroMQ pipeline of notebook 05: PULL a map or reduce task, PUSH its result.

Run as `python -m helpers.bigdata.zmq_worker TASKS RESULTS NAME`. A task is three frames: kind (map or reduce),
task id, JSON payload; a result is the worker's name, the task id and the JSON answer.
"""
import argparse
import json

import zmq

from helpers.bigdata.by_hand import map_lines, reduce_pairs, shuffle


def map_task(payload):
    """Map and shuffle one file; a combiner adds up each key's pairs, so one small dict per partition goes back."""
    with open(payload["path"]) as lines:
        return [reduce_pairs(bucket) for bucket in shuffle(map_lines(lines), payload["partitions"])]


def reduce_task(payload):
    """Reduce one partition: add up the partial counts every map task sent for it."""
    return reduce_pairs((key, value) for counts in payload for key, value in counts.items())


def serve(tasks, results, name):
    """Connect to the ventilator and the sink, then do task after task until the process is stopped."""
    context = zmq.Context()
    pull, push = context.socket(zmq.PULL), context.socket(zmq.PUSH)
    pull.setsockopt(zmq.MAXMSGSIZE, 16 * 1024 * 1024)
    pull.connect(tasks)
    push.connect(results)
    work = {b"map": map_task, b"reduce": reduce_task}
    while True:
        kind, task_id, payload = pull.recv_multipart()
        answer = work[kind](json.loads(payload))
        push.send_multipart([name.encode(), task_id, json.dumps(answer).encode()])


def main(argv=None):
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", help="the ventilator's endpoint (tasks are PULLed from it)")
    parser.add_argument("results", help="the sink's endpoint (results are PUSHed to it)")
    parser.add_argument("name", help="this worker's name, sent with every result")
    args = parser.parse_args(argv)
    try:
        serve(args.tasks, args.results, args.name)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
