"""Notebook 14's first shuffle (its first lines, into a few partitions) visibly spreads the pairs: every partition
gets some, and a page that comes back lands where it landed before, whichever slider size made the data."""
import re
from pathlib import Path

import nbformat
import pytest

from helpers.bigdata import make_logs, map_lines, shuffle

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "14_big_data.ipynb"


def demo_numbers():
    """(lines read, partitions) as the notebook's shuffle cell uses them."""
    code = next(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if "shuffle(pairs" in c.source)
    return int(re.search(r"range\((\d+)\)", code)[1]), int(re.search(r"partitions=(\d+)", code)[1])


@pytest.mark.parametrize("rows", [80_000, 200_000])  # the first lines are the same for every size from 80k up
def test_every_partition_gets_pairs_and_a_page_comes_back(rows, tmp_path):
    count, partitions = demo_numbers()
    logs = make_logs(rows, folder=tmp_path, progress=False)
    with open(logs.files[0]) as first:
        pairs = list(map_lines([next(first) for _ in range(count)]))
    buckets = shuffle(pairs, partitions)
    assert all(buckets) and len(buckets) >= 2, [len(b) for b in buckets]
    assert any(len({key for key, _ in b}) < len(b) for b in buckets)  # a page seen twice, in one partition
