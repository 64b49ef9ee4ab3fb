"""Hadoop streaming on one machine: the files fed into `mapper.py | sort | reducer.py`, real processes joined by
real pipes, as Hadoop feeds each mapper its input on stdin and sorts between mappers and reducers."""
import os
import select
import shlex
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tqdm.auto import tqdm

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn

HERE = Path(__file__).resolve().parent
MAPPER, REDUCER = HERE / "mapper.py", HERE / "reducer.py"
CHUNK = 64 * 1024  # bytes read from a file at a time


def stages(sort=True):
    """The commands of the pipeline, as a shell would run them (sort=False leaves out the sort, to see why)."""
    return [[sys.executable, str(MAPPER)], *([["sort"]] if sort else []), [sys.executable, str(REDUCER)]]


def stage_name(argv):
    """mapper.py, sort or reducer.py."""
    return Path(argv[1]).name if argv[0] == sys.executable else argv[0]


def shell_line(files):
    """The same pipeline as one line to paste into a terminal, whatever its folder: every path in full, and python3
    (the mapper and the reducer need nothing but Python's standard library)."""
    logs = shlex.quote(str(Path(files[0]).resolve().parent))
    return (f"cat {logs}/part-*.log | python3 {shlex.quote(str(MAPPER))} | LC_ALL=C sort "
            f"| python3 {shlex.quote(str(REDUCER))}")


def feed(files, pipe, output, deadline, progress):
    """Write the files into pipe (the mapper's stdin), reading what comes out of output meanwhile (so neither end
    waits for the other), never past deadline; a bar counts the bytes. Returns what came out so far."""
    os.set_blocking(pipe.fileno(), False)
    came = []
    with tqdm(total=sum(Path(f).stat().st_size for f in files), unit="B", unit_scale=True, desc="into mapper.py",
              disable=not progress) as bar:
        for path in files:
            with open(path, "rb") as source:
                while chunk := source.read(CHUNK):
                    view = memoryview(chunk)
                    while view:
                        wait = max(0.0, deadline - time.monotonic())
                        readable, writable, _ = select.select([output], [pipe], [], wait)
                        if not readable and not writable:
                            raise subprocess.TimeoutExpired("mapper.py", 0)
                        if readable:
                            came.append(os.read(output.fileno(), CHUNK))
                        if writable:
                            try:
                                sent = os.write(pipe.fileno(), view)
                            except BlockingIOError:
                                continue
                            view = view[sent:]
                            bar.update(sent)
    pipe.close()  # end of input: the mapper finishes, then sort can start writing
    return b"".join(came)


def run_streaming(files, timeout=60.0, sort=True, progress=True, lines=False):
    """Run the pipeline; its output as {key: total}, or a ServiceError naming the stage that failed or took too long.

    lines=True returns every line the reducer wrote, as (key, total) pairs in order. Without the sort a key comes
    back once per run of equal keys: a dict cannot hold that, so then only lines=True does."""
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise ServiceError(f"no such log file: {missing[0]}")
    env = dict(os.environ, LC_ALL="C")  # sort by bytes, as Hadoop does, whatever the learner's locale
    deadline, procs, upstream = time.monotonic() + timeout, [], subprocess.PIPE
    try:
        for argv in stages(sort):
            procs.append(spawn(argv, stdin=upstream, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env))
            if upstream is not subprocess.PIPE:
                upstream.close()  # only the next stage reads it now: when that stage ends, the writer sees it
            upstream = procs[-1].stdout
        try:
            out = feed(files, procs[0].stdin, procs[-1].stdout, deadline, progress)
        except BrokenPipeError:
            out = b""  # the mapper died: its exit status says so below
        out += procs[-1].communicate(timeout=max(0.0, deadline - time.monotonic()))[0]
    except subprocess.TimeoutExpired:
        raise ServiceError(f"the streaming pipeline did not finish within {timeout:g} s") from None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            end_process(proc)
    for argv, proc in zip(stages(sort), procs):
        if proc.returncode != 0:
            raise ServiceError(f"{stage_name(argv)} exited with status {proc.returncode}")
    written = [(key, int(total)) for key, total in (line.split("\t") for line in out.decode().splitlines())]
    if lines:
        return written
    counts = dict(written)
    if len(counts) < len(written):
        key, times = max(Counter(key for key, _ in written).items(), key=lambda item: item[1])
        raise ServiceError(f"reducer.py wrote {len(written):,} lines for {len(counts)} keys ({key} {times:,} times): "
                           "its input was not sorted by key; lines=True gives every line")
    return counts
