"""pySHACL as a researcher would call it, against pySHACL as eurokg calls it.

The same engine, graphs and options (``eurokg.validate.PYSHACL_OPTIONS``, the ontology's
hierarchy as ``ont_graph``, RDFS inference) on the same synthetic graph
(``synthetic.py``, with its own errors): "plain" hands pySHACL an rdflib ``Graph``;
"eurokg" goes through ``validate_graph(engine="pyshacl")``, whose copy of the data
parses each SPARQL text once (``eurokg.validate.PreparedQueries``). Each run is a
fresh process; the table gives seconds, peak RSS (the child's VmHWM), the ratio, and
whether the findings are the same.

    .venv/bin/python benchmarks/pyshacl_prepared.py [SIZES...]   # default: 1000 10000 30000
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from pathlib import Path
from rdflib import Graph
from eurokg.ontology import Ontology
from eurokg.validate import (PYSHACL_OPTIONS, findings_from_results, hierarchy_only, load_shapes,
                             validate_graph)
how, path, root, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
data = Graph().parse(path, format="nt")
shapes = load_shapes(root / "ontology/shapes.ttl")
ontology = Ontology.load(root / "ontology/eurokg.ttl").graph
begun = time.perf_counter()
if how == "plain":
    import logging, pyshacl
    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    _c, results, _t = pyshacl.validate(data, shacl_graph=shapes, ont_graph=hierarchy_only(ontology),
                                       inference="rdfs", **PYSHACL_OPTIONS)
    findings = findings_from_results(results, None)
else:
    findings = validate_graph(data, shapes, ontology, engine="pyshacl").findings
seconds = time.perf_counter() - begun
out.write_text(json.dumps([[f.severity, f.focus, f.path, f.message, f.value, f.shape, f.component]
                           for f in findings]))
print(json.dumps({"s": seconds}))
sys.stdout.flush(); sys.stdin.read()
"""


def run(how: str, path: Path, out: Path) -> tuple[float, float | None]:
    from procmem import peak_rss_mb

    proc = subprocess.Popen([sys.executable, "-c", CHILD, how, str(path), str(ROOT), str(out)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    peak = peak_rss_mb(proc.pid)
    _out, err = proc.communicate("")
    if proc.returncode != 0 or not line.strip():
        raise SystemExit(err[-3000:])
    return json.loads(line)["s"], peak


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import synthetic_dataset

    from eurokg.merge import materialize_types, union_graph
    from eurokg.ontology import Ontology

    sizes = [int(a) for a in argv] or [1_000, 10_000, 30_000]
    ontology = Ontology.load(ROOT / "ontology/eurokg.ttl")
    print(f"{'triples':>8} {'plain s':>9} {'eurokg s':>9} {'ratio':>7} {'plain MB':>9} {'eurokg MB':>10}  findings")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ds = synthetic_dataset(size)
            materialize_types(ds, ontology)
            union = union_graph(ds)
            path = Path(tmp) / "data.nt"
            union.serialize(path, format="nt", encoding="utf-8")
            plain_s, plain_mb = run("plain", path, Path(tmp) / "plain.json")
            ours_s, ours_mb = run("eurokg", path, Path(tmp) / "eurokg.json")
            a = json.loads((Path(tmp) / "plain.json").read_text())
            b = json.loads((Path(tmp) / "eurokg.json").read_text())
            same = f"identical ({len(a)})" if a == b else f"DIFFERENT ({len(a)} vs {len(b)})"
            print(f"{len(union):8d} {plain_s:9.2f} {ours_s:9.2f} {plain_s / ours_s:6.1f}x "
                  f"{plain_mb or 0:9.0f} {ours_mb or 0:10.0f}  {same}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
