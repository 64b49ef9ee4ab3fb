"""What the exercise checkers share: a check, the verdict and its report, ISO 8601 times, the server under test."""
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass
class Check:
    """One check: a short key, what it checks, passed (True, False, or None when not run), and why."""

    key: str
    label: str
    passed: bool | None = None
    detail: str = ""


@dataclass
class CheckResult:
    """The checker's verdict: `.passed`, the individual `.checks`, and a `.hint` for the first failure."""

    title: str
    checks: list = field(default_factory=list)
    hint: str = ""
    status: str = ""

    @property
    def passed(self):
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed(self):
        """The key of the first failed check, or None."""
        return next((c.key for c in self.checks if c.passed is False), None)

    def check(self, key):
        """The check with this key."""
        return next(c for c in self.checks if c.key == key)

    def mark(self, key, passed, detail=""):
        """Set the outcome of check `key`, and why; returns passed."""
        check = self.check(key)
        check.passed, check.detail = passed, detail
        return passed

    def report(self):
        """The report as text: the checks that ran, in order, then those skipped after a failure."""
        marks = {True: "✓", False: "✗"}
        lines = [self.title]
        ran = [c for c in self.checks if c.passed is not None]
        for c in ran:
            lines.append(f"  {marks[c.passed]} {c.label}" + (f": {c.detail}" if c.detail else ""))
        for c in self.checks if ran else []:
            if c.passed is None:
                lines.append(f"  · {c.label} (skipped: an earlier check failed)")
        lines.append(f"Result: {self.status or ('passed' if self.passed else 'failed')}")
        if self.hint and not self.passed:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<CheckResult {'passed' if self.passed else self.status or 'failed'}>"


def checks_for(title, labels):
    """A CheckResult titled `title` with one check, not run yet, per key and label of `labels`."""
    return CheckResult(title, [Check(key, label) for key, label in labels.items()])


def reported(result, quiet=False):
    """The result, its report printed first unless quiet."""
    if not quiet:
        print(result.report())
    return result


def parse_time(data):
    """The datetime in an ISO 8601 reply, or a reason why there is none."""
    text = data.decode("utf-8", errors="replace").strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None, f"{data[:60]!r} is not an ISO 8601 date and time"
    if len(text) <= 10:
        return None, f"{text!r} has a date but no time of day"
    return when, ""


def seconds_off(when):
    """How far `when` is from now, in seconds (naive times are taken as local time)."""
    now = datetime.now(timezone.utc) if when.tzinfo else datetime.now()
    return abs((when - now).total_seconds())


def located(server, form, attribute):
    """A server's URL or endpoint: the string given, `form` filled with a (host, port), or a service's attribute."""
    if isinstance(server, str):
        return server
    if isinstance(server, (tuple, list)):
        return form.format(server[0], server[1])
    return getattr(server, attribute)


def check_server(server, start, check, quiet=False, stops=None):
    """check(server) on your function run by start() and stopped after, a running service, or an address."""
    owned = start(server) if callable(server) else None
    try:
        result = check(server if owned is None else owned)
    finally:
        if owned is not None:
            owned.stop()
    if stops and owned is not None and owned.stuck:  # stops: (label, hint) of the check that it ended when stopped
        result.checks.append(Check("stops", stops[0], False,
                                   "it went on running after stop(); the course ended its thread"))
        result.hint = stops[1] if result.failed == "stops" else result.hint
    return reported(result, quiet)


def first_failure_hint(result, server, yours, hints, text_error):
    """Give result the hint for its first failure, led by the error your server (a `yours`) stopped with."""
    if result.failed and not result.hint:
        result.hint = hints[result.failed]
        if isinstance(server, yours):
            server._thread.join(timeout=0.2)  # a function that just failed may still be on its way out
            error = server.error
            if error is not None:
                result.hint = f"Your server stopped with {type(error).__name__}: {error}. " + (
                    hints["bytes"] if isinstance(error, TypeError) and text_error in str(error) else result.hint)
    return result
