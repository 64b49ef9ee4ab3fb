"""One registry per kernel: services by name, so re-running a cell replaces the old server."""
import atexit
import threading

_services = {}
_lock = threading.Lock()
_listeners = []


def add(service):
    """Record a started service under its name."""
    with _lock:
        _services[service.name] = service
    _notify()


def discard(service):
    """Forget a stopped service."""
    with _lock:
        if _services.get(service.name) is service:
            del _services[service.name]
    _notify()


def get(name):
    """The running service called name, or None."""
    return _services.get(name)


def running():
    """The running services, oldest first."""
    with _lock:
        return list(_services.values())


def stop(name):
    """Stop the service called name, if it runs."""
    service = get(name)
    if service is not None:
        service.stop()


def stop_all():
    """Stop every service this kernel started."""
    for service in reversed(running()):
        service.stop()


def on_change(callback):
    """Call callback() whenever a service starts or stops."""
    _listeners.append(callback)


def _notify():
    for callback in list(_listeners):
        try:
            callback()
        except Exception:  # a broken widget must not break a server
            pass


atexit.register(stop_all)
