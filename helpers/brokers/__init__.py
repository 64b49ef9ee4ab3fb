"""Other brokers, real ones (notebook 08): NATS, STOMP (coilmq) and RabbitMQ, compared with Redis and ZeroMQ.

Each broker module has the same three names: `pubsub_rate`, `queue_round` and `guarantees`; here they
are reached through the module (`stomp.queue_round`), the rest by name.
"""
from helpers.brokers import nats, rabbitmq, stomp
from helpers.brokers.compare import compare, comparison_table, plot_comparison
from helpers.brokers.nats import nats_server, nats_start_ms, request_rtt_us, settle
from helpers.brokers.nats_demos import late_joiners, plot_split, queue_split, wildcard_table
from helpers.brokers.rabbitmq import progress_line, rabbitmq_available, rabbitmq_server
from helpers.brokers.rabbitmq_demos import (RpcClient, RpcWorker, fanout_demo, fib, print_timeline, topic_table,
                                            work_queue_demo)
from helpers.brokers.stomp import (Inbox, close, connect_frame, fan_out, frame_text, handshake, raw_round,
                                   stomp_console, stomp_server, subscribe, typed_connect, virtual_host)

__all__ = ["Inbox", "RpcClient", "RpcWorker", "close", "compare", "comparison_table", "connect_frame", "fan_out",
           "fanout_demo", "fib", "frame_text", "handshake", "late_joiners", "nats", "nats_server", "nats_start_ms",
           "plot_comparison", "plot_split", "print_timeline", "progress_line", "queue_split", "rabbitmq",
           "rabbitmq_available", "rabbitmq_server", "raw_round", "request_rtt_us", "settle", "stomp",
           "stomp_console", "stomp_server", "subscribe", "topic_table", "typed_connect", "virtual_host",
           "wildcard_table", "work_queue_demo"]
