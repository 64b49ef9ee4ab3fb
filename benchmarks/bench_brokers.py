"""Other brokers: one publisher to one subscriber through NATS, STOMP and RabbitMQ (100-byte messages, as for
Redis and ZeroMQ in bench_pubsub), a NATS request-reply round trip, and how long each broker takes to start."""
import statistics

from helpers.brokers import nats, rabbitmq, stomp

COUNT = 20_000  # a second or two per STOMP or AMQP run; at 10,000 a NATS run lasts ~50 ms and jumps more
SIZE = 100  # bytes per message, the same as bench_pubsub's
TURNS = 3  # the median of three runs for each rate


def rate(module, server, count=COUNT):
    """Median messages per second over TURNS runs of `count` messages through server; every message must arrive."""
    runs = [module.pubsub_rate(server, count=count, size=SIZE, timeout=60) for _ in range(TURNS)]
    lost = [run["lost"] for run in runs if run["lost"]]
    if lost:
        raise RuntimeError(f"{module.__name__}: messages lost in a benchmark run: {lost}")
    return round(statistics.median(run["msgs_s"] for run in runs))


def run(results):
    """The broker numbers for benchmarks/results.json (RabbitMQ's left out, with one line, where it is missing)."""
    out = {}
    with nats.nats_server("bench-nats") as server:
        out["pubsub_nats_msgs_s"] = rate(nats, server)
        out["rtt_nats_request_us"] = round(nats.request_rtt(server, count=1000), 1)
    with stomp.stomp_server("bench-stomp") as server:
        out["pubsub_stomp_msgs_s"] = rate(stomp, server)
    out["start_nats_ms"] = round(nats.nats_start_ms(runs=5), 1)
    if not rabbitmq.rabbitmq_available(quiet=True):
        print("RabbitMQ is not installed here: pubsub_amqp_msgs_s and start_rabbitmq_ms left out")
        return out
    with rabbitmq.rabbitmq_server("bench-rabbitmq") as server:
        out["pubsub_amqp_msgs_s"] = rate(rabbitmq, server)
    out["start_rabbitmq_ms"] = round(rabbitmq.rabbitmq_start_ms(runs=3))
    return out


if __name__ == "__main__":
    print(run({}))
