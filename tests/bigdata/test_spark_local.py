"""Spark in local mode: the same answer as MapReduce by hand, every listener on 127.0.0.1 and asking for a secret,
and the JVM really gone after stop() and after the kernel is killed. Where PySpark or Java is missing this skips,
except under CI."""
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from ended import all_gone, python_parent, sigkill

from helpers.bigdata import make_logs, mapreduce
from helpers.bigdata.spark_local import SparkLocal, spark_missing, spark_pages, start_spark
from helpers.core.ports import HOST

LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture
def spark_here():
    """Skip where PySpark or Java is missing, but fail under CI, which installs them (`make spark`)."""
    missing = spark_missing()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI is set but Spark cannot run: {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return make_logs(50_000, parts=4, folder=tmp_path_factory.mktemp("logs"), progress=False)


def family(pid):
    """The process and all its descendants."""
    root = psutil.Process(pid)
    return [root] + root.children(recursive=True)


def test_spark_counts_what_mapreduce_by_hand_counts_on_loopback_and_stops_for_real(spark_here, logs):
    spark = start_spark(cores=2, progress=False)
    try:
        jvm = family(spark.jvm.pid)
        counts, seconds = spark_pages(spark, logs.files)
        assert counts == mapreduce(logs.files, progress=False) and seconds > 0
        found = [(c.laddr.ip, c.laddr.port) for p in jvm + [psutil.Process()] for c in p.net_connections("inet")
                 if c.status in (psutil.CONN_LISTEN, psutil.CONN_NONE)]
        assert spark.address[1] in {port for _, port in found}
        assert found and all(ip in LOOPBACK for ip, _ in found), found
    finally:
        spark.stop()
    assert all_gone(jvm, [port for _, port in found], wait=10)
    assert not spark.folder.exists()


def first_reply(address, message, timeout=10):
    """Send message to a TCP server and return what it answers first (b"" if it hangs up)."""
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.sendall(message)
        return conn.recv(4096)


def command_line(pid):
    """Process pid's command line as any account reads it (b"" if it has just ended)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def rpc_request(body=b"\0" * 16):
    """A frame of Spark's network protocol: length, type 3 (RpcRequest), request id, body length, body."""
    return struct.pack(">qbqi", 8 + 1 + 8 + 4 + len(body), 3, 1, len(body)) + body


def test_every_port_asks_for_a_secret_that_no_command_line_shows(spark_here):
    with SparkLocal(cores=1, name="test-spark-auth", progress=False) as spark:
        conf = dict(spark.session.sparkContext.getConf().getAll())
        assert conf["spark.authenticate"] == "true" and conf["spark.ui.enabled"] == "false"
        assert conf["spark.ui.killEnabled"] == "false"
        secret = conf["spark.authenticate.secret"].encode()
        assert len(secret) >= 16
        assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and secret in command_line(pid)]
        ports = [c.laddr.port for c in psutil.Process(spark.jvm.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port != spark.address[1]]
        assert len(ports) == 2  # the driver's RPC and the block manager
        for port in ports:  # without the secret, Spark reads no message of a stranger's
            assert b"Expected SaslMessage" in first_reply((HOST, port), rpc_request())
        assert b"Authentication error" in first_reply(spark.address, b"c\nt\ngetClass\ne\n")  # py4j's own token


def test_a_second_session_after_stop_gets_a_new_jvm(spark_here, logs):
    with SparkLocal(cores=1, name="test-spark-again", progress=False) as first:
        old = first.jvm.pid
    with SparkLocal(cores=1, name="test-spark-again", progress=False) as second:
        assert second.jvm.pid != old and spark_pages(second, logs.files[:1])[0]


def test_the_jvm_ends_when_the_kernel_is_killed(spark_here):
    script = ("from helpers.bigdata.spark_local import SparkLocal; s = SparkLocal(progress=False).start();"
              "print(s.jvm.pid, s.address[1], flush=True); import time; time.sleep(120)")
    with python_parent(script) as parent:
        pid, port = map(int, parent.stdout.readline().split())
        jvm = family(pid)
        assert "java" in jvm[0].name()
        sigkill(parent)
        assert all_gone(jvm, [port], wait=15)


def test_without_java_one_line_says_how_to_get_it():
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    code = "from helpers.bigdata.spark_local import start_spark; print(start_spark())"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                           env=dict(env, PATH="/nonexistent")).stdout.splitlines()
    assert len(shown) == 2 and "make spark" in shown[0] and shown[1] == "None"
