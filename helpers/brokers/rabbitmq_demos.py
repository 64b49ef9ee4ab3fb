"""The RabbitMQ tutorials' core with pika: a work queue with acks, fanout, topic routing and RPC."""
import threading
import time
import uuid

import pika

from helpers.core.errors import ServiceError

TOPIC_BINDINGS = {"all-logs": ["#"], "kernel": ["kern.*"], "critical": ["*.critical"], "rover": ["rover.#"]}
TOPIC_KEYS = ["kern.critical", "kern.info", "rover.cam.critical", "rover.wheel", "ground.critical", "weather"]


def _fresh_queue(ch, name):
    """Declare name as an empty queue (left over from a previous run: purged)."""
    ch.queue_declare(name)
    ch.queue_purge(name)
    return name


def _wait(conn, done, timeout):
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise ServiceError(f"RabbitMQ did not deliver within {timeout:g} s")
        conn.process_data_events(time_limit=0.05)


def work_queue_demo(server, tasks=4, timeout=5.0):
    """Worker A takes one task and dies without acking; worker B gets that task again (redelivered).

    Returns the timeline as (who, what, task, redelivered) rows.
    """
    timeline, producer = [], server.client()
    a_conn, b_conn = server.client(), server.client()
    try:
        ch = producer.channel()
        queue = _fresh_queue(ch, "tasks")
        for n in range(tasks):
            ch.basic_publish("", queue, f"task {n}".encode())
        a_got = []
        a = a_conn.channel()
        a.basic_qos(prefetch_count=1)  # at most one unacked task at a time
        a.basic_consume(queue, lambda c, m, p, body: a_got.append((body.decode(), m.redelivered)))
        _wait(a_conn, lambda: a_got, timeout)
        timeline.append(("worker A", "got, works on it, never acks", *a_got[0]))
        b_got = []
        b = b_conn.channel()
        b.basic_qos(prefetch_count=1)

        def b_takes(c, method, props, body):
            b_got.append(body.decode())
            timeline.append(("worker B", "got and acked", body.decode(), method.redelivered))
            c.basic_ack(method.delivery_tag)  # done: now RabbitMQ may forget it
        b.basic_consume(queue, b_takes)
        _wait(b_conn, lambda: len(b_got) == tasks - 1, timeout)
        a_conn.close()  # worker A dies: its unacked task goes back to the queue
        timeline.append(("worker A", "dies (connection closed)", a_got[0][0], False))
        _wait(b_conn, lambda: len(b_got) == tasks, timeout)
        ch.queue_delete(queue)
    finally:
        for conn in (a_conn, b_conn, producer):
            if conn.is_open:
                conn.close()
    return timeline


def print_timeline(rows):
    """Print work_queue_demo's rows, one per line."""
    for who, what, task, redelivered in rows:
        print(f"{who:9} {task:7} {what}{'   <- redelivered=True' if redelivered else ''}")


def fanout_demo(server, listeners=("screen", "archive", "alerts"), messages=("hello", "moon", "mars"), timeout=5.0):
    """Publish to a fanout exchange that feeds one queue per listener: {listener: [messages it got]}."""
    conn = server.client()
    try:
        ch = conn.channel()
        ch.exchange_declare("news", "fanout")
        queues = {}
        for who in listeners:  # a private queue each, named by the broker, gone when the connection closes
            queues[who] = ch.queue_declare("", exclusive=True).method.queue
            ch.queue_bind(queues[who], "news")
        for text in messages:
            ch.basic_publish("news", "", text.encode())  # the routing key is ignored by fanout
        return {who: _take_all(conn, ch, queue, len(messages), timeout) for who, queue in queues.items()}
    finally:
        conn.close()


def _take_all(conn, ch, queue, expected, timeout):
    """Up to `expected` message bodies from queue (as text), waiting at most timeout for them."""
    got, deadline = [], time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            conn.sleep(0.01)
        else:
            got.append(body.decode())
    return got


def topic_routes(server, bindings=None, keys=None, timeout=2.0):
    """One message per routing key to a topic exchange: {key: [queues it reached]}.

    bindings: {queue: [binding patterns]}; `*` is one word, `#` is zero or more words.
    """
    bindings, keys = bindings or TOPIC_BINDINGS, keys or TOPIC_KEYS
    conn = server.client()
    try:
        ch = conn.channel()
        ch.exchange_declare("events", "topic")
        queues = {}
        for name, patterns in bindings.items():
            queues[name] = ch.queue_declare("", exclusive=True).method.queue
            for pattern in patterns:
                ch.queue_bind(queues[name], "events", routing_key=pattern)
        for key in keys:
            ch.basic_publish("events", key, key.encode())
        ch.confirm_delivery()  # a round trip after the publishes: routing is done when it returns
        reached = {key: [] for key in keys}
        for name, queue in queues.items():
            for key in _take_all(conn, ch, queue, len(keys), 0.2):
                reached[key].append(name)
        return reached
    finally:
        conn.close()


def topic_table(server, bindings=None, keys=None):
    """Print which routing key reached which queue (✓), with each queue's binding patterns as its header."""
    bindings, keys = bindings or TOPIC_BINDINGS, keys or TOPIC_KEYS
    reached = topic_routes(server, bindings, keys)
    heads = [f"{name} ({' '.join(patterns)})" for name, patterns in bindings.items()]
    first = max(map(len, keys)) + 2
    print("routing key".ljust(first) + "".join(h.center(len(h) + 2) for h in heads))
    for key in keys:
        marks = [("✓" if name in reached[key] else "·").center(len(h) + 2) for name, h in zip(bindings, heads)]
        print(key.ljust(first) + "".join(marks))


class RpcWorker:
    """A thread that serves function(text) -> text on an RPC queue, replying to each request's reply_to."""

    def __init__(self, server, function, queue="rpc", timeout=5.0):
        self.server, self.function, self.queue, self.timeout = server, function, queue, timeout
        self.served, self._stop, self._ready = 0, threading.Event(), threading.Event()
        self.error = None

    def _serve(self):
        try:
            conn = self.server.client()
        except Exception as error:  # told by start()
            self.error = error
            self._ready.set()
            return
        try:
            ch = conn.channel()
            ch.queue_declare(self.queue)
            ch.basic_qos(prefetch_count=1)

            def answer(c, method, props, body):
                reply = str(self.function(body.decode())).encode()
                c.basic_publish("", props.reply_to, reply,
                                properties=type(props)(correlation_id=props.correlation_id))
                c.basic_ack(method.delivery_tag)
                self.served += 1
            ch.basic_consume(self.queue, answer)
            self._ready.set()
            while not self._stop.is_set():
                conn.process_data_events(time_limit=0.1)
        except Exception as error:
            self.error = error
        finally:
            self._ready.set()
            if conn.is_open:
                conn.close()

    def start(self):
        self._thread = threading.Thread(target=self._serve, name=f"rpc-worker-{self.queue}", daemon=True)
        self._thread.start()
        self._ready.wait(self.timeout)
        if self.error:
            raise ServiceError(f"the RPC worker could not start: {self.error!r}")
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(self.timeout)

    __enter__ = start

    def __exit__(self, *exc):
        self.stop()


class RpcClient:
    """Calls an RPC queue: each request carries a fresh correlation id and the client's own reply queue."""

    def __init__(self, server, queue="rpc", timeout=5.0):
        self.queue, self.timeout = queue, timeout
        self.conn = server.client()
        self.ch = self.conn.channel()
        self.reply_queue = self.ch.queue_declare("", exclusive=True).method.queue
        self.replies = {}
        self.ch.basic_consume(self.reply_queue, self._arrived, auto_ack=True)

    def _arrived(self, ch, method, props, body):
        self.replies[props.correlation_id] = body.decode()

    def call(self, request):
        """Send request (text), wait for the reply that carries the same correlation id: (reply, id)."""
        cid = uuid.uuid4().hex[:8]
        self.ch.basic_publish("", self.queue, str(request).encode(),
                              properties=pika.BasicProperties(reply_to=self.reply_queue, correlation_id=cid))
        _wait(self.conn, lambda: cid in self.replies, self.timeout)
        return self.replies.pop(cid), cid

    def close(self):
        if self.conn.is_open:
            self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def fib(n):
    """The RabbitMQ tutorial's slow-on-purpose service: the n-th Fibonacci number."""
    n = int(n)
    return n if n < 2 else fib(n - 1) + fib(n - 2)
