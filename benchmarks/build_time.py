"""Time `eurokg build` on the shipped data, stage by stage, in fresh processes, and
an unchanged rebuild (answered from the content-hash cache), then the research
questions on the built graph through the Oxigraph store (bulk load included).

With ``--synthetic N`` a valid synthetic graph of about N triples
(benchmarks/synthetic.py) is added to data/curated/ as Turtle, to see how the
build grows; ``--no-reason`` leaves HermiT out.

Prints a table of medians over N runs (default 3), with a baseline measured in
the same run: starting Python and importing the stack (rdflib, pySHACL,
owlready2, networkx), which every build pays. Usage:

    .venv/bin/python benchmarks/build_time.py [--runs N] [--synthetic TRIPLES] [--no-reason]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, shutil, sys, time, resource
from pathlib import Path
t0 = time.perf_counter()
import eurokg
from eurokg import Project, build
root = Path(sys.argv[1])
s = time.perf_counter()
result = build(Project(root), run_reasoner=sys.argv[2] == "1")
wall = time.perf_counter() - s
timings = dict(result.timings)
# the stages overlap where a child validates beside the writing ("wait for validation" is part
# of "write outputs"): the build's own wall time is the figure to compare
timings["the build, wall (build() called in process)"] = round(wall, 3)
# what `eurokg build` itself took at most, before this process goes on to the questions
timings["peak RSS MB, the build"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
del result
from eurokg.query import run_query
from eurokg.store import open_built
s = time.perf_counter()
store = open_built(root / "build" / "eurokg.trig", store="oxigraph")
timings["Oxigraph store: bulk load"] = round(time.perf_counter() - s, 3)
s = time.perf_counter()
for q in sorted((root / "queries").glob("*.rq")):
    run_query(store, q.read_text(), timeout_s=None, max_rows=10**9)
timings["research questions on Oxigraph"] = round(time.perf_counter() - s, 3)
timings["total (in process)"] = round(time.perf_counter() - t0, 3)
# the build, then (in the same process, on top of what the build left in it) the store and the questions
timings["peak RSS MB, the build then the questions"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(timings))
"""

QUESTIONS = r"""
import json, sys, time, resource
from pathlib import Path
from eurokg.query import run_query
from eurokg.store import open_built
root = Path(sys.argv[1])
s = time.perf_counter()
store = open_built(root / "build" / "eurokg.trig", store="oxigraph")  # loaded by the build's process: reopened
for q in sorted((root / "queries").glob("*.rq")):
    run_query(store, q.read_text(), timeout_s=None, max_rows=10**9)
print(json.dumps({"research questions, a fresh process (store reopened)": round(time.perf_counter() - s, 3),
                  "peak RSS MB, that process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""

BASELINE = "import rdflib, pyshacl, owlready2, networkx, pyoxigraph"


def main(n: int, synthetic: int = 0, reason: bool = True) -> None:
    rows: dict[str, list[float]] = {}
    for _ in range(n):
        with tempfile.TemporaryDirectory() as tmp:
            import shutil

            for name in ("ontology", "data", "queries"):
                shutil.copytree(ROOT / name, Path(tmp) / name)
            if synthetic:
                sys.path.insert(0, str(ROOT / "benchmarks"))
                from synthetic import synthetic_dataset, union_graph

                graph = union_graph(synthetic_dataset(synthetic, valid=True))
                graph.serialize(Path(tmp) / "data" / "curated" / "synthetic.ttl", format="turtle")
                rows.setdefault("input triples (shipped + synthetic)", []).append(len(graph))
                del graph
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from procmem import TreePeak

            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", CHILD, tmp, "1" if reason else "0"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            tree = TreePeak(proc.pid)
            stdout, stderr = proc.communicate()
            out = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
            if out.returncode != 0:
                raise SystemExit(out.stderr[-3000:])
            wall = time.perf_counter() - start
            # the build with its reasoner or metrics worker beside it, sampled from /proc
            rows.setdefault("peak RSS MB, with child processes (sampled)", []).append(tree.stop())
            print(out.stdout.strip().splitlines()[-1], file=sys.stderr, flush=True)  # this run's stages, at once
            for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items():
                rows.setdefault(k, []).append(v)
            rows.setdefault("wall (cold process)", []).append(round(wall, 3))
            # the questions as a researcher asks them after a build: another process
            asked = subprocess.run([sys.executable, "-c", QUESTIONS, tmp], check=True, capture_output=True, text=True)
            for k, v in json.loads(asked.stdout.strip().splitlines()[-1]).items():
                rows.setdefault(k, []).append(v)
            # the same inputs again through the command line: the content-hash cache answers
            eurokg = Path(sys.executable).with_name("eurokg")
            start = time.perf_counter()
            again = subprocess.run([str(eurokg), "--project", tmp, "build", "-q", *([] if reason else ["--no-reason"])],
                                   check=True, capture_output=True, text=True)
            assert "up to date" in again.stdout, again.stdout
            rows.setdefault("eurokg build, inputs unchanged (cache)", []).append(round(time.perf_counter() - start, 3))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE], check=True)
        rows.setdefault("baseline: python + imports", []).append(round(time.perf_counter() - start, 3))
    width = max(len(k) for k in rows)
    print(f"{'stage':<{width}}  median   min      max      (n={n})")
    for k, vals in rows.items():
        print(f"{k:<{width}}  {statistics.median(vals):<8.3f} {min(vals):<8.3f} {max(vals):<8.3f}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=0, metavar="TRIPLES")
    parser.add_argument("--no-reason", action="store_true")
    args = parser.parse_args()
    main(args.runs, args.synthetic, not args.no_reason)
