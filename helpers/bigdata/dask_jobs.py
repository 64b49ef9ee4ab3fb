"""The page count on Dask: with dask.bag (a MapReduce of Python objects) and dask.dataframe (pandas in pieces).

Dask's modules are imported where they are used, so that the notebook's imports cell stays quick."""
import time

from tqdm.auto import tqdm

from helpers.bigdata.logs import page_of

BLOCK = "8MiB"  # a file bigger than this is read in blocks of it, as HDFS cuts files: what one task holds is bounded
COLUMNS = ["host", "ident", "user", "time", "zone", "request", "status", "bytes"]  # [time zone] splits in two


def is_page(page):
    """False for the None a broken line maps to."""
    return page is not None


def pages_bag(files, blocksize=BLOCK):
    """A bag of the files' lines (a partition per file, or per blocksize bytes of a bigger one), mapped to pages and
    counted."""
    import dask.bag as db
    return db.read_text([str(f) for f in files], blocksize=blocksize).map(page_of).filter(is_page).frequencies()


def pages_frame(files, blocksize=BLOCK):
    """The same count with dask.dataframe: read the logs as space-separated columns, take the page from the request."""
    import dask.dataframe as dd
    logs = dd.read_csv([str(f) for f in files], sep=" ", header=None, names=COLUMNS, quotechar='"', dtype=str,
                       blocksize=blocksize)
    return logs["request"].str.split(" ").str[1].value_counts()


def as_counts(result):
    """A bag's list of (page, count) pairs or a dataframe's Series, as {page: count} of plain ints."""
    pairs = result.items() if hasattr(result, "items") else result
    return {page: int(count) for page, count in pairs}


def watch(job):
    """Dask's progress bars for job (a future) as a widget, fed on the client's own thread; `distributed.progress`
    feeds its bars on the kernel's event loop, which waits while later cells run (and may outlive the cluster)."""
    from distributed import futures_of
    from distributed.diagnostics.progressbar import MultiProgressWidget
    bar = MultiProgressWidget(futures_of(job), complete=True)
    job.client.loop.add_callback(bar.listen)
    return bar.widget


def timed(client, job, workers=None):
    """Run job on the cluster (on only the given worker addresses, if any); (seconds, {page: count})."""
    started = time.perf_counter()
    future = client.compute(job, workers=workers, allow_other_workers=workers is None)
    result, seconds = future.result(timeout=300), time.perf_counter() - started
    key, deadline = future.key, time.monotonic() + 5
    future.release()
    held = lambda dask_scheduler: key in dask_scheduler.tasks  # noqa: E731 (sent by value: no import needed there)
    while client.run_on_scheduler(held) and time.monotonic() < deadline:
        time.sleep(0.01)  # else the next run of the same job would get this result back without computing it
    return seconds, as_counts(result)


def one_and_two_workers(client, files, repeat=3, progress=True):
    """Best-of-repeat seconds of the bag job on one worker and on the whole cluster of two, taken in turns (so a
    moment when the machine is busy with something else slows both, not one)."""
    client.wait_for_workers(2, timeout=30)  # a worker that was just restarted may still be on its way
    addresses = sorted(client.scheduler_info(n_workers=-1)["workers"])
    if len(addresses) != 2:
        raise ValueError(f"comparing 1 and 2 workers needs a cluster of 2, this one has {len(addresses)}")
    runs = {1: [], 2: []}
    with tqdm(total=1 + 2 * repeat, desc="1 and 2 workers", unit=" runs", disable=not progress) as bar:
        timed(client, pages_bag(files))  # a first run warms both workers up (imports, file cache)
        bar.update()
        for _ in range(repeat):
            for count, used in ((1, addresses[:1]), (2, None)):
                runs[count].append(timed(client, pages_bag(files), used))
                bar.update()
    if len({str(sorted(counts.items())) for count in runs for _, counts in runs[count]}) != 1:
        raise AssertionError("the same job gave different counts")
    return {count: min(seconds for seconds, _ in runs[count]) for count in runs}


def slowly(lines, seconds):
    """Pass a partition through after a pause (so a job lasts long enough to kill a worker in the middle)."""
    time.sleep(seconds)
    return lines
