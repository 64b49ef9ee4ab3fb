"""Private temporary folders named for the process that made them, and a sweep of those a killed kernel left."""
import os
import shutil
import tempfile
from pathlib import Path


def alive(pid):
    """True while process pid exists (whoever owns it)."""
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, and belongs to someone else
        return True
    return True


def sweep_orphans(prefix):
    """Remove <temp>/<prefix><pid>-* folders whose process has died (a killed kernel); return how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        pid = folder.name[len(prefix):].split("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += not folder.exists()
    return removed


def private_folder(prefix):
    """A new temporary folder <temp>/<prefix><pid>-<random>, after sweeping the orphans of that prefix."""
    sweep_orphans(prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))  # the pid tells whose folder it is
