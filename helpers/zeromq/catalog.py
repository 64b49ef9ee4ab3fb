"""The ZeroMQ servers `python -m helpers serve NAME` can start."""
from helpers.zeromq.broker import broker
from helpers.zeromq.reqrep import rep_server
from helpers.zeromq.time_server import ZmqTimeServer

SERVERS = {
    "zmq-rep": (rep_server, "the chapter's ZeroMQ REP server: answers 'Stop saying: <request>'"),
    "zmq-broker": (broker, "ROUTER/DEALER broker with 2 worker processes (prints both endpoints)"),
    "zmq-time": (ZmqTimeServer, "exercise 17.2's solution: a REP socket that answers b'time'"),
}
