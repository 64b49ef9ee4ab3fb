"""Can this kernel capture packets? (It needs root or CAP_NET_RAW; Binder has neither.)"""
import os
import socket
import sys

FORCE_OFF = "DATA_IN_SPACE_CAPTURE"  # set to "off" to use recorded traces even where capture works


def capture_allowed():
    """True if live packet capture works here; False where only recorded traces can be shown."""
    if os.environ.get(FORCE_OFF, "").lower() == "off":
        return False
    if sys.platform == "linux":
        try:
            socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
            return True
        except OSError:
            return False
    return os.access("/dev/bpf0", os.R_OK | os.W_OK)
