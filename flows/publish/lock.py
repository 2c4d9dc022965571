"""The data directory's run lock: one run at a time writes a local data dir.

Kept apart from storage.py (which re-exports it): a lock file is all it knows of the folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".newsflow.lock"


class DataDirLocked(RuntimeError):
    """Another run holds the data directory's lock."""


def lock_data_dir(data_dir: Path | str, timeout: float) -> contextlib.AbstractContextManager[None]:
    """Take the data directory's run lock now (waiting up to `timeout` seconds) and hand back a
    context manager that releases it; raise DataDirLocked when another run keeps it.

    An advisory flock on `<data>/.newsflow.lock`: the kernel drops it when its holder dies, even by
    SIGKILL, so a crashed run never leaves a stale lock. Object stores have no such lock: there
    two writers rely on Delta's optimistic concurrency (a conflicting commit fails, the next run
    redoes the work), so this is a no-op.
    """
    if "://" in str(data_dir):  # an object store (storage.is_uri)
        return contextlib.nullcontext()
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                os.close(fd)
                raise DataDirLocked(
                    f"another run holds the lock on {folder} ({holder}); waited {timeout:g} s, try again later"
                ) from None
            time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}".encode(), 0)
    return _held(fd)


@contextlib.contextmanager
def _held(fd: int) -> Iterator[None]:
    try:
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
