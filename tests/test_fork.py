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


def test_forked_reports_a_fork_that_fails_and_leaves_no_folder(monkeypatch, tmp_path):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(WorkerError, match=r"^cannot start a worker process: \[Errno 11\] Resource temporarily"):
        Forked(_arrays, 3)
    assert list(tmp_path.iterdir()) == []


def _fails_mutely(folder):
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # as a full disk: the traceback cannot be written
    raise ValueError("lost")


def test_forked_reports_a_child_that_could_not_say_why():
    with Forked(_fails_mutely) as worker:
        with pytest.raises(WorkerError, match=r"^worker process failed: no message$"):
            worker.result()


def test_forked_child_ends_and_cleans_up_when_the_parent_is_killed(tmp_path):
    import subprocess
    import sys
    import time

    script = (
        "import os, signal, sys, time\n"
        "from graph._fork import Forked\n"
        "worker = Forked(lambda folder: time.sleep(60) or {})\n"
        "print(worker.pid, worker.folder, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    pid, folder = done.stdout.split()
    for _ in range(300):  # (up to 30 s on a loaded host) the child gets SIGTERM when its parent dies, removes its folder and ends
        if not os.path.exists(folder) and not os.path.exists(f"/proc/{pid}"):
            break
        time.sleep(0.1)
    assert not os.path.exists(folder)
    assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]
