"""A child process left without its parent (killed with SIGKILL) stops its session and
removes its folder instead of running on (the reasoner's Java, its temporary files)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

CHILD = textwrap.dedent("""
    import subprocess, sys, time
    from eurokg.child import watch_parent
    folder = sys.argv[1]
    watch_parent(folder, interval_s=0.1)
    grandchild = subprocess.Popen(["sleep", "60"])  # like HermiT's Java: started by the child
    open(folder + "/pids", "w").write(f"{grandchild.pid}\\n")
    time.sleep(60)
""")

PARENT = textwrap.dedent("""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], start_new_session=True)
    print(child.pid, flush=True)
    time.sleep(60)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_child_whose_parent_is_killed_stops_and_cleans_up(tmp_path):
    folder = tmp_path / "eurokg-reason-x"
    folder.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, str(folder)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    for _ in range(100):
        if (folder / "pids").exists() and (folder / "pids").read_text().strip():
            break
        time.sleep(0.1)
    grandchild = int((folder / "pids").read_text())
    assert _alive(child) and _alive(grandchild)
    parent.kill()
    parent.wait()
    for _ in range(50):
        if not _alive(child) and not _alive(grandchild) and not folder.exists():
            break
        time.sleep(0.1)
    assert not _alive(child) and not _alive(grandchild)
    assert not folder.exists()
