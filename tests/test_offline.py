"""Offline by default: building, validating and querying open no network connection.

An audit hook in a child process records every socket connection and URL
request while the whole build (reasoner off: it runs Java in its own process,
from a local file) and the saved queries run.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

CHILD = r"""
import json, sys
events = []
def hook(name, args):
    if name in ("socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect"):
        events.append([name, repr(args)[:200]])
sys.addaudithook(hook)
from pathlib import Path
import eurokg
from eurokg import Project, build, run_query, saved_queries
project = Project(Path(sys.argv[1]))
result = build(project, run_reasoner=False)
for q in saved_queries(project.queries):
    run_query(result.dataset, q.text, timeout_s=None)
eurokg.validate(project)
print(json.dumps(events))
"""


def test_build_validate_and_query_make_no_network_request(project):
    out = subprocess.run([sys.executable, "-c", CHILD, str(project.root)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
