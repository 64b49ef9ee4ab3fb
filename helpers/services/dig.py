"""A small dig for the terminal: `python -m helpers.services.dig @127.0.0.1 -p PORT www.crappytaxidermy.com MX +tcp`.

It takes dig's words for a server, a port, a name, a record type and TCP, asks with `lookup()`, and
prints the status and the answer section. dig itself is not needed (it is optional: Debian's dnsutils).
"""
import sys

import dns.rdatatype

from helpers.core.errors import ServiceError
from helpers.services.dns import lookup

USAGE = "usage: python -m helpers.services.dig @HOST -p PORT NAME [TYPE] [+tcp]"


def parse(words):
    """(host, port, name, type, tcp) from dig's words; raises ValueError on words it does not know."""
    host, port, name, rtype, tcp = "127.0.0.1", 53, None, "A", False
    words = list(words)
    while words:
        word = words.pop(0)
        if word.startswith("@"):
            host = word[1:]
        elif word == "-p" and words:
            port = int(words.pop(0))
        elif word == "+tcp":
            tcp = True
        elif name is not None and word.upper() in dns.rdatatype.RdataType.__members__:
            rtype = word.upper()
        elif name is None and not word.startswith(("-", "+")):
            name = word
        else:
            raise ValueError(f"unknown word {word!r}")
    if name is None:
        raise ValueError("no name to look up")
    return host, port, name, rtype, tcp


def main(argv=None):
    """Ask once and print what came back, as dig does (briefly); returns the exit code."""
    try:
        host, port, name, rtype, tcp = parse(sys.argv[1:] if argv is None else argv)
        reply = lookup((host, port), name, rtype, tcp=tcp)
    except ValueError as error:
        print(f"{error}\n{USAGE}", file=sys.stderr)
        return 2
    except ServiceError as error:
        print(error, file=sys.stderr)
        return 1
    print(f";; status: {reply.status}, {len(reply.records)} answers, {reply.elapsed_us:.0f} µs over "
          f"{reply.transport.upper()} from {host}:{port}")
    print("\n".join(reply.records) or reply.error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
