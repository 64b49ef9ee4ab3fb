"""What the DNS server's banner tells a terminal user to run works here, with nothing but the course installed."""
import shlex
import subprocess
import sys

import pytest

from helpers.services import dns_server
from helpers.services.dig import main, parse


@pytest.fixture(scope="module")
def server():
    with dns_server(name="dns-dig-test") as running:
        yield running


def suggested(banner):
    """The command on the banner's "try:" line, as words."""
    line = next(line for line in banner.splitlines() if line.strip().startswith("try:"))
    return shlex.split(line.split("try:", 1)[1].split("(")[0])


def test_the_command_the_banner_suggests_runs_and_answers(server):
    words = suggested(server.banner)
    assert words[0] == "python", server.banner  # not dig, which no set-up of the course installs
    done = subprocess.run([sys.executable, *words[1:]], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "status: NOERROR" in done.stdout and "IN A 192.0.2.80" in done.stdout, done.stdout
    assert "dig" in server.banner and "optional" in server.banner  # dig is named as optional, with where to get it


def test_digs_words_mx_and_tcp(server, capsys):
    host, port = server.address
    assert main([f"@{host}", "-p", str(port), "crappytaxidermy.com", "mx", "+tcp"]) == 0
    out = capsys.readouterr().out
    assert "over TCP" in out and "IN MX 10 mail.crappytaxidermy.com." in out
    assert main([f"@{host}", "-p", str(port), "owl.crappytaxidermy.com"]) == 0
    assert "NXDOMAIN" in capsys.readouterr().out


BAD = [[], ["-p", "x", "a.example"], ["a.example", "--nonsense"], ["a.example", "b.example"]]


@pytest.mark.parametrize("words", BAD)
def test_bad_words_are_one_line_and_the_usage(words, capsys):
    assert main(words) == 2
    err = capsys.readouterr().err
    assert "usage: python -m helpers.services.dig" in err and "Traceback" not in err


def test_no_server_is_one_line_within_the_timeout(capsys):
    from helpers import free_port
    assert main(["@127.0.0.1", "-p", str(free_port()), "www.crappytaxidermy.com"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_parse_defaults():
    assert parse(["www.crappytaxidermy.com"]) == ("127.0.0.1", 53, "www.crappytaxidermy.com", "A", False)
