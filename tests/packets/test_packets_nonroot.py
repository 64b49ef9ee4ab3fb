"""Notebook 03 where capture is not possible: forced off, and run by an unprivileged user."""
import os
import sys
import textwrap

import pytest

from helpers.packets.capture_check import FORCE_OFF, capture_allowed
from learner import ROOT, home, nbval, run, unprivileged  # noqa: F401 (home is a fixture)

NOTEBOOK = "notebooks/03_packets_scapy.ipynb"


def test_notebook_passes_with_capture_forced_off(home):
    done, outputs = nbval(NOTEBOOK, home, extra_env={FORCE_OFF: "off"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "RECORDED trace data/tcp_exchange.pcap" in outputs and "the recorded trace data/http_exchange.pcap" in outputs
    assert "LIVE capture" not in outputs
    assert f"live capture is switched off ({FORCE_OFF}=off)" in outputs


def may_capture_as_we_are():
    """A non-root user with CAP_NET_RAW really may capture; nothing falls back then."""
    return os.geteuid() != 0 and capture_allowed()


def test_notebook_passes_as_an_unprivileged_user_with_recorded_traces(home):
    prefix, who = unprivileged(home)
    done, outputs = nbval(NOTEBOOK, home, prefix)
    assert done.returncode == 0, f"as {who}:\n" + done.stdout[-3000:] + done.stderr[-2000:]
    if may_capture_as_we_are():
        assert "LIVE capture on" in outputs
        return
    assert "RECORDED trace data/udp_exchange.pcap" in outputs and "RECORDED trace data/tcp_exchange.pcap" in outputs
    assert "live capture is not allowed here" in outputs and "LIVE capture" not in outputs, who


CAPTURE_AS_LEARNER = textwrap.dedent("""
    from helpers import serve, stop_all
    from helpers.packets.capture import capture_allowed, capture_tcp
    shown = capture_tcp(serve("echo").address, b"from an ordinary user")
    print(capture_allowed(), shown.live, shown.label, shown.reply)
    stop_all()
""")


def test_capture_helper_falls_back_for_an_unprivileged_user(home):
    prefix, who = unprivileged(home)
    if may_capture_as_we_are():
        pytest.skip("this user may capture (CAP_NET_RAW): nothing to fall back from")
    done = run([sys.executable, "-c", CAPTURE_AS_LEARNER], home, prefix)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == ("live capture is not allowed here (it needs root or CAP_NET_RAW): "
                        "showing the recorded trace data/tcp_exchange.pcap of the same exchange")
    assert lines[1] == "False False RECORDED trace data/tcp_exchange.pcap b'from an ordinary user'"


def test_recording_traces_refuses_politely_without_rights(home):
    prefix, who = unprivileged(home)
    if may_capture_as_we_are():
        pytest.skip("this user may capture")
    before = {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.pcap")}
    done = run([sys.executable, "-m", "helpers.packets.record_traces"], home, prefix)
    assert done.returncode == 1 and done.stdout.strip().startswith("recording needs live capture")
    assert {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.pcap")} == before
