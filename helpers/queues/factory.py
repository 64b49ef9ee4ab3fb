"""Exercise 17.4's checker: your conveyor and Lucy on a fresh redis-server, judged by the belt, her lines and the
server's command counts. It prints a report and returns a CheckResult.

How it knows what Lucy did: both functions get a redis-py client that notes each command it sends and when
the reply came (helpers/queues/recording.py); what Lucy's thread prints is kept as timed lines
(helpers/core/learner.py), while what other threads print goes on to the notebook; and the server itself counts
its commands (INFO commandstats), which is where a polling loop shows, whatever client sent it.
"""
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from helpers.core.checks import checks_for, reported
from helpers.core.learner import LearnerCall, printed_by, said
from helpers.queues.recording import RecordingRedis
from helpers.servers.redis import redis_server

BELT = ["praline", "dark", "milk", "truffle", "dark", "caramel", "white", "nougat", "milk"]
TYPES = sorted(set(BELT) | {"marzipan", "hazelnut"})
BELT_KEY = "belt-under-test"
INTERVAL = 0.05  # the conveyor puts a piece on the belt this often during the check
SECONDS = 0.1  # Lucy's handling time in the check (the exercise's 0.5 s, scaled down): she falls behind
IDLE = 0.4  # Lucy starts this long before the conveyor: she must wait on an empty belt
BUDGET = 10.0  # the whole check ends within about this many seconds, whatever the functions do
LATE = 1.5  # Lucy may still be busy this long after her last piece should be done
BLOCKING = {"blpop", "brpop", "blmove", "brpoplpush", "blmpop"}
QUIET = {"rpush", "lpush", "rpushx", "lpushx", "hello", "auth", "client", "info", "select", "command", "reset"}
POPS = {"BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "LPOP", "RPOP", "LMOVE", "RPOPLPUSH", "LMPOP"}
TIME_RE = re.compile(r"\b(\d{1,2}):(\d{2}):(\d{2})(?:[.,]\d+)?\b")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}|\b[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2}\b|\b(19|20)\d{2}\b")

LABELS = {
    "conveyor": "the conveyor RPUSHes each piece onto the belt, in order",
    "interval": f"one piece every `interval` seconds ({INTERVAL:g} s in this check)",
    "end": 'then it puts "END" on the belt',
    "stops": 'Lucy waits for pieces and returns when she takes "END"',
    "blocking": "Lucy waits with a blocking pop (no busy polling)",
    "lines": "she prints one line per piece: the time, the type, how many remain",
    "once": "every piece is handled exactly once",
    "order": "in belt order",
    "remaining": "the counts of pieces left on the belt are right",
    "handling": f"she spends `seconds` on each piece ({SECONDS:g} s in this check)",
}

HINTS = {
    "conveyor": "Put each piece on the right-hand end of the belt, one at a time: r.rpush(belt, piece)",
    "interval": "Wait between pieces: time.sleep(interval) after each r.rpush(belt, piece)",
    "end": 'After the last piece, r.rpush(belt, "END"): that is how Lucy learns that the belt has stopped',
    "blocking": "Take each piece with a blocking pop, _, piece = r.blpop(belt): it waits inside Redis until a "
                "piece arrives. A loop of LPOP or LLEN asks again and again and keeps the server busy",
    "stops": 'Loop until the piece is "END", then return. Do not stop when the belt is empty: the conveyor may '
             "be slower than Lucy, and a blocking pop simply waits for the next piece",
    "lines": 'Print one line per piece, e.g. print(f"{datetime.now():%H:%M:%S.%f} {piece}: {left} left"), '
             "with left = r.llen(belt) asked right after taking the piece",
    "once": "Take one piece per blocking pop and print one line for it: no extra pops, no piece printed twice",
    "order": "The conveyor pushes on the right (RPUSH), so Lucy takes from the left (BLPOP): first in, first out",
    "remaining": "Ask r.llen(belt) right after taking the piece: that is how many remain on the belt",
    "handling": "Spend `seconds` on each piece: time.sleep(seconds) after printing its line",
}
PAIR_HINT = ("r.blpop(belt) returns a pair, (list, piece), not the piece: your line {line} shows {what} where the "
             'piece should be, so it is never "END". Take the pair apart: _, piece = r.blpop(belt)')


@dataclass
class Trial:
    """Everything one run of your two functions left behind, for the judging."""

    started: float = 0.0
    conveyor_done: float | None = None
    conveyor_stuck: bool = False
    lucy_stuck: bool = False
    ended: list = field(default_factory=list)  # the functions whose threads the course had to end
    lucy_error: BaseException | None = None
    conveyor_error: BaseException | None = None
    lucy_returned: float | None = None
    belt_left: list = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    pushes: list = field(default_factory=list)  # (sent, answered, command, value) per piece the conveyor put
    pops: list = field(default_factory=list)  # (answered, value) per piece Lucy's client took
    lines: list = field(default_factory=list)
    not_solved: bool = False


def command_calls(r):
    """The server's count of calls per command (INFO commandstats), as a Counter."""
    return Counter({name.removeprefix("cmdstat_"): stats["calls"] for name, stats in r.info("commandstats").items()})


def popped(command, reply):
    """The pieces a pop command's reply holds."""
    if reply is None:
        return []
    if command in ("BLPOP", "BRPOP"):
        return [reply[1]]
    if command in ("BLMPOP", "LMPOP"):
        return list(reply[1])
    return list(reply) if isinstance(reply, list) else [reply]


def run_both(server, conveyor, lucy):
    """Run lucy, then (IDLE s later) the conveyor, against server; end whatever does not end in time."""
    trial, own = Trial(started=time.monotonic()), server.client()
    conveyor_r, lucy_r = (RecordingRedis(*server.address, password=server.password) for _ in range(2))
    own.delete(BELT_KEY)
    before = command_calls(own)
    lucy_w = LearnerCall("lucy", lucy, lucy_r, BELT_KEY, SECONDS, prefix="factory-check-")
    conveyor_w = LearnerCall("conveyor", conveyor, conveyor_r, BELT_KEY, list(BELT), INTERVAL, prefix="factory-check-")
    with printed_by(lucy_w.thread, conveyor_w.thread) as printed:
        lucy_w.start()
        lucy_w.wait(trial.started + IDLE)
        if isinstance(lucy_w.error, NotImplementedError):
            trial.not_solved = True
        else:
            conveyor_w.start()
            conveyor_w.wait(min(time.monotonic() + len(BELT) * INTERVAL + 3, trial.started + BUDGET - 2))
            trial.not_solved = isinstance(conveyor_w.error, NotImplementedError)
            trial.conveyor_done = conveyor_w.returned_at
            lucy_w.wait(min(time.monotonic() + (len(BELT) + 1) * SECONDS + LATE, trial.started + BUDGET - 1))
        trial.calls = command_calls(own) - before - Counter(info=1)
        trial.belt_left = own.lrange(BELT_KEY, 0, 20)
        own.close()
        alive = [w for w in (lucy_w, conveyor_w) if w.alive]
        if alive:
            server.stop()  # a pop or push that still waits now fails, and so ends a well-behaved loop
        for worker in alive:
            if not worker.wait(time.monotonic() + 1):
                worker.end(within=1)  # it caught the error and went on: end its thread for it
                trial.ended.append("Lucy" if worker is lucy_w else "the conveyor")
        lines = printed.lines[lucy_w.thread]
    trial.lucy_stuck, trial.conveyor_stuck = lucy_w in alive, conveyor_w in alive
    trial.lucy_error = None if lucy_w in alive else lucy_w.error
    trial.conveyor_error = None if conveyor_w in alive else conveyor_w.error
    trial.lucy_returned = lucy_w.returned_at
    trial.lines = [line for line in lines if line.text.strip()]
    trial.pushes = [(sent, answered, name, value) for sent, answered, name, args, _ in conveyor_r.log
                    if name in ("RPUSH", "LPUSH") and args and args[0] == BELT_KEY for value in args[1:]]
    trial.pops = [(answered, value) for _, answered, name, _, reply in lucy_r.log if name in POPS
                  for value in popped(name, reply)]
    for client in (conveyor_r, lucy_r):
        client.close()
    return trial


def check_chocolate_factory(conveyor, lucy, quiet=False):
    """Check exercise 17.4's conveyor(r, belt, pieces, interval) and lucy(r, belt, seconds) together, on a
    redis-server of the check's own; print a report (unless quiet) and return a CheckResult."""
    server = redis_server("chocolate-factory-under-test").start()
    try:
        trial = run_both(server, conveyor, lucy)
    finally:
        server.stop()
    return reported(judge(trial), quiet)


def judge(trial):
    """The CheckResult for a trial: checks in order, stopping at the first that fails."""
    result = checks_for(f"Checking the chocolate factory: {len(BELT)} pieces, one every {INTERVAL:g} s, "
                        f"Lucy takes {SECONDS:g} s each", LABELS)
    if trial.not_solved:
        result.status = "not solved yet"
        result.hint = "Write conveyor() and lucy() (each raises NotImplementedError until you do), then check again."
        return result
    for key, test in JUDGES.items():
        passed, detail = test(trial)
        if not result.mark(key, passed, detail):
            pair = printed_pair(trial)
            result.hint = PAIR_HINT.format(line=repr(pair[0][:70]), what=pair[1]) if pair else HINTS[key]
            error = trial.conveyor_error if key in ("conveyor", "interval", "end") else trial.lucy_error
            if error is not None:
                who = "Your conveyor" if key in ("conveyor", "interval", "end") else "Lucy"
                result.hint = f"{who} stopped with {said(error)}. " + result.hint
            break
    if trial.ended:
        result.hint += (f" ({' and '.join(trial.ended)} went on running even after the check stopped its "
                        "redis-server: does a try/except around the pop catch every error? "
                        "The check ended the thread.)")
    return result


def printed_pair(trial):
    """(line, what it shows) for Lucy's first line showing BLPOP's pair, or the list's name, as a piece; or None."""
    for line in trial.lines:
        text = line.text.strip()
        if f"('{BELT_KEY}', " in text:
            return text, "the pair"
        if BELT_KEY in text and not parse(text)[1]:
            return text, "the list's name"
    return None


def judge_conveyor(trial):
    if trial.conveyor_error is not None:
        return False, f"it stopped with {said(trial.conveyor_error)}"
    if trial.conveyor_stuck:
        return False, f"it did not return within {len(BELT) * INTERVAL + 3:g} s"
    if any(command == "LPUSH" for *_, command, _ in trial.pushes):
        return False, "it used LPUSH: pieces went in at the left, the end Lucy takes from"
    put = [value for *_, value in trial.pushes if value != "END"]
    return put == BELT, f"it put {put} on the belt" if put != BELT else ""


def judge_interval(trial):
    times = [sent for sent, _, _, value in trial.pushes if value != "END"]
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    short = min(range(len(gaps)), key=gaps.__getitem__) if gaps else None
    if short is not None and gaps[short] < 0.7 * INTERVAL:
        return False, f"pieces {short + 1} and {short + 2} went on the belt {gaps[short]:.3f} s apart"
    return True, ""


def judge_end(trial):
    values = [value for *_, value in trial.pushes]
    if not values or values[-1] != "END":
        last = repr(values[-1]) if values else "nothing"
        return False, f'the last thing put on the belt was {last}: Lucy waits for "END" for ever'
    return values.count("END") == 1, "" if values.count("END") == 1 else '"END" went on the belt more than once'


def judge_blocking(trial):
    blocking = sum(trial.calls[c] for c in BLOCKING)
    polls = {c: n for c, n in trial.calls.items() if c not in BLOCKING | QUIET and n}
    counted = ", ".join(f"{c.upper()} ×{n:,}" for c, n in sorted(polls.items(), key=lambda cn: -cn[1])[:3])
    pieces = len(BELT) + 1
    if not blocking:
        return False, f"no blocking pop reached the server ({counted or 'no pops at all'})"
    if sum(polls.values()) > 2 * pieces + 10:
        return False, f"the server counted {sum(polls.values()):,} other commands for {pieces} pieces ({counted})"
    if blocking > pieces + 10:
        return False, f"{blocking:,} blocking pops for {pieces} pieces: a tiny timeout makes it polling again"
    return True, f"{blocking} blocking pops" + (f", {counted}" if counted else "")


def judge_stops(trial):
    if trial.lucy_error is not None:
        return False, f"she stopped with {said(trial.lucy_error)}"
    if trial.lucy_stuck:
        return False, f'she took "END" and went on waiting: still running {LATE:g} s after her last piece'
    if trial.lucy_returned is not None and (trial.conveyor_done is None or trial.lucy_returned < trial.conveyor_done
                                            or trial.belt_left):
        return False, (f"she returned after {trial.lucy_returned - trial.started:.2f} s, with "
                       f"{len(trial.belt_left)} piece(s) still on the belt")
    return True, ""


def parse(line):
    """(hh:mm:ss time in seconds of the day, chocolate types named, count) from one of Lucy's lines."""
    found = TIME_RE.search(line)
    clock = int(found[1]) * 3600 + int(found[2]) * 60 + int(found[3]) if found else None
    rest = DATE_RE.sub(" ", TIME_RE.sub(" ", line))
    types = [t for t in TYPES if re.search(rf"\b{t}\b", rest, re.I)]
    numbers = re.findall(r"\b\d+\b", rest)
    return clock, types, int(numbers[-1]) if numbers else None


def piece_lines(trial):
    """Lucy's lines about pieces (a last line about "END" left out)."""
    lines = list(trial.lines)
    if lines and "END" in lines[-1].text and not parse(lines[-1].text)[1]:
        lines.pop()
    return lines


def judge_lines(trial):
    lines = piece_lines(trial)
    if not lines:
        return False, "she printed nothing"
    for line in lines:
        clock, types, count = parse(line.text)
        shown = repr(line.text[:70])
        if not types:
            return False, f"{shown} names no chocolate"
        if len(types) > 1:
            return False, f"{shown} names {len(types)} types"
        if clock is None:
            return False, f"{shown} has no time of day (HH:MM:SS)"
        now = line.wall.hour * 3600 + line.wall.minute * 60 + line.wall.second
        if min(abs(clock - now), 86400 - abs(clock - now)) > 2:
            return False, f"{shown}: it was {line.wall:%H:%M:%S} when she printed it"
        if count is None:
            return False, f"{shown} does not say how many pieces remain"
    return True, f"e.g. {lines[0].text.strip()[:60]!r}"


def handled(trial):
    return [parse(line.text)[1][0] for line in piece_lines(trial)]


def judge_once(trial):
    done, belt = Counter(handled(trial)), Counter(BELT)
    missing, twice = belt - done, done - belt
    if missing or twice:
        parts = ([f"dropped {', '.join(missing.elements())}"] if missing else []) + (
            [f"handled {', '.join(twice.elements())} once too often"] if twice else [])
        return False, "; ".join(parts)
    return True, f"{len(BELT)} pieces"


def judge_order(trial):
    done = handled(trial)
    return done == BELT, "" if done == BELT else f"she handled {done}"


def judge_remaining(trial):
    lines, pops = piece_lines(trial), [at for at, value in trial.pops if value != "END"]
    pushes = trial.pushes
    end_sent = next((sent for sent, _, _, value in pushes if value == "END"), None)
    for k, line in enumerate(lines, 1):
        count = parse(line.text)[2]
        took = pops[k - 1] if len(pops) >= k else lines[k - 2].at if k > 1 else trial.started
        low = sum(answered <= took for _, answered, _, _ in pushes) - k  # surely on the belt after her k-th pop
        high = sum(sent <= line.at for sent, _, _, _ in pushes) - k  # at most this many by the time she printed
        low -= end_sent is not None and end_sent <= line.at  # "END" may be counted as a piece, or not
        if not low <= count <= high:
            held = f"{high}" if low == high else f"{max(low, 0)} to {high}"
            return False, f"after piece {k} she printed {count} left: the belt then held {held}"
    return True, ""


def judge_handling(trial):
    times = [line.at for line in piece_lines(trial)]
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    if gaps and min(gaps) < 0.7 * SECONDS:
        k = gaps.index(min(gaps))
        return False, f"pieces {k + 1} and {k + 2} were {min(gaps):.3f} s apart"
    return True, ""


JUDGES = {"conveyor": judge_conveyor, "interval": judge_interval, "end": judge_end, "stops": judge_stops,
          "blocking": judge_blocking, "lines": judge_lines, "once": judge_once, "order": judge_order,
          "remaining": judge_remaining, "handling": judge_handling}


def run_factory(conveyor, lucy, server, pieces, interval=0.3, seconds=0.5, belt="belt", timeout=15.0):
    """Run your conveyor and Lucy together on server (a running redis-server), each in a thread; Lucy's lines
    appear below the cell. Waits at most timeout s, then says in one line what did not end, and ends it."""
    conveyor_r, lucy_r = server.client(timeout=timeout), server.client(timeout=timeout)
    conveyor_r.delete(belt)
    workers = [LearnerCall("lucy", lucy, lucy_r, belt, seconds, prefix="factory-check-"),
               LearnerCall("conveyor", conveyor, conveyor_r, belt, list(pieces), interval, prefix="factory-check-")]
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.start()
    for worker in workers:
        if not worker.wait(deadline):
            worker.end(within=1)
            print(f"{worker.name} was still running after {timeout:g} s: the course ended it")
        elif worker.error is not None:
            print(f"{worker.name} stopped with {worker.failure}")
    conveyor_r.close()
    lucy_r.close()
