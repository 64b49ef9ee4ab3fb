"""Run course servers from a terminal: `python -m helpers serve NAME [--port P]`, `serve --list`."""
import argparse
import os
import signal
import sys
import time

from helpers.core.catalog import listing, serve


def main(argv=None):
    """List the servers, or start one, print its address and run it until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m helpers")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run a course server until Ctrl-C")
    serve_cmd.add_argument("name", nargs="?", choices=sorted(listing()), metavar="NAME")
    serve_cmd.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: the OS picks)")
    serve_cmd.add_argument("--list", action="store_true", help="list the servers")
    args = parser.parse_args(argv)
    if args.list or not args.name:
        for name, (_, about) in listing().items():  # read from the catalogues: no server module imported
            print(f"{name:<12} {about}")
        return 0
    return run(args.name, args.port)


def run(name, port):
    """Start the server called name and run it until Ctrl-C (or SIGTERM); 130 if that comes before it is up."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = None
    try:  # Ctrl-C may come during the start, or as soon as the address is out, even before print() returns
        server = serve(name, port=port)
        host, port = server.address
        print(f"{name} listening on {host}:{port} (Ctrl-C to stop)", flush=True)
        if getattr(server, "banner", None):  # more a server wants you to know (a broker's two endpoints)
            print(server.banner, flush=True)
        while True:  # not signal.pause(): Ctrl-C may reach one of the server's threads, which pause() never sees
            time.sleep(0.2)
    except KeyboardInterrupt:
        if server is None:  # what the start had begun ends with this process (its children die with it)
            print(f"{name}: interrupted while starting", flush=True)
            return 130
    finally:
        if server is not None:
            server.stop()
            print(f"{name} stopped", flush=True)
    return 0


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:  # a second Ctrl-C while stopping: no traceback either
        code = 130
    except BrokenPipeError:  # the reader left early (`serve --list | head -1`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    os._exit(code)  # the server is stopped already: skip the interpreter's teardown, which can wait on ZeroMQ
