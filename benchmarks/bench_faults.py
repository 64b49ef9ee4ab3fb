"""Fallacies lab: what the fault proxy costs when it injects nothing (against socat, a relay written in C), and how
fast it relays a bulk transfer."""
import shutil
import socket
import statistics
import subprocess
import time
from types import SimpleNamespace

from benchmarks.bench_zeromq import one_cpu
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port, is_listening, retry_port_clash
from helpers.core.process import end_process, spawn
from helpers.faults import TcpProxy
from helpers.servers.tcp import TcpServer, echo_server
from helpers.web import api_server
from helpers.web.timing import rtt_us

BULK = 200 * 2**20  # bytes sent for the throughput
SOCAT_READY_S = 10.0  # longest wait for socat to accept


def sink(conn, service):
    """Read until the client closes its side, then answer how many bytes arrived."""
    total = 0
    while chunk := conn.recv(1 << 20):
        total += len(chunk)
    conn.sendall(str(total).encode())


def echo_rtt_us(address, rounds=2000, message=b"x" * 32):
    """Median microseconds of a 32-byte echo round trip on one connection."""
    samples = []
    with socket.create_connection(address, timeout=5) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(rounds):
            start = time.perf_counter()
            sock.sendall(message)
            got = 0
            while got < len(message):
                got += len(sock.recv(64))
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def throughput_mb_s(address, size=BULK):
    """MB/s for `size` bytes sent to the sink (until it confirms it has them all)."""
    block = b"\x5a" * (1 << 20)
    with socket.create_connection(address, timeout=30) as sock:
        start = time.perf_counter()
        for _ in range(size // len(block)):
            sock.sendall(block)
        sock.shutdown(socket.SHUT_WR)
        assert int(sock.recv(64)) == size
        return size / (time.perf_counter() - start) / 1e6


def best_of(measure, rounds=5):
    """(direct, through the proxy): the best of `rounds` alternating medians, so both see the same machine load."""
    pairs = [(measure(False), measure(True)) for _ in range(rounds)]
    return min(p[0] for p in pairs), min(p[1] for p in pairs)


def start_socat(target):
    """socat relaying a free port on 127.0.0.1 to target, once it accepts: (process, address)."""
    def start():
        port = free_port()
        proc = spawn(["socat", f"TCP-LISTEN:{port},bind={HOST},reuseaddr,fork,nodelay",
                      f"TCP:{target[0]}:{target[1]},nodelay"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + SOCAT_READY_S
        while not is_listening((HOST, port)):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                error = proc.communicate()[1].decode(errors="replace").strip().splitlines()
                raise ServiceError(f"socat did not start: {error[-1] if error else 'no message'}")
            time.sleep(0.005)
        return proc, (HOST, port)
    return retry_port_clash(start)


def against_socat(turns=5, rounds=500):
    """Median µs of a 32-byte echo round trip direct, through socat and through the proxy with no fault: five
    alternating turns of `rounds` each, all of it (socat too) on one CPU, as the ZeroMQ round trips are."""
    with one_cpu(), echo_server("bench-faults-socat-echo") as echo, \
            TcpProxy(echo, name="bench-faults-socat-proxy") as proxy:
        proc, relay = start_socat(echo.address)
        try:
            ways = {"direct": echo.address, "socat": relay, "proxy": proxy.address}
            times = {way: [] for way in ways}
            order = list(ways)
            for turn in range(turns):
                for way in order[turn % 3:] + order[:turn % 3]:
                    times[way].append(echo_rtt_us(ways[way], rounds=rounds))
        finally:
            proc.terminate()
            end_process(proc)
    return {way: statistics.median(values) for way, values in times.items()}


def socat_keys():
    """proxy_added_us, socat_added_us and their ratio (None each, with a line saying why, where socat is absent)."""
    if shutil.which("socat") is None:
        print("socat is not installed here (Debian: apt-get install socat): proxy_vs_socat keys are None")
        return dict.fromkeys(("proxy_added_us", "socat_added_us", "proxy_vs_socat_ratio"))
    median = against_socat()
    proxy, socat = median["proxy"] - median["direct"], median["socat"] - median["direct"]
    return {"proxy_added_us": round(proxy, 1), "socat_added_us": round(socat, 1),
            "proxy_vs_socat_ratio": round(proxy / socat, 2)}


def api_ratio(framework):
    """(through / direct, µs added) for a keep-alive GET to 10's satellite API on the given framework."""
    with api_server(framework, name=f"bench-faults-{framework}") as api, \
            TcpProxy(api, name=f"bench-faults-{framework}-proxy") as proxy:
        via = SimpleNamespace(keys=api.keys, address=proxy.address)
        direct, through = best_of(lambda proxied: rtt_us(via if proxied else api, count=300))
    return round(through / direct, 2), round(through - direct, 1)


def run(results):
    """The faults keys: overhead of a fault-free proxy on a web API request and a tiny echo, and bulk MB/s."""
    out = socat_keys()
    # the key is 10's API as learners meet it (FastAPI, api_server's default); the stdlib server answers in
    # about half the time, so the same added microseconds are a larger share of its round trip
    out["proxy_overhead_ratio"], out["proxy_added_rtt_us_fastapi"] = api_ratio("fastapi")
    out["proxy_overhead_ratio_stdlib"], out["proxy_added_rtt_us_stdlib"] = api_ratio("stdlib")
    with echo_server("bench-faults-echo") as echo, TcpProxy(echo, name="bench-faults-echo-proxy") as proxy:
        direct, through = best_of(lambda proxied: echo_rtt_us((proxy if proxied else echo).address, rounds=500))
        out["proxy_overhead_ratio_tiny_echo"] = round(through / direct, 2)
        out["proxy_added_rtt_us_tiny_echo"] = round(through - direct, 1)
    with TcpServer("bench-faults-sink", sink) as target, TcpProxy(target, name="bench-faults-sink-proxy") as proxy:
        out["direct_throughput_mb_s"] = round(throughput_mb_s(target.address), 1)
        out["proxy_throughput_mb_s"] = round(throughput_mb_s(proxy.address), 1)
    return out


if __name__ == "__main__":
    print(run({}))
