"""On a class server every account reaches 127.0.0.1: a classmate must never act as you through a course server.

As root (CI), two real local accounts: the owner starts each service and uses it, the classmate tries to
break in (log in, write a file, run code, read or publish data), and the owner's service must still work.
"""
import os
import re
from pathlib import Path

import pytest

from accounts import can_run_as_accounts, duel
from registry import attacks

from helpers.core.catalog import servers

ATTACKS = attacks()
TABLE = Path(__file__).resolve().parents[2] / "build" / "two-accounts.md"  # what the classmate met, for a review


def record(name, tries):
    """Append this service's attempts to build/two-accounts.md (service, attack tried, refused how)."""
    TABLE.parent.mkdir(exist_ok=True)
    with TABLE.open("a") as out:
        for what, how, said in tries:
            out.write(f"| {name} | {what} | {how}: {said.replace('|', '/')[:160]} |\n")


def test_every_service_and_dask_has_an_attack():
    missing = (set(servers()) | {"dask"}) - set(ATTACKS)
    assert not missing, f"services no two-account test covers: {sorted(missing)}"


@pytest.fixture(scope="module")
def accounts_ready():
    why = can_run_as_accounts()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the two-account tests: {why}")
        pytest.skip(why)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_classmate_cannot_act_as_the_owner(accounts_ready, name):
    attack = ATTACKS[name]
    why = attack.missing() if attack.missing else ""
    if why and os.environ.get("CI") == "true":
        pytest.fail(f"CI installs every optional part, but {name} cannot run: {why}")
    if why:
        pytest.skip(why)
    started, met, after = duel(name)
    record(name, met["tries"])
    table = "\n".join(f"  {what}: {how} - {said}" for what, how, said in met["tries"])
    assert len(met["tries"]) == len(attack.tries), table
    for (what, how, said), (_, _, expected) in zip(met["tries"], attack.tries):
        assert how == "refused" and re.search(expected, said), f"{name}: {what} was not refused as expected:\n{table}"
    for secret in started["secrets"]:
        shown = [line for line in met["command_lines"] if secret in line]
        assert not shown, f"{name}'s secret is in a command line any account can read: {shown}"
    assert not met["opened"], f"{name}: the classmate could open the owner's files: {met['opened'][:5]}"
    assert after["ok"], f"{name}: the owner's own use failed after the attempts: {after.get('error')}"
