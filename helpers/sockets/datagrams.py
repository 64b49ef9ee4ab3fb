"""Notebook 01's small UDP aids: the chapter's one-shot server in a thread, and a one-line EMSGSIZE."""
import errno

from helpers.core.learner import LearnerCall

MACOS_MAX_DATAGRAM = 9216  # macOS's default for the sysctl net.inet.udp.maxdgram


def in_thread(function, *args):
    """Start function(*args) in a background thread; returns a LearnerCall to ask for its .result(timeout)."""
    return LearnerCall(function.__name__, function, *args).start()


def too_long(error):
    """One line on a datagram the OS refused as too long (EMSGSIZE); any other OSError is raised again."""
    if error.errno != errno.EMSGSIZE:
        raise error
    return (f"EMSGSIZE ({error.strerror}): this system allows smaller UDP datagrams than 65,507 bytes "
            f"(macOS: {MACOS_MAX_DATAGRAM:,} by default, its sysctl net.inet.udp.maxdgram)")
