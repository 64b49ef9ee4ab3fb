"""`python -m helpers serve ssh`: the port, then the exact ssh command that logs in; Ctrl-C stops it all."""
import os
import re
import shutil
import signal
import subprocess
import sys

import psutil
import pytest

from helpers.core.ports import is_listening


@pytest.mark.skipif(not shutil.which("ssh") and not os.environ.get("CI"), reason="no ssh client here")
def test_serve_ssh_prints_a_command_that_logs_in_and_stops_on_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", "ssh"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", proc.stdout.readline()).group(1))
        proc.stdout.readline()  # "log in with your own ssh client ..."
        command = proc.stdout.readline().split()
        assert command[:2] == ["ssh", "-i"] and command[command.index("-p") + 1] == str(port)
        assert any(part.startswith("UserKnownHostsFile=") for part in command) and command[-1].endswith("@127.0.0.1")
        done = subprocess.run([*command, "-o", "BatchMode=yes", "echo logged in; exit 7"], capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert (done.stdout, done.returncode) == ("logged in\n", 7), done.stderr
        server = psutil.Process(proc.pid).children()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0 and "ssh stopped" in proc.stdout.read()
        assert not is_listening(("127.0.0.1", port))
        assert all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in server)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
