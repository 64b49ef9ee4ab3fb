"""What a two-account attack module declares: how the owner uses a service, and what a classmate tries.

Each module in tests/security/attacks/ holds ATTACKS = {service name: Attack(...)}. The owner's side runs
as one local account, the classmate's as another (tests/security/test_two_accounts.py drives both).
"""
from dataclasses import dataclass, field
from typing import Callable


class Breach(Exception):
    """Raised by an attempt whose attack worked: str() says what the classmate managed to do."""


@dataclass
class Attack:
    """One service: owner(server) acts as its owner and returns (facts, secrets); each try is
    (what the classmate tries, attempt(facts) -> the refusal it met, a regex that refusal must match).

    facts: what any account can see anyway (host, ports; the harness adds the owner's home);
    secrets: strings that must never reach another account (passwords, tokens): the harness
    checks that none shows in a process's command line. open: why a service may stay open
    (it exposes only harmless calls); its tries then show what a classmate gets.
    """

    owner: Callable
    tries: list = field(default_factory=list)
    start: Callable = None  # () -> a started server; default: the catalogue's serve(name)
    open: str = ""
    check_again: Callable = None  # (server, facts) -> None: the owner's data survived; default: owner() again
    missing: Callable = None  # () -> why this optional service cannot run on this machine, or ""


def refusal(error):
    """One line for a refusal: the exception's type and message."""
    return f"{type(error).__name__}: {error}".strip().splitlines()[0][:300]
