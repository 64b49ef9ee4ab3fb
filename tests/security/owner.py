"""The owner's side of a two-account test: start one service as this account, use it, wait, use it again.

python tests/security/owner.py NAME: prints {"facts", "secrets"} as one JSON line once the service works,
reads one line (the classmate is done), checks the owner's service still works, prints {"ok": ...}.
"""
import json
import os
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import attacks  # noqa: E402

from helpers.core.catalog import serve  # noqa: E402


def main(name):
    attack = attacks()[name]
    server = attack.start() if attack.start else serve(name)
    try:
        facts, secrets = attack.owner(server)
        facts = dict(facts, home=os.path.expanduser("~"), uid=os.getuid())
        print(json.dumps({"facts": facts, "secrets": list(secrets)}), flush=True)
        sys.stdin.readline()
        try:
            (attack.check_again or (lambda srv, _: attack.owner(srv)))(server, facts)
            print(json.dumps({"ok": True}), flush=True)
        except Exception:
            print(json.dumps({"ok": False, "error": traceback.format_exc(limit=3)}), flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1])
    sys.stdout.flush()
    os._exit(0)
