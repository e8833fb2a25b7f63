"""Runtime helper: run part of a computation in a forked child process (the second core).

Linking and analysing 100,000 articles is numpy, scipy and igraph work that holds
Python's GIL, so threads gain nothing; a forked child shares the parent's arrays
(copy-on-write, never copied unless written) and starts in ~50 ms, where a spawned one
would re-import numpy, scipy and igraph and be sent every matrix. The child's arrays come
back through files in a private temporary folder (``np.save``, never pickle), so the
parent reads them straight into what it keeps.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import tempfile
import threading
import traceback
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import GraphError

__all__ = ["WorkerError", "Forked", "cores", "can_fork", "start_worker", "worker_result", "lines_array", "lines_of"]


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


def release_free_memory() -> None:
    """Give the C library's free heap pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Called before forking: a page freed but still mapped would be shared with the child and
    copied again as soon as either process reuses it. After linking 100,000 articles
    ~100 MB of the heap is such pages.
    """
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


try:
    _LIBC = ctypes.CDLL(None)  # this process' own symbols: the C library's among them
except (OSError, TypeError):  # pragma: no cover - no dynamic loader; Windows (CDLL needs a name there)
    _LIBC = None


_PR_SET_PDEATHSIG = 1  # prctl option: the signal this process gets when its parent dies


def _end_with(parent: int, folder: Path) -> None:
    """In the child: end, removing ``folder``, when the parent process ends first (killed, say).

    Linux sends SIGTERM on the parent's death (``prctl(PR_SET_PDEATHSIG)``); elsewhere the
    child just finishes its part alone.
    """
    def leave(*_):
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGTERM, leave)
    try:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent ended before prctl took effect
        leave()


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
        parent = os.getpid()
        release_free_memory()
        try:
            self.pid = os.fork()
        except OSError as error:  # no process to spare (a container's limit, memory)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.pid = None
            raise WorkerError(f"cannot start a worker process: {error}") from error
        if self.pid == 0:  # the child: compute, save, leave without running the parent's exit handlers
            code = 1
            try:
                _end_with(parent, self.folder)
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
        pid, self.pid = self.pid, None
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError as error:  # reaped elsewhere (SIGCHLD ignored): its end is unknown
            raise WorkerError(f"worker process lost: {error}") from error
        if os.WIFSIGNALED(status):
            raise WorkerError(f"worker process killed by signal {os.WTERMSIG(status)} (out of memory?)")
        if os.WEXITSTATUS(status) != 0:
            raise WorkerError(f"worker process failed: {self._error()}")
        return {path.stem: np.load(path, allow_pickle=False) for path in sorted(self.folder.glob("*.npy"))}

    def _error(self) -> str:
        """The last line of the child's traceback (it may not have been able to write it: a full disk)."""
        try:
            lines = (self.folder / "error.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            lines = []
        return lines[-1] if lines else "no message"

    def close(self) -> None:
        """Stop the child if it still runs and remove its folder."""
        pid, self.pid = self.pid, None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):  # gone and reaped already
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def start_worker(function: Callable[..., dict[str, np.ndarray]], *args, task: str) -> Forked | None:
    """Return a :class:`Forked` running ``function(folder, *args)``, or None when no process can be
    started (a container's limit, memory): then ``task`` goes on in this process, with a RuntimeWarning."""
    try:
        return Forked(function, *args)
    except WorkerError as error:
        warnings.warn(f"{error}; {task} goes on in one process", RuntimeWarning, stacklevel=4)  # the caller's call
        return None


def worker_result(worker: Forked, *, task: str, stacklevel: int) -> dict[str, np.ndarray] | None:
    """Return ``worker``'s arrays, or None when it failed: then ``task`` goes on in this process,
    with a RuntimeWarning ``stacklevel`` frames above the caller (as ``warnings.warn`` counts
    them from it): at the call into the library."""
    try:
        return worker.result()
    except WorkerError as error:
        warnings.warn(f"{error}; {task} goes on in one process", RuntimeWarning, stacklevel=stacklevel + 1)
        return None


def lines_array(lines: list[str]) -> np.ndarray:
    """Strings without line breaks (words) as one array a child can return: their UTF-8 text, a line each.

    Examples
    --------
    >>> lines_of(lines_array(["café", "robot"])), lines_of(lines_array([]))
    (['café', 'robot'], [])
    """
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def lines_of(array: np.ndarray) -> list[str]:
    """The strings of :func:`lines_array`."""
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []
