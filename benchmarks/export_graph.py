"""Gephi exports at 10k and 100k triples: eurokg's path against the naive one.

For each size, in fresh processes (medians of N runs, default 3), times:
  naive   rdflib_to_networkx_multidigraph + networkx.write_graphml (what the
          reference warns against: literals as nodes, broken edge ids);
  eurokg  the full view (projection), metrics, GraphML and GEXF writing.
and reports peak memory (max RSS of the process). Usage:

    .venv/bin/python benchmarks/export_graph.py [N] [SIZES...]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import io, json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from synthetic import synthetic_dataset
from eurokg.merge import union_graph
from eurokg.ontology import Ontology
size, mode = int(sys.argv[1]), sys.argv[2]
ds = synthetic_dataset(size)
ontology = Ontology.load(sys.argv[4])
times = {"triples": len(union_graph(ds))}
t0 = time.perf_counter()
if mode == "naive":
    import networkx as nx
    from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph
    g = rdflib_to_networkx_multidigraph(union_graph(ds), edge_attrs=lambda s, p, o: {})
    g = nx.relabel_nodes(g, {n: str(n) for n in g.nodes})
    t1 = time.perf_counter(); times["convert"] = t1 - t0
    nx.write_graphml(g, io.BytesIO())
    times["graphml"] = time.perf_counter() - t1
else:
    from eurokg.views import build_view
    from eurokg.metrics import annotate
    from eurokg.exporters.graphml import graphml_bytes
    from eurokg.exporters.gexf import gexf_bytes
    g = build_view(ds, ontology, "full")
    t1 = time.perf_counter(); times["view"] = t1 - t0
    annotate(g)
    t2 = time.perf_counter(); times["metrics"] = t2 - t1
    graphml_bytes(g)
    t3 = time.perf_counter(); times["graphml"] = t3 - t2
    gexf_bytes(g)
    times["gexf"] = time.perf_counter() - t3
times["total"] = time.perf_counter() - t0
times["nodes"] = g.number_of_nodes(); times["edges"] = g.number_of_edges()
times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(times))
"""


def run(size: int, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(size), mode, str(HERE), str(ROOT / "ontology" / "eurokg.ttl")],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(n: int, sizes: list[int]) -> None:
    print(f"{'size':>8} {'path':<6} {'triples':>8} {'nodes':>7} {'edges':>7}  stages (median s)"
          f"{'':<40} {'total s':>8} {'peak MB':>8}  (n={n})")
    for size in sizes:
        for mode in ("naive", "eurokg"):
            runs = [run(size, mode) for _ in range(n)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            stages = "  ".join(f"{k} {med[k]:.2f}" for k in runs[0]
                               if k not in ("triples", "total", "nodes", "edges", "peak_mb"))
            print(f"{size:>8} {mode:<6} {int(med['triples']):>8} {int(med['nodes']):>7} {int(med['edges']):>7}  "
                  f"{stages:<56} {med['total']:>8.2f} {med['peak_mb']:>8.0f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    n = int(args[0]) if args else 3
    sizes = [int(a) for a in args[1:]] or [10_000, 100_000]
    main(n, sizes)
