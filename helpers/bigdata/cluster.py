"""A Dask cluster as a course service: a LocalCluster of worker processes on 127.0.0.1, or the scheduler named by
DASK_SCHEDULER_ADDRESS; stopped for real (client, scheduler, nannies, worker processes) at stop() and at exit.

Every account of a shared machine reaches 127.0.0.1, and a Dask client runs any Python it likes in the workers: the
course's cluster speaks TLS with a certificate made for it alone (in memory), and admits only clients that hold it."""
import asyncio
import logging
import os
import shutil

import psutil

from helpers.bigdata.dashboard import dashboard_link, proxy_dashboard_links
from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder
from helpers.core.ports import HOST
from helpers.core.service import Service

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler
# what each worker may hold before Dask spills to disk (60 %), pauses it (80 %) or restarts it (95 %); Dask's default
# is the machine's memory shared out, which on a class server is everyone's. With the jobs' blocks (dask_jobs.BLOCK)
# a worker peaks near 250 MB at the slider's 2M lines.
MEMORY_LIMIT = "512MiB"


def not_a_cancelled_feed(record):
    """False for the scheduler's log of a handler cancelled because the scheduler is closing."""
    return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


class DaskCluster(Service):
    """workers worker processes (one thread and MEMORY_LIMIT each) and a scheduler, all on 127.0.0.1 and ports the
    OS picks, over TLS with this cluster's own certificate; `security` is what any other client of it needs."""

    kind = "process"

    def __init__(self, workers=2, name="dask", scheduler=None, timeout=CONNECT_TIMEOUT):
        super().__init__(name)
        self.timeout = timeout
        self.workers = workers
        self.scheduler = scheduler if scheduler is not None else os.environ.get("DASK_SCHEDULER_ADDRESS")
        self.cluster = self.client = self.security = self.folder = None

    @property
    def local(self):
        """True when this service started the cluster itself (False for an existing scheduler)."""
        return self.cluster is not None

    @property
    def where(self):
        return ", ".join(f"pid {pid}" for pid in self.worker_pids()) if self.running and self.local else ""

    @property
    def dashboard(self):
        """The dashboard's status page as the learner's browser can open it."""
        return dashboard_link(self.client.dashboard_link)

    def _start(self):
        from distributed import Client, LocalCluster  # here, not at the top: the notebook's imports stay quick
        from distributed.security import Security
        try:
            if self.scheduler:  # outgrowing one machine: the same cells, on a cluster someone else started
                # its address says tcp:// or tls://; certificates, if any, come from Dask's own configuration
                self.client = Client(self.scheduler, timeout=f"{self.timeout}s")
            else:
                proxy_dashboard_links()
                self.security = Security.temporary()  # a key and a self-signed certificate, in memory only
                # scratch space (spilled data) and a folder Dask puts on sys.path: private, not a shared /tmp name
                self.folder = private_folder("dis-dask-")
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, memory_limit=MEMORY_LIMIT,
                                            processes=True, host=HOST, protocol="tls", security=self.security,
                                            scheduler_port=0, dashboard_address=f"{HOST}:0",
                                            local_directory=str(self.folder),
                                            scheduler_kwargs={"local_directory": str(self.folder)},
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster, security=self.security, timeout=f"{self.timeout}s")
        except (OSError, TimeoutError, TypeError) as error:  # TypeError: a tls:// address but no certificates
            self._stop()
            raise ServiceError(f"no Dask scheduler at {self.scheduler or 'a new LocalCluster'}: {error}") from None
        host, port = self.client.scheduler.address.rsplit("/", 1)[-1].rsplit(":", 1)
        self.address = (host, int(port))

    def worker_pids(self):
        """The process ids of this cluster's worker processes (each started and watched by its nanny)."""
        if not self.local:
            return []
        return [nanny.process.pid for nanny in self.cluster.workers.values()
                if getattr(nanny, "process", None) is not None and nanny.process.pid]

    def _stop(self):
        pids = self.worker_pids()
        # a progress bar drawn by the kernel's event loop may not have read its last update yet (the loop is busy
        # running this cell); the scheduler cancels that feed as it closes, which is no error worth a traceback
        scheduler_log = logging.getLogger("distributed.scheduler")
        scheduler_log.addFilter(not_a_cancelled_feed)
        try:
            for part in (self.client, self.cluster):
                try:
                    if part is not None:
                        part.close(timeout=10)
                except Exception:  # a half-started or already broken cluster still gets its processes ended
                    pass
        finally:
            scheduler_log.removeFilter(not_a_cancelled_feed)
        for pid in pids:  # a worker that did not end when its nanny asked is ended here
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.cluster = self.client = self.security = self.folder = None

    def __repr__(self):
        if not self.running:
            return f"<DaskCluster {self.name!r} stopped>"
        workers = len(self.client.scheduler_info(n_workers=-1)["workers"])
        return f"<DaskCluster {self.name!r} scheduler {self.client.scheduler.address}, {workers} workers>"


def dask_cluster(workers=2, name="dask"):
    """Start (or, re-run, replace) the course's Dask cluster and return it; DASK_SCHEDULER_ADDRESS wins if set."""
    return DaskCluster(workers, name).start()
