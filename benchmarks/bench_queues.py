"""Work queues: items a second through a Redis list, one producer (RPUSH) and one consumer (blocking BLPOP)."""
import threading
import time

from helpers.servers.redis import redis_server

ITEMS = 20_000
SIZE = 100  # bytes per item


def items_per_second(items=ITEMS, size=SIZE):
    """Items a second from the first RPUSH to the last BLPOP, producer and consumer in threads of their own."""
    with redis_server("bench-queue") as server:
        producer, consumer = server.client(decode_responses=False), server.client(decode_responses=False)
        payload, got = b"x" * size, []

        def consume():
            while len(got) < items and (item := consumer.blpop("bench-queue", timeout=5)) is not None:
                got.append(len(item[1]))

        reader = threading.Thread(target=consume, name="bench-queue-consumer")
        reader.start()
        started = time.perf_counter()
        for _ in range(items):
            producer.rpush("bench-queue", payload)
        reader.join(timeout=60)
        seconds = time.perf_counter() - started
        producer.close()
        consumer.close()
    assert len(got) == items and set(got) == {size}, f"{len(got)} of {items} items arrived"
    return items / seconds


def run(results):
    """The queue numbers for benchmarks/results.json."""
    return {"queue_redis_items_s": round(items_per_second())}


if __name__ == "__main__":
    print(run({}))
