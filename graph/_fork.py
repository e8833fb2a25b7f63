"""Runtime helper: run part of a computation in a forked child process (the second core).

Linking and analysing 100,000 articles is numpy, scipy and igraph work that holds
Python's GIL, so threads gain nothing; a forked child shares the parent's arrays
(copy-on-write, never copied unless written) and starts in ~50 ms, where a spawned one
would re-import scipy and scikit-learn and be sent every matrix. The child's arrays come
back through files in a private temporary folder (``np.save``, never pickle), so the
parent reads them straight into what it keeps.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import GraphError

__all__ = ["WorkerError", "Forked", "cores", "can_fork"]


class WorkerError(GraphError):
    """A forked worker process failed or was killed; says how."""


def cores() -> int:
    """Return how many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


def can_fork() -> bool:
    """Return whether a second core is there and forking is safe here.

    Forking a process that runs other threads (the Streamlit app's server) is unsafe: a
    lock one of them holds stays held in the child forever. Such a process computes
    everything itself.
    """
    return hasattr(os, "fork") and threading.active_count() == 1 and cores() > 1


class Forked:
    """``function(folder, *args)`` running in a forked child; :meth:`result` waits for its arrays.

    ``function`` returns a dict of numpy arrays (saved as ``.npy`` files, never pickled);
    it may also write files of its own into ``folder`` (a private temporary folder) for the
    parent to read before :meth:`close`, which kills the child if it still runs and
    removes the folder. Use it as a context manager.

    Examples
    --------
    >>> def square(folder, x):
    ...     return {"y": np.arange(x) ** 2}
    >>> with Forked(square, 4) as worker:
    ...     worker.result()["y"].tolist()
    [0, 1, 4, 9]
    """

    def __init__(self, function: Callable[..., dict[str, np.ndarray]], *args):
        self.folder = Path(tempfile.mkdtemp(prefix="graph-worker-"))
        self.pid = os.fork()
        if self.pid == 0:  # the child: compute, save, leave without running the parent's exit handlers
            code = 1
            try:
                for name, array in function(self.folder, *args).items():
                    np.save(self.folder / f"{name}.npy", np.asarray(array), allow_pickle=False)
                code = 0
            except BaseException:  # anything at all: the parent reports it (WorkerError)
                (self.folder / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
            finally:
                os._exit(code)

    def result(self) -> dict[str, np.ndarray]:
        """Wait for the child and return its arrays; raise :class:`WorkerError` when it failed."""
        if self.pid is None:
            raise WorkerError("the worker's result was already taken")
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.WIFSIGNALED(status):
            raise WorkerError(f"worker process killed by signal {os.WTERMSIG(status)} (out of memory?)")
        if os.WEXITSTATUS(status) != 0:
            error = self.folder / "error.txt"
            detail = error.read_text(encoding="utf-8").strip().splitlines()[-1] if error.exists() else "no message"
            raise WorkerError(f"worker process failed: {detail}")
        return {path.stem: np.load(path, allow_pickle=False) for path in sorted(self.folder.glob("*.npy"))}

    def close(self) -> None:
        """Stop the child if it still runs and remove its folder."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
