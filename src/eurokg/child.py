"""A child process that works beside the caller, in a folder of its own (the reasoner,
the metrics worker): started in its own session, so that stopping it stops whatever it
started too (HermiT's Java); output to a file, not a pipe nobody reads while the caller
works; stopped and cleaned up by :meth:`ChildProcess.close` or the ``with`` block."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path


class ChildProcess:
    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._folder: Path | None = None

    def _make_folder(self, prefix: str) -> Path:
        self._folder = Path(tempfile.mkdtemp(prefix=prefix))
        return self._folder

    def _launch(self, cmd: list[str], env: dict | None = None) -> None:
        assert self._folder is not None
        with open(self._folder / "stderr.txt", "wb") as err:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                          env=env, start_new_session=True)

    def _stderr_tail(self, lines: int) -> list[str]:
        assert self._folder is not None
        text = (self._folder / "stderr.txt").read_text(encoding="utf-8", errors="replace")
        return text.strip().splitlines()[-lines:]

    def close(self) -> None:
        """Stop the child and everything in its session if it still runs, and remove its folder."""
        if self._proc is not None and self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._proc.wait()
        self._proc = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ChildJob:
    """Work handed to a :class:`ChildProcess` held in ``self._child`` (the RDF writer, validation):
    closing the job stops the child and removes its folder; usable in a ``with`` block."""

    _child: ChildProcess

    def close(self) -> None:
        self._child.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def watch_parent(folder: Path | str, interval_s: float = 0.5) -> None:
    """Called by a child at start: when the process that started it dies (killed with
    SIGKILL, it can clean nothing up), remove ``folder`` (the child's working folder) and
    stop the child's whole session, HermiT's Java included, instead of running on with no
    one to read the result. A daemon thread that polls the parent's pid (it waits while a
    C extension holds the GIL, which the metrics worker's igraph calls do: that worker
    then stops when its call returns)."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                shutil.rmtree(folder, ignore_errors=True)
                os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="eurokg-watch-parent", daemon=True).start()
