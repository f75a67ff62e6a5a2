"""The naive pipeline against eurokg's store path, on project-shaped graphs of growing size.

For each size (default 10k and 100k triples; 1M on request: `scale.py 1000000`),
a synthetic graph (benchmarks/synthetic.py, with its own errors: hundreds of SHACL
results to compare) is written as TriG, then two child processes time their stages
and report peak memory (VmHWM of the child):

* naive: rdflib parse -> plain pySHACL with RDFS inference (up to --shacl-max triples) ->
  the research questions with rdflib SPARQL on the union graph (up to --query-max)
  -> rdflib Turtle -> networkx GraphML;
* eurokg: Oxigraph bulk load into the persistent store -> eurokg's SHACL engine on
  an in-memory Oxigraph copy (eurokg.shacl_store, same report as pySHACL) -> the
  same questions through eurokg's query path on the persistent store -> Oxigraph
  Turtle of the union -> GraphML of the same edges with a streaming writer.

Both children write their SHACL findings; the table says whether eurokg's equal
pySHACL's (severity, focus, path, message, value, shape, component of every one).
Prints one table with every stage, the totals, peak RSS and the ratio.

    .venv/bin/python benchmarks/scale.py [SIZES...] [--shacl-max N] [--query-max N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMON = r"""
import json, sys, time, io
from pathlib import Path
path, root, shacl, queries, out = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1", Path(sys.argv[5])
t = {}
def findings_json(report):
    return [[f.severity, f.focus, f.path, f.message, f.value, f.shape, f.component] for f in report.findings]
"""

NAIVE = COMMON + r"""
from rdflib import Dataset, Graph, Literal
s = time.perf_counter(); ds = Dataset(); ds.parse(path, format="trig"); t["load"] = time.perf_counter() - s
s = time.perf_counter()
union = Graph()
for g in ds.graphs():
    for tr in g: union.add(tr)
ds.default_union = True
t["union graph"] = time.perf_counter() - s
if shacl:
    import logging, pyshacl
    from eurokg.ontology import Ontology
    from eurokg.validate import PYSHACL_OPTIONS, findings_from_results, hierarchy_only, load_shapes
    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    shapes, ontology = load_shapes(root / "ontology/shapes.ttl"), Ontology.load(root / "ontology/eurokg.ttl").graph
    s = time.perf_counter()
    # plain pySHACL, as a researcher would call it (eurokg's own pySHACL path prepares its queries)
    _c, results, _t = pyshacl.validate(union, shacl_graph=shapes, ont_graph=hierarchy_only(ontology),
                                       inference="rdfs", **PYSHACL_OPTIONS)
    findings = findings_from_results(results, None)
    t["validate (SHACL)"] = time.perf_counter() - s
    out.write_text(json.dumps([[f.severity, f.focus, f.path, f.message, f.value, f.shape, f.component]
                               for f in findings]))
if queries:
    from eurokg.vocab import PREFIXES
    s = time.perf_counter()
    for q in sorted((root / "queries").glob("*.rq")):  # the union graph, or the dataset where GRAPH is asked
        text = q.read_text()
        list((ds if "GRAPH" in text else union).query(text, initNs=dict(PREFIXES)))
    t["16 research questions"] = time.perf_counter() - s
s = time.perf_counter(); union.serialize(format="turtle"); t["Turtle"] = time.perf_counter() - s
import networkx as nx
s = time.perf_counter()
G = nx.MultiDiGraph()
for a, p, b in union:
    if not isinstance(b, Literal): G.add_edge(str(a), str(b), key=str(p))
nx.write_graphml(G, io.BytesIO()); t["GraphML"] = time.perf_counter() - s
print(json.dumps(t))
"""

EUROKG = COMMON + r"""
import pyoxigraph as ox
from eurokg.store import open_built
from eurokg.query import run_query
s = time.perf_counter(); store = open_built(path, store="oxigraph"); t["load"] = time.perf_counter() - s
if shacl:
    from eurokg.ontology import Ontology
    from eurokg.shacl_store import Originals, load_file
    from eurokg.validate import load_shapes, validate_graph
    s = time.perf_counter()
    mem, originals = ox.Store(), Originals()
    load_file(path, mem, originals)
    report = validate_graph((mem, originals), load_shapes(root / "ontology/shapes.ttl"),
                            Ontology.load(root / "ontology/eurokg.ttl").graph, engine="oxigraph")
    t["validate (SHACL)"] = time.perf_counter() - s
    out.write_text(json.dumps(findings_json(report)))
    del mem, originals
if queries:
    s = time.perf_counter()
    for q in sorted((root / "queries").glob("*.rq")):
        run_query(store, q.read_text(), timeout_s=None, max_rows=10**9)
    t["16 research questions"] = time.perf_counter() - s
handle = store.open()
s = time.perf_counter()
buf = io.BytesIO()
ox.serialize(handle.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True),
             buf, format=ox.RdfFormat.TURTLE)
t["Turtle"] = time.perf_counter() - s
s = time.perf_counter()
from xml.sax.saxutils import quoteattr
buf = io.BytesIO()
buf.write(b'<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
          b'<graph edgedefault="directed">\n')
nodes = {}
edges = []
for row in handle.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isLiteral(?o)) }",
                        use_default_graph_as_union=True):
    a, p, b = row[0].value, row[1].value, row[2].value
    nodes.setdefault(a, None); nodes.setdefault(b, None)
    edges.append((a, b, p))
for n in nodes:
    buf.write(f"<node id={quoteattr(n)}/>\n".encode())
for i, (a, b, p) in enumerate(edges):
    buf.write(f"<edge id=\"e{i}\" source={quoteattr(a)} target={quoteattr(b)} label={quoteattr(p)}/>\n".encode())
buf.write(b"</graph>\n</graphml>\n")
t["GraphML"] = time.perf_counter() - s
print(json.dumps(t))
"""


def run(code: str, path: Path, shacl: bool, queries: bool, findings: Path) -> dict:
    """Run a child; its peak RSS is read from /proc just before it exits (the child waits on stdin)."""
    from procmem import peak_rss_mb

    code = code + "\nsys.stdout.flush(); sys.stdin.read()\n"
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(ROOT), "1" if shacl else "0",
                             "1" if queries else "0", str(findings)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    line = proc.stdout.readline()
    peak = peak_rss_mb(proc.pid)
    _out, err = proc.communicate("")
    if proc.returncode != 0 or not line.strip():
        raise SystemExit(err[-3000:])
    result = json.loads(line)
    result["peak RSS MB"] = peak
    return result


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000], help="triples per graph")
    parser.add_argument("--shacl-max", type=int, default=100_000, help="largest graph pySHACL is run on")
    parser.add_argument("--query-max", type=int, default=10_000,
                        help="largest graph rdflib runs the research questions on (430 s at 10k here)")
    args = parser.parse_args(argv)
    sizes = args.sizes
    limits = {"--shacl-max": args.shacl_max, "--query-max": args.query_max}
    from synthetic import synthetic_dataset

    from eurokg.merge import materialize_types
    from eurokg.ontology import Ontology

    ontology = Ontology.load(ROOT / "ontology/eurokg.ttl")

    print(f"{'triples':>9} {'stage':26} {'naive s':>9} {'eurokg s':>9} {'ratio':>7}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "graph.trig"
            ds = synthetic_dataset(size)
            materialize_types(ds, ontology)  # as the build does: ?x a ek:Treaty finds multilateral treaties
            ds.serialize(path, format="trig")
            triples = sum(len(g) for g in ds.graphs())
            del ds
            shacl, queries = triples <= limits["--shacl-max"], triples <= limits["--query-max"]
            ref_file, our_file = Path(tmp) / "naive.json", Path(tmp) / "eurokg.json"
            naive = run(NAIVE, path, shacl, queries, ref_file)
            ours = run(EUROKG, path, True, True, our_file)
            stages = [k for k in naive if k != "peak RSS MB"] + [k for k in ours if k not in naive and
                                                                   k != "peak RSS MB"]
            for k in stages:
                a, b = naive.get(k), ours.get(k)
                ratio = f"{a / b:6.1f}x" if a and b else "-"
                fa = f"{a:9.2f}" if a is not None else f"{'(skipped)':>9}"
                fb = f"{b:9.2f}" if b is not None else f"{'-':>9}"
                print(f"{triples:9d} {k:26} {fa} {fb} {ratio:>7}")
            common = [k for k in stages if k in naive and k in ours and k != "peak RSS MB"]
            total_a = sum(naive[k] for k in common)
            total_b = sum(ours[k] for k in common)
            print(f"{triples:9d} {'total (stages both ran)':26} {total_a:9.2f} {total_b:9.2f} {total_a / total_b:6.1f}x")
            total_b_all = sum(v for k, v in ours.items() if k != "peak RSS MB")
            print(f"{triples:9d} {'eurokg total, all stages':26} {'':>9} {total_b_all:9.2f}")
            print(f"{triples:9d} {'peak RSS MB':26} {naive['peak RSS MB']:9.0f} {ours['peak RSS MB']:9.0f}")
            if shacl:
                ref, got = json.loads(ref_file.read_text()), json.loads(our_file.read_text())
                same = "identical" if ref == got else f"DIFFERENT ({len(ref)} vs {len(got)})"
                print(f"{triples:9d} {'SHACL report vs pySHACL':26} {same} ({len(ref)} findings)")
            else:
                print(f"{triples:9d} {'SHACL report vs pySHACL':26} pySHACL not run (over --shacl-max)")


if __name__ == "__main__":
    main(sys.argv[1:])
