"""Per-start secrets and private files."""
import os
import stat
import subprocess
import sys

import helpers.core.credentials as credentials
from helpers.core.credentials import command_line, new_secret, write_private


def test_a_secret_never_starts_with_a_dash_which_a_parser_would_take_for_an_option(monkeypatch):
    made = iter(["-looks-like-an-option", "fine-one"])
    monkeypatch.setattr(credentials.secrets, "token_urlsafe", lambda n: next(made))
    assert new_secret() == "fine-one"


def test_secrets_differ_and_are_long_enough():
    made = {new_secret() for _ in range(50)}
    assert len(made) == 50 and min(map(len, made)) >= 24


def test_a_private_file_is_0600_even_where_an_open_one_was(tmp_path):
    path = tmp_path / "secret.conf"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "requirepass x\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "requirepass x\n"


def test_command_line_is_what_ps_shows():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "visible-argument"])
    try:
        assert "visible-argument" in command_line(child.pid)
    finally:
        child.kill()
        child.wait()
    assert command_line(os.getpid())
