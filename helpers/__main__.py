"""Run course servers from a terminal: `python -m helpers serve NAME [--port P]`, `serve --list`."""
import argparse
import os
import signal
import sys
import time

from helpers.core.catalog import serve, servers


def main(argv=None):
    """Start one server, print its address, run until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m helpers")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run a course server until Ctrl-C")
    serve_cmd.add_argument("name", nargs="?", choices=sorted(servers()), metavar="NAME")
    serve_cmd.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: the OS picks)")
    serve_cmd.add_argument("--list", action="store_true", help="list the servers")
    args = parser.parse_args(argv)
    if args.list or not args.name:
        for name, (_, about) in servers().items():
            print(f"{name:<12} {about}")
        return 0
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = serve(args.name, port=args.port)
    try:  # Ctrl-C may come as soon as the address is out, even before print() returns
        host, port = server.address
        print(f"{args.name} listening on {host}:{port} (Ctrl-C to stop)", flush=True)
        if getattr(server, "banner", None):  # more a server wants you to know (a broker's two endpoints)
            print(server.banner, flush=True)
        while True:  # not signal.pause(): Ctrl-C may reach one of the server's threads, which pause() never sees
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(f"{args.name} stopped", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # the server is stopped already: skip the interpreter's teardown, which can wait on ZeroMQ
