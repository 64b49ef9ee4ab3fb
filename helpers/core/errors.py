"""The one error a course client raises: a single clear line, never a hang."""


class ServiceError(Exception):
    """A request to a course service failed; str(error) says why in one line."""


def describe(error, address, timeout):
    """Turn a socket error into one line a learner can act on."""
    where = f"{address[0]}:{address[1]}"
    if isinstance(error, ConnectionRefusedError):
        return f"nothing is listening on {where} (connection refused) - is the server running?"
    if isinstance(error, TimeoutError):
        return f"no reply from {where} within {timeout:g} s"
    if isinstance(error, (ConnectionResetError, BrokenPipeError)):
        return f"{where} closed the connection before replying"
    return f"{where}: {error.strerror or error}" if isinstance(error, OSError) else str(error)
