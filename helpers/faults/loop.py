"""A service whose servers run on an asyncio event loop of its own, in one background thread."""
import asyncio
import threading

from helpers.core.errors import ServiceError
from helpers.core.service import Service

READY_S = 5.0  # longest wait for the loop to open or close its sockets


class LoopService(Service):
    """Subclasses write `async _open()` (bind, set self.address) and `async _close()` (close every socket)."""

    kind = "asyncio thread"

    @property
    def where(self):
        return self._thread.name if self.running else ""

    def _start(self):
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(self._quietly)  # nothing reaches a cell's output from this thread
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"{self.name}-loop", daemon=True)
        self._thread.start()
        try:
            self.call(self._open())
        except BaseException:
            self._end_loop()
            raise

    def call(self, coroutine, timeout=READY_S):
        """Run a coroutine on the service's loop from any other thread and return its result."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise ServiceError(f"{self.name}: its event loop did not answer within {timeout:g} s") from None

    def _quietly(self, loop, context):
        self.stats.add(errors=1)

    def _stop(self):
        try:
            self.call(self._close())
        finally:
            self._end_loop()

    def _end_loop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(READY_S)
        if not self._thread.is_alive():
            self._loop.close()

    async def _open(self):
        raise NotImplementedError

    async def _close(self):
        raise NotImplementedError
