"""A learner's budget per notebook: Run All in a fresh kernel, as a learner, timed, its CPU seconds and peak memory.

`make budget` runs every notebook (exercises and solutions too) and writes benchmarks/budget.json;
`python tools/budget.py 14 17_` runs the notebooks whose path contains 14 or 17_ and updates only them;
`--dry-run` prints without writing; `--table` prints the recorded budget as docs/instructors.md's table.
Memory is the summed proportional set size (PSS) of the kernel and every process it starts, sampled twice a
second; CPU is every one of the run's processes' user and system time, the ones that ended included (on Linux
this process adopts orphans, so every process of the run is reaped here). As root, each run is the learner
account's, as tests/core/test_learner_conditions.py runs it.
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from footprint import Footprint, who  # noqa: E402
from learner import learner_notebooks, private_env, unprivileged  # noqa: E402

BUDGET = ROOT / "benchmarks" / "budget.json"
CELL_TIMEOUT = 300  # seconds for one cell, as a patient learner waits
RUN_TIMEOUT = 1800
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def subreaper(on):
    """Linux: adopt this process's orphaned descendants (or stop); False where the system cannot."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap(root, timeout):
    """Wait for root, reaping every child meanwhile: (CPU seconds of all reaped, root's exit code)."""
    cpu, code, deadline = 0.0, None, time.monotonic() + timeout
    while code is None:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() > deadline:
                os.kill(root, signal.SIGKILL)
            time.sleep(0.05)
            continue
        cpu += usage.ru_utime + usage.ru_stime  # a reaped process's time includes the children it reaped
        if pid == root:
            code = os.waitstatus_to_exitcode(status)
    return cpu, code


def reap_ready():
    """Reap every child that has ended now; return their CPU seconds."""
    cpu = 0.0
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return cpu
        if pid == 0:
            return cpu
        cpu += usage.ru_utime + usage.ru_stime


def still_running(footprint):
    """The run's processes that still run (zombies ended: they only wait to be reaped)."""
    alive = []
    for process in footprint.members():
        try:
            if process.status() != "zombie":
                alive.append(process)
        except Exception:  # it ended while we looked
            pass
    return alive


def reap_the_rest(footprint, wait=5.0):
    """Give what the run started wait seconds to end, then end it; return (what had to be ended, CPU seconds)."""
    cpu, deadline = 0.0, time.monotonic() + wait
    while still_running(footprint) and time.monotonic() < deadline:
        cpu += reap_ready()
        time.sleep(0.1)
    names = []
    for process in still_running(footprint):
        try:
            names.append(process.name())
            process.kill()
        except Exception:  # it ended while we looked
            pass
    time.sleep(0.5)
    return names, cpu + reap_ready()


def measure(notebook):
    """Run notebook (a path relative to the repository) as a learner; return its budget line as a dict."""
    home = Path(tempfile.mkdtemp(prefix="dis-budget-"))
    try:
        prefix, _ = unprivileged(home)
        footprint = Footprint()
        argv = [*prefix, sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                "--output-dir", str(home / "out"), f"--ExecutePreprocessor.timeout={CELL_TIMEOUT}", notebook]
        adopting = subreaper(True)
        with open(home / "run.log", "w") as log:
            started = time.perf_counter()
            process = subprocess.Popen(argv, cwd=ROOT, env=private_env(home) | footprint.mark(), stdout=log, stderr=log)
            footprint.root = process.pid
            with footprint:
                cpu, process.returncode = reap(process.pid, RUN_TIMEOUT)
                wall = time.perf_counter() - started
                left, more = reap_the_rest(footprint)
        subreaper(False)
        if not footprint.readable:
            raise SystemExit("cannot read the learner's processes' memory: run as root, or as yourself")
        if process.returncode != 0:
            raise RuntimeError((home / "run.log").read_text()[-3000:])
        return {"peak_mb": round(footprint.peak_mb), "cpu_s": round(cpu + more, 1) if adopting else None,
                "wall_s": round(wall, 1), "processes": len(footprint.at_peak), "at_peak": who(footprint.at_peak),
                **({"left_behind": left} if left else {})}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def measure_all(patterns=(), repeat=1, report=print):
    """{notebook: budget line} for every notebook whose path holds one of patterns (all if none); of repeat runs,
    the one with the highest peak (a peak falls between samples, or not)."""
    chosen = [n for n in learner_notebooks() if not patterns or any(p in n for p in patterns)]
    found = {}
    for notebook in chosen:
        found[notebook] = line = max((measure(notebook) for _ in range(repeat)), key=lambda run: run["peak_mb"])
        report(f"{notebook:48} {line['peak_mb']:>6} MB {line['cpu_s'] or 0:>7.1f} CPU-s {line['wall_s']:>7.1f} s "
               f"{line['processes']:>3} processes: {line['at_peak']}")
    return found


def table(budget):
    """The recorded budget as a markdown table, heaviest first."""
    rows = ["| notebook | peak MB | CPU s | wall s | processes at the peak |", "|---|---:|---:|---:|---:|"]
    for notebook, line in sorted(budget.items(), key=lambda item: -item[1]["peak_mb"]):
        name = Path(notebook).relative_to("notebooks").with_suffix("")
        rows.append(f"| {name} | {line['peak_mb']:,} | {line['cpu_s']} | {line['wall_s']} | {line['processes']} |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="run only notebooks whose path contains one of these")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write " + str(BUDGET.name))
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook, keeping the highest peak")
    parser.add_argument("--table", action="store_true", help="print the recorded budget as a markdown table")
    args = parser.parse_args()
    if args.table:
        return print(table(json.loads(BUDGET.read_text())))
    found = measure_all(args.patterns, args.repeat)
    if args.dry_run:
        return
    budget = json.loads(BUDGET.read_text()) if BUDGET.exists() else {}
    budget.update(found)
    BUDGET.write_text(json.dumps(dict(sorted(budget.items())), indent=2) + "\n")
    print(f"written to {BUDGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
