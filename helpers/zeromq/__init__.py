"""ZeroMQ (notebooks 04 and 05, exercise 17.2): request-reply, a broker, the pipeline, three transports."""
from helpers.zeromq.base import ZmqServer, bind, context, ipc_available, socket

__all__ = ["ZmqServer", "bind", "context", "ipc_available", "socket"]
from helpers.zeromq.checker import check_zmq_time_server  # noqa: E402 (exercise 17.2)
from helpers.zeromq.time_server import run_zmq_server  # noqa: E402

__all__ += ["check_zmq_time_server", "run_zmq_server"]
from helpers.zeromq.broker import broker  # noqa: E402 (notebook 04)
from helpers.zeromq.broker_view import broker_view  # noqa: E402
from helpers.zeromq.console import zmq_console  # noqa: E402
from helpers.zeromq.reqrep import (bind_again, many_clients, rep_server, reserve_port, stop_saying,  # noqa: E402
                                   zmq_ask)
from helpers.zeromq.transports import measure_transports, plot_transports  # noqa: E402

__all__ += ["bind_again", "broker", "broker_view", "many_clients", "measure_transports", "plot_transports",
            "rep_server", "reserve_port", "stop_saying", "zmq_ask", "zmq_console"]
