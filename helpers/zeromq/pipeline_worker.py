"""One pipeline worker, a process of its own: PULL a task, do the work, PUSH the result to the sink.

Run as `python -m helpers.zeromq.pipeline_worker TASKS RESULTS NAME [--die-after N]`.
"""
import argparse
import os

import zmq


def count_primes(limit):
    """The work: how many primes are below limit, by trial division (plain Python, so it keeps a core busy)."""
    found = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            found += 1
    return found


def serve(tasks, results, name, die_after=None):
    """Connect to the ventilator and the sink, then work task after task until the process is stopped."""
    context = zmq.Context()
    pull, push = context.socket(zmq.PULL), context.socket(zmq.PUSH)
    pull.setsockopt(zmq.MAXMSGSIZE, 1024)  # a task is two short numbers
    pull.connect(tasks)
    push.connect(results)
    done = 0
    while True:
        task_id, limit = pull.recv_multipart()
        if die_after is not None and done >= die_after:
            push.close(linger=1000)  # results already sent still reach the sink (so a run shows what was done)
            context.destroy(linger=0)
            os._exit(1)  # then a crash: this task and every task already queued for this worker are lost
        push.send_multipart([name.encode(), task_id, str(count_primes(int(limit))).encode()])
        done += 1


def main(argv=None):
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", help="the ventilator's endpoint (tasks are PULLed from it)")
    parser.add_argument("results", help="the sink's endpoint (results are PUSHed to it)")
    parser.add_argument("name", help="this worker's name, sent with every result")
    parser.add_argument("--die-after", type=int, default=None, help="crash when task N+1 arrives")
    args = parser.parse_args(argv)
    try:
        serve(args.tasks, args.results, args.name, args.die_after)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
