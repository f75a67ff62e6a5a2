"""The naive pipeline against eurokg's store path, on project-shaped graphs of growing size.

For each size (default 10k and 100k triples; 1M on request: `scale.py 1000000`),
a synthetic graph (benchmarks/synthetic.py) is written as TriG, then two child
processes time their stages and report peak memory:

* naive: rdflib parse -> pySHACL with RDFS inference over the whole ontology (up to
  --shacl-max triples) -> the research questions with rdflib SPARQL on the union
  graph -> rdflib Turtle -> networkx GraphML;
* eurokg: Oxigraph bulk load (the `oxigraph` store) -> eurokg's validation (still
  pySHACL, on the class hierarchy only; up to --shacl-max) -> the same questions
  through eurokg's query path on Oxigraph -> Oxigraph TriG dump. (GraphML: eurokg's
  exporter still reads rdflib, not timed here.)

Prints one table with every stage, the totals, peak RSS and the ratio. The
questions are the 16 in queries/ (the same text, the same answers: see
tests/test_store.py).

    .venv/bin/python benchmarks/scale.py [SIZES...] [--shacl-max N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NAIVE = r"""
import json, resource, sys, time, io
from pathlib import Path
from rdflib import Dataset, Graph
path, root, shacl = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t = {}
s = time.perf_counter(); ds = Dataset(); ds.parse(path, format="trig"); t["load"] = time.perf_counter() - s
union = Graph()
for g in ds.graphs():
    for tr in g: union.add(tr)
ds.default_union = True
if shacl:
    import pyshacl
    s = time.perf_counter()
    pyshacl.validate(union, shacl_graph=Graph().parse(root / "ontology/shapes.ttl"),
                     ont_graph=Graph().parse(root / "ontology/eurokg.ttl"), inference="rdfs")
    t["validate (SHACL)"] = time.perf_counter() - s
from eurokg.vocab import PREFIXES
s = time.perf_counter()
for q in sorted((root / "queries").glob("*.rq")):  # the union graph, or the dataset where GRAPH is asked
    text = q.read_text()
    list((ds if "GRAPH" in text else union).query(text, initNs=dict(PREFIXES)))
t["16 research questions"] = time.perf_counter() - s
s = time.perf_counter(); union.serialize(format="turtle"); t["serialize"] = time.perf_counter() - s
import networkx as nx
from rdflib import Literal
s = time.perf_counter()
G = nx.MultiDiGraph()
for a, p, b in union:
    if not isinstance(b, Literal): G.add_edge(str(a), str(b), key=str(p))
nx.write_graphml(G, io.BytesIO()); t["GraphML"] = time.perf_counter() - s
t["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(t))
"""

EUROKG = r"""
import json, resource, sys, time, io
from pathlib import Path
import pyoxigraph as ox
path, root, shacl = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t = {}
from eurokg.store import open_built
from eurokg.query import run_query
s = time.perf_counter(); store = open_built(path, store="oxigraph"); t["load"] = time.perf_counter() - s
if shacl:
    from rdflib import Graph
    from eurokg.validate import load_shapes, validate_graph
    from eurokg.ontology import Ontology
    s = time.perf_counter()
    from rdflib import Dataset
    from eurokg.merge import union_graph
    d = Dataset(); d.parse(path, format="trig")  # pySHACL needs rdflib: not yet on the store
    validate_graph(union_graph(d), load_shapes(root / "ontology/shapes.ttl"),
                   Ontology.load(root / "ontology/eurokg.ttl").graph)
    t["validate (SHACL)"] = time.perf_counter() - s
s = time.perf_counter()
for q in sorted((root / "queries").glob("*.rq")):
    run_query(store, q.read_text(), timeout_s=None, max_rows=10**9)
t["16 research questions"] = time.perf_counter() - s
s = time.perf_counter()
handle = store.open(); buf = io.BytesIO()
handle.dump(buf, format=ox.RdfFormat.TRIG)
t["serialize"] = time.perf_counter() - s
t["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(t))
"""


def run(code: str, path: Path, shacl: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT), "1" if shacl else "0"],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    shacl_max = 100_000
    if "--shacl-max" in argv:
        i = argv.index("--shacl-max")
        shacl_max = int(argv[i + 1])
        del argv[i:i + 2]
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    from synthetic import synthetic_dataset

    print(f"{'size':>9} {'stage':24} {'naive s':>9} {'eurokg s':>9} {'ratio':>7}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "graph.trig"
            ds = synthetic_dataset(size)
            ds.serialize(path, format="trig")
            triples = sum(len(g) for g in ds.graphs())
            del ds
            shacl = triples <= shacl_max
            naive, ours = run(NAIVE, path, shacl), run(EUROKG, path, shacl)
            stages = [k for k in naive if k != "peak RSS MB"] + [k for k in ours if k not in naive]
            for k in stages:
                a, b = naive.get(k), ours.get(k)
                ratio = f"{a / b:6.1f}x" if a and b else "-"
                fa = f"{a:9.2f}" if a is not None else f"{'-':>9}"
                fb = f"{b:9.2f}" if b is not None else f"{'-':>9}"
                print(f"{triples:9d} {k:24} {fa} {fb} {ratio:>7}")
            total_a = sum(v for k, v in naive.items() if k != "peak RSS MB")
            total_b = sum(v for k, v in ours.items() if k != "peak RSS MB")
            print(f"{triples:9d} {'total':24} {total_a:9.2f} {total_b:9.2f} {total_a / total_b:6.1f}x")
            print(f"{triples:9d} {'peak RSS MB':24} {naive['peak RSS MB']:9.0f} {ours['peak RSS MB']:9.0f}")
            if not shacl:
                print(f"{triples:9d} {'(SHACL skipped: over --shacl-max)':24}")


if __name__ == "__main__":
    main(sys.argv[1:])
