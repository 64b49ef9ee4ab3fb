"""PySpark in local mode as a course service: the JVM on 127.0.0.1, its output in a log file, and really gone after
stop() (the JVM outlives SparkSession.stop() until its gateway's stdin closes) and when the kernel dies.

Any account reaches 127.0.0.1: the driver's RPC and block manager ports feed what they receive to Java's
deserializer, so they ask for Spark's shared-secret authentication; PySpark's own gateway already asks for a token."""
import importlib.util
import os
import shutil
import sys
import time
import warnings

import psutil
from tqdm.auto import tqdm

from helpers.core.credentials import new_secret
from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder
from helpers.core.ports import HOST
from helpers.core.process import end_process
from helpers.core.service import Service

warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)  # this job uses no pandas
# Spark's defaults size the driver for a dedicated machine: a 1 GB heap and two JIT compilers. A learner's kernel shares
# the machine (a class server, a laptop with a browser), and these jobs are small: half the heap, the one quick
# compiler (about half the CPU seconds of a short job), the serial collector and a smaller code cache.
DRIVER_MEMORY = "512m"
DRIVER_JAVA_OPTIONS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=64m"
PAGE = r'^[^"]*"[^" ]* ([^" ]*) [^" ]*"'  # the page in `... "GET /page HTTP/1.1" ...`, as logs.page_of reads it


def spark_missing():
    """None where PySpark and Java are both here, else one line saying how to get them."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed: `make spark` installs it (about 500 MB; it also needs Java 17 or newer)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "PySpark is here but Java is not: install a JDK 17 or newer (e.g. openjdk-17-jre), then `make spark`"
    return None


class SparkLocal(Service):
    """A SparkSession in local mode with `cores` threads and a DRIVER_MEMORY heap, driver and block manager on
    127.0.0.1 asking for Spark's authentication, no web UI."""

    kind = "process"
    start_timeout = 60.0

    def __init__(self, cores=2, name="spark", progress=True):
        super().__init__(name)
        self.cores, self.session, self.jvm, self.progress = cores, None, None, progress

    @property
    def where(self):
        return f"pid {self.jvm.pid}" if self.running else ""

    def conf(self):
        """Everything on loopback, no UI port, Python workers from this environment, scratch in a private folder.

        This goes to the JVM's command line (launch_gateway turns it into --conf arguments): nothing secret here."""
        from pyspark import SparkConf
        return (SparkConf().setMaster(f"local[{self.cores}]").setAppName("data-in-space")
                .set("spark.driver.memory", DRIVER_MEMORY).set("spark.driver.extraJavaOptions", DRIVER_JAVA_OPTIONS)
                .set("spark.driver.host", HOST).set("spark.driver.bindAddress", HOST).set("spark.ui.enabled", "false")
                .set("spark.ui.killEnabled", "false").set("spark.authenticate", "true")
                .set("spark.pyspark.python", sys.executable).set("spark.pyspark.driver.python", sys.executable)
                .set("spark.local.dir", str(self.folder)).set("spark.sql.warehouse.dir", str(self.folder / "warehouse"))
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.sql.shuffle.partitions", str(self.cores)))  # not 200 reducers for a one-machine job

    def _start(self):
        with tqdm(total=3, desc="starting Spark", unit=" steps", disable=not self.progress) as bar:
            self._start_steps(bar)

    def _start_steps(self, bar):
        missing = spark_missing()
        if missing:
            raise ServiceError(missing)
        from pyspark import SparkContext  # PySpark is optional: imported only when Spark starts
        from pyspark.java_gateway import launch_gateway
        from pyspark.sql import SparkSession
        self.folder = private_folder("dis-spark-")
        os.environ["SPARK_LOCAL_IP"] = HOST  # read by the JVM at start: every listener on loopback
        self.log = open(self.folder / "jvm.log", "wb")  # the JVM's own output, never into a cell
        try:
            gateway = launch_gateway(self.conf(), popen_kwargs={"stdout": self.log, "stderr": self.log})
            self.jvm = gateway.proc
            bar.update()  # the JVM runs
            # the secret goes to the running JVM over the gateway (which checks its own token), never into argv;
            # local mode even makes a secret of its own, which wins: set here, it also holds if the master changes
            context = SparkContext(conf=self.conf().set("spark.authenticate.secret", new_secret()), gateway=gateway)
            context.setLogLevel("ERROR")
            bar.update()  # the driver runs in it
            self.session = SparkSession(context)
            bar.update()
        except Exception as error:
            self._stop()
            reason = (str(error).strip() or type(error).__name__).splitlines()[0]
            raise ServiceError(f"Spark did not start: {reason}") from None
        self.address = (HOST, gateway.java_parameters.port)

    def _stop(self):
        from pyspark import SparkContext
        family = self._family()
        try:
            if self.session is not None:
                self.session.stop()
            if SparkContext._gateway is not None:
                SparkContext._gateway.shutdown()
        except Exception:  # a broken JVM still gets ended below
            pass
        SparkContext._gateway = SparkContext._jvm = None  # else a new session would reuse the dead gateway
        if self.jvm is not None:
            self.jvm.stdin.close()  # the JVM ends when its stdin closes (as when the kernel dies)
            end_process(self.jvm, timeout=5)
        for process in family:  # the JVM's Python workers, if any outlived it
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        self.session = self.jvm = None
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _family(self):
        """The JVM's child processes (Spark's Python workers)."""
        try:
            return psutil.Process(self.jvm.pid).children(recursive=True) if self.jvm is not None else []
        except psutil.NoSuchProcess:
            return []


def start_spark(cores=2, progress=True):
    """A started SparkLocal, or None (and one line on how to get Spark) where PySpark or Java is missing."""
    missing = spark_missing()
    if missing:
        print(missing)
        return None
    return SparkLocal(cores, progress=progress).start()


def spark_pages(spark, files):
    """The page count in Spark SQL: read lines, pull the page out with a regular expression, group and count."""
    from pyspark.sql import functions as F
    started = time.perf_counter()
    lines = spark.session.read.text([str(f) for f in files])
    pages = lines.select(F.regexp_extract("value", PAGE, 1).alias("page")).where(F.col("page") != "")
    counts = {row["page"]: row["count"] for row in pages.groupBy("page").count().collect()}
    return counts, time.perf_counter() - started
