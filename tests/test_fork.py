"""The forked worker: arrays back through files, failures reported, nothing left behind."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from graph._fork import Forked, WorkerError


def _arrays(folder, n):
    (folder / "extra.bin").write_bytes(np.arange(n, dtype=np.int32).tobytes())
    return {"squares": np.arange(n) ** 2, "names": np.array(["a", "bé"])}


def test_forked_returns_arrays_and_files_then_cleans_up():
    with Forked(_arrays, 5) as worker:
        result = worker.result()
        extra = np.fromfile(worker.folder / "extra.bin", dtype=np.int32)
        folder = worker.folder
    assert result["squares"].tolist() == [0, 1, 4, 9, 16]
    assert result["names"].tolist() == ["a", "bé"]
    assert extra.tolist() == [0, 1, 2, 3, 4]
    assert not folder.exists()


def _fails(folder):
    raise ValueError("bad block 7")


def _killed(folder):
    os.kill(os.getpid(), signal.SIGKILL)


def test_forked_reports_the_childs_error():
    with Forked(_fails) as worker:
        with pytest.raises(WorkerError, match=r"^worker process failed: ValueError: bad block 7$"):
            worker.result()


def test_forked_reports_a_killed_child():
    with Forked(_killed) as worker:
        with pytest.raises(WorkerError, match=r"killed by signal 9"):
            worker.result()


def test_forked_close_stops_a_running_child():
    with Forked(lambda folder: os.kill(os.getpid(), signal.SIGSTOP) or {}) as worker:
        pid = worker.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left
    assert worker.pid is None
