"""An Ansible stdout callback for the course: one JSON line per host and task, which helpers.remote reads as a table."""
import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: course_rows
type: stdout
short_description: one JSON line per host and task
description: Prints each task result as a JSON object on a line of its own (host, task, status, changed, rc, output).
"""


class CallbackModule(CallbackBase):
    """Each result as a line of JSON on stdout; nothing else goes to stdout."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "course_rows"

    def _row(self, result, status):
        data = result.result
        if status == "ok" and data.get("changed"):
            status = "changed"
        row = {"host": result.host.get_name(), "task": result.task.get_name(), "status": status,
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
