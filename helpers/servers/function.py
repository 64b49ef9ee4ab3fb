"""Run a server function you wrote in a background thread, on a listening socket made for it.

Your function gets a socket that is already bound to 127.0.0.1 (on a port the OS picked) and
listening; it calls accept() in a loop and serves each client. Stopping closes that socket,
which makes the waiting accept() raise OSError and so ends your loop.
"""
import ctypes
import socket
import threading
import time

from helpers.core.ports import HOST
from helpers.core.service import ThreadService


def end_thread(thread, within=0.0):
    """Raise SystemExit in a running thread (`except Exception` misses it), again until it ends or `within` s pass.

    Python drops such an exception when it lands in a finalizer or a weakref callback, so one raise may be
    lost; raising again every 0.1 s ends the thread all the same. Returns True once the thread has ended.
    """
    deadline = time.monotonic() + within
    while thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit))
        thread.join(0.1 if within else 0)
        if time.monotonic() >= deadline:
            break
    return not thread.is_alive()


class FunctionServer(ThreadService):
    """Your `function(listener)` in a thread, with the course lifecycle around it."""

    kind = "your server"

    def __init__(self, name, function, port=0):
        super().__init__(name)
        self.function, self.port = function, port
        self.error = None  # the exception your function stopped with, if any
        self.stuck = False  # True if it did not end when its listener was closed


    @property
    def alive(self):
        """True while your function is still running."""
        return self._thread.is_alive()

    def _start(self):
        self.listener = socket.create_server((HOST, self.port), backlog=16)
        self.address = self.listener.getsockname()
        self.error, self._stopping = None, False
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-thread", daemon=True)
        self._thread.start()
        self._thread.join(timeout=0.05)  # a function that fails at once has failed by now

    def _run(self):
        try:
            self.function(self.listener)
        except Exception as error:  # keep it for the checker's report instead of printing from a thread
            if not self._stopping:
                self.error = error
        except SystemExit:
            pass  # the course ended a function that did not end when stopped

    def _stop(self):
        self._stopping = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        self._thread.join(timeout=1)
        self.stuck = self._thread.is_alive()
        if self.stuck:  # it caught the OSError that should have ended it: end its thread for it
            end_thread(self._thread, within=1)
            ended = "its thread was ended" if not self._thread.is_alive() else "restart the kernel to end it"
            print(f"{self.name}: your function went on running after its listener was closed "
                  f"(does it catch errors around accept()?); {ended}")


def run_server(function, name="my-server", port=0):
    """Start function(listener) in the background and return the running server (.address, .stop())."""
    return FunctionServer(name, function, port=port).start()
