"""An Ansible stdout callback for the course: one JSON line per host and task, which helpers.remote reads as a table."""
import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: course_rows
type: stdout
short_description: one JSON line per host and task
description: Prints each task result as a JSON object on a line of its own (host, task, status, changed, rc, output).
"""


def part(result, name):
    """result.NAME: public from ansible-core 2.19 on; 2.17 (the last for Python 3.10) has only result._NAME."""
    return getattr(result, name) if hasattr(result, name) else getattr(result, "_" + name)


class CallbackModule(CallbackBase):
    """Each result as a line of JSON on stdout; nothing else goes to stdout."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "course_rows"

    def _row(self, result, status):
        data, host, task = (part(result, name) for name in ("result", "host", "task"))
        if status == "ok" and data.get("changed"):
            status = "changed"
        row = {"host": host.get_name(), "task": task.get_name(), "status": status,
               "rc": data.get("rc"), "stdout": data.get("stdout", ""), "stderr": data.get("stderr", ""),
               "msg": str(data.get("msg", "")) if status != "ok" and status != "changed" else ""}
        self._display.display(json.dumps(row, default=str))

    def v2_runner_on_ok(self, result):
        self._row(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._row(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._row(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._row(result, "skipped")
