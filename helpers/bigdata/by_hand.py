"""MapReduce written plainly: map each line to (key, 1), shuffle the pairs into partitions by key, reduce each."""
import zlib
from collections import Counter

from tqdm.auto import tqdm

from helpers.bigdata.logs import page_of


def map_lines(lines):
    """Map: one (page, 1) pair per log line (broken lines give nothing)."""
    for line in lines:
        page = page_of(line)
        if page is not None:
            yield page, 1


def partition_of(key, partitions):
    """Which reducer gets key: a hash that every process agrees on (Python's own hash() differs per process)."""
    return zlib.crc32(key.encode()) % partitions


def shuffle(pairs, partitions):
    """Shuffle: put each pair in its key's partition, so every pair of one key meets at one reducer."""
    buckets = [[] for _ in range(partitions)]
    for key, value in pairs:
        buckets[partition_of(key, partitions)].append((key, value))
    return buckets


def reduce_pairs(pairs):
    """Reduce: add up the values of each key."""
    totals = Counter()
    for key, value in pairs:
        totals[key] += value
    return dict(totals)


def mapreduce(files, partitions=3, progress=True):
    """The whole job in this process: map every file, shuffle into partitions, reduce each partition; {page: hits}."""
    buckets = [[] for _ in range(partitions)]
    for path in tqdm(files, desc="map + shuffle", unit=" files", disable=not progress):
        with open(path) as lines:
            for n, bucket in enumerate(shuffle(map_lines(lines), partitions)):
                buckets[n] += bucket
    result = {}
    for bucket in buckets:
        result.update(reduce_pairs(bucket))  # partitions share no key, so the results just add up
    return result
