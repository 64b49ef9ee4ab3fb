"""Latency is zero: a chatty client (one request per key) against one batched request, as latency grows."""
import time

import matplotlib.pyplot as plt


def through(proxy, timeout=5.0):
    """A redis-py client that talks through the proxy to the course's redis-server behind it, with its password."""
    return proxy.target.client(address=proxy.address, timeout=timeout)


def chatty(client, keys):
    """One GET per key: one round trip each."""
    return [client.get(key) for key in keys]


def batched(client, keys):
    """One MGET for every key: one round trip in all."""
    return client.mget(keys)


def timed_ms(call, *args):
    """(result, milliseconds) of one call."""
    start = time.perf_counter()
    result = call(*args)
    return result, (time.perf_counter() - start) * 1000


def sweep(proxy, client, keys, latencies=(0, 2, 5, 10)):
    """{way: [ms at each one-way latency]} for the chatty and the batched client."""
    times = {"chatty": [], "batched": []}
    for latency in latencies:
        proxy.set(latency_ms=latency)
        for way, call in (("chatty", chatty), ("batched", batched)):
            times[way].append(timed_ms(call, client, keys)[1])
    proxy.clear()
    return times


def plot_sweep(latencies, times, count):
    """Both clients' times against the latency added each way."""
    _, ax = plt.subplots(figsize=(6, 3.2))
    for way, ms in times.items():
        trips = f"{count} round trips" if way == "chatty" else "1 round trip"
        ax.plot(latencies, ms, marker="o", label=f"{way} ({trips})")
    ax.set_xlabel("latency added each way (ms)")
    ax.set_ylabel(f"time to read {count} keys (ms)")
    ax.legend()
    ax.grid(alpha=0.3)
    plt.show()
