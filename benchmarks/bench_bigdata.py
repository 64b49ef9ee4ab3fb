"""Big data: one page count over the same seeded access logs, by hand, over ZeroMQ, through pipes, on Dask with
1 and 2 workers, and in Spark local mode where PySpark is installed (seconds, best of 3); and how long the Dask
cluster takes to start on TLS."""
import shutil
import time

from helpers.bigdata import make_logs, mapreduce, run_streaming, zmq_mapreduce
from helpers.bigdata.cluster import DaskCluster
from helpers.bigdata.dask_jobs import one_and_two_workers
from helpers.bigdata.spark_local import SparkLocal, spark_missing, spark_pages

ROWS, PARTS = 2_000_000, 16


def best(job, repeat=3):
    """The shortest of repeat runs of job(), in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return min(times)


def run(results):
    """The big-data keys for benchmarks/results.json."""
    logs = make_logs(ROWS, parts=PARTS, progress=False)
    try:
        out = {"bigdata_rows": ROWS,
               "mapreduce_by_hand_s": round(best(lambda: mapreduce(logs.files, progress=False)), 3),
               "mapreduce_zeromq_s": round(best(lambda: zmq_mapreduce(logs.files, workers=2, progress=False)), 3),
               "streaming_pipes_s": round(best(lambda: run_streaming(logs.files, progress=False)), 3)}
        started = time.perf_counter()
        with DaskCluster(workers=2, name="bench-dask", scheduler="") as cluster:  # on TLS, its own certificate
            out["dask_start_tls_s"] = round(time.perf_counter() - started, 3)
            times = one_and_two_workers(cluster.client, logs.files, repeat=3, progress=False)
        out.update(dask_1_worker_s=round(times[1], 3), dask_2_workers_s=round(times[2], 3),
                   dask_speedup_2_workers=round(times[1] / times[2], 2))
        if spark_missing() is None:
            with SparkLocal(cores=2, name="bench-spark", progress=False) as spark:
                out["spark_local_s"] = round(best(lambda: spark_pages(spark, logs.files)), 3)
    finally:
        shutil.rmtree(logs.folder)
    return out


if __name__ == "__main__":
    print(run({}))
