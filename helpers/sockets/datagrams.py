"""Notebook 01's small UDP aids: the chapter's one-shot server in a thread, and a one-line EMSGSIZE."""
import errno
import threading

MACOS_MAX_DATAGRAM = 9216  # macOS's default for the sysctl net.inet.udp.maxdgram


class InThread:
    """function(*args) run once in a daemon thread; .result(timeout) waits for what it returned, or raises its error."""

    def __init__(self, function, *args):
        self._outcome = None
        self._thread = threading.Thread(target=self._run, args=(function, args), name=function.__name__, daemon=True)
        self._thread.start()

    def _run(self, function, args):
        try:
            self._outcome = (function(*args), None)
        except Exception as error:  # kept for result(), never printed from the thread
            self._outcome = (None, error)

    def done(self):
        """True once the function has returned or raised."""
        return not self._thread.is_alive()

    def result(self, timeout):
        """What the function returned; its error raised here; TimeoutError if it is still running after timeout s."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"{self._thread.name} is still running after {timeout:g} s")
        value, error = self._outcome
        if error is not None:
            raise error
        return value


def in_thread(function, *args):
    """Start function(*args) in a background thread; returns an InThread to ask for its .result(timeout)."""
    return InThread(function, *args)


def too_long(error):
    """One line on a datagram the OS refused as too long (EMSGSIZE); any other OSError is raised again."""
    if error.errno != errno.EMSGSIZE:
        raise error
    return (f"EMSGSIZE ({error.strerror}): this system allows smaller UDP datagrams than 65,507 bytes "
            f"(macOS: {MACOS_MAX_DATAGRAM:,} by default, its sysctl net.inet.udp.maxdgram)")
