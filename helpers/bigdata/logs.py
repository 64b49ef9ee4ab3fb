"""A data set made on the spot: web-server access logs in the Common Log Format, from a fixed seed."""
import atexit
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from helpers.core.folders import private_folder

SEED = 2026
PATHS = ["/", "/index.html", "/about.html", "/news/", "/news/launch.html", "/news/orbit.html", "/shop/",
         "/shop/cart", "/shop/checkout", "/api/v1/satellites", "/api/v1/satellites/25544", "/api/v1/weather",
         "/images/logo.png", "/images/iss.jpg", "/css/site.css", "/js/app.js", "/favicon.ico", "/robots.txt",
         "/login", "/search"]
WEIGHTS = [30, 25, 4, 8, 5, 5, 6, 3, 2, 12, 9, 6, 20, 7, 18, 18, 10, 2, 4, 6]  # a few pages get most hits
METHODS, STATUSES = ["GET"] * 9 + ["POST"], [200] * 40 + [304] * 6 + [404] * 3 + [500]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
BATCH = 10_000  # lines made per step of the progress bar
_made = []  # folders this process made: removed at exit, and the last one when a new data set replaces it


@dataclass
class LogSet:
    """Log files on disk: where they are, how many lines and bytes."""

    folder: Path
    files: list
    rows: int

    @property
    def size(self):
        """Bytes on disk, all files together."""
        return sum(f.stat().st_size for f in self.files)

    def __repr__(self):
        return f"<LogSet {self.rows:,} lines in {len(self.files)} files, {self.size / 1e6:.1f} MB>"


def log_lines(rng, count):
    """count access-log lines drawn from rng: host, identity, user, [time], "request", status, bytes."""
    paths = rng.choices(PATHS, WEIGHTS, k=count)
    lines = []
    for path in paths:
        host = f"192.0.2.{rng.randrange(1, 255)}"  # a documentation network: no real visitor
        day, month, hour, minute = rng.randrange(1, 29), rng.choice(MONTHS), rng.randrange(24), rng.randrange(60)
        when = f"{day:02d}/{month}/2026:{hour:02d}:{minute:02d}:00"
        lines.append(f'{host} - - [{when} +0000] "{rng.choice(METHODS)} {path} HTTP/1.1" '
                     f"{rng.choice(STATUSES)} {rng.randrange(200, 60_000)}\n")
    return lines


def remove_made():
    """Remove the data sets this process wrote into temp folders."""
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)


def make_logs(rows=200_000, parts=8, seed=SEED, folder=None, progress=True, replace=True):
    """Write rows log lines into `parts` files (part-00000.log, ...) in a private temp folder; a bar shows progress.

    With replace=True (re-running a cell) the data set made before in a temp folder is removed first."""
    if rows < 1 or parts < 1:
        raise ValueError(f"rows and parts must be at least 1, not {rows} and {parts}")
    if folder is None:
        if replace:
            remove_made()
        folder = private_folder("dis-bigdata-")
        _made.append(folder)
    folder = Path(folder)
    files, rng = [], random.Random(seed)
    with tqdm(total=rows, unit=" lines", unit_scale=True, desc="writing logs", disable=not progress) as bar:
        for part in range(parts):
            share = rows // parts + (part < rows % parts)
            files.append(folder / f"part-{part:05d}.log")
            with open(files[-1], "w") as out:
                for start in range(0, share, BATCH):
                    out.writelines(log_lines(rng, min(BATCH, share - start)))
                    bar.update(min(BATCH, share - start))
    return LogSet(folder, files, rows)


def page_of(line):
    """The page a log line asked for: the second word of the quoted request (None for a broken line)."""
    request = line.split('"')
    return request[1].split(" ")[1] if len(request) > 2 and request[1].count(" ") == 2 else None


atexit.register(remove_made)  # a killed kernel's folder is swept by the next private_folder("dis-bigdata-")
