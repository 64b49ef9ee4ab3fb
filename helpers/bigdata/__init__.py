"""Big data (notebook 14): one job, counting page hits in access logs, by hand, over ZeroMQ, as Hadoop streaming,
on a Dask cluster (helpers.bigdata.cluster, .dask_jobs, .failures) and in Spark (helpers.bigdata.spark_local).

Only the light modules are imported here: worker processes import this package too, and must start quickly.
"""
from helpers.bigdata.by_hand import map_lines, mapreduce, partition_of, reduce_pairs, shuffle
from helpers.bigdata.logs import LogSet, make_logs, page_of
from helpers.bigdata.streaming import MAPPER, REDUCER, run_streaming, shell_line
from helpers.bigdata.zmq_engine import Job, zmq_mapreduce

__all__ = ["Job", "LogSet", "MAPPER", "REDUCER", "make_logs", "map_lines", "mapreduce", "page_of", "partition_of",
           "reduce_pairs", "run_streaming", "shell_line", "shuffle", "zmq_mapreduce"]
