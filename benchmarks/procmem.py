"""Peak resident memory of a process, for the benchmarks' tables.

VmHWM from /proc/PID/status, not getrusage: on Linux a child's ru_maxrss starts
from its parent's RSS at fork, which hides small children of a large parent."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """VmHWM of ``pid`` (or this process) in MB; None where /proc cannot tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
