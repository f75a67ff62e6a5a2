"""Stage 5a: OWL reasoning with owlready2 + HermiT, isolated and bounded.

The ontology and the data are written to a temporary N-Triples file and loaded
into a fresh owlready2 ``World`` in a child process (never the default world,
never a network fetch: ``owl:imports`` are removed before loading). HermiT runs
there; the child is killed, Java included, when the time limit is hit.

HermiT rejects ``xsd:date`` and the other XSD date types, so literals of
those types (and ranges naming them) are left out of what the reasoner sees;
the report says how many.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .errors import InconsistentOntology, LimitExceeded, ReasonerError
from .vocab import EK, OWL, PROV, RDF, RDFS, SKOS, XSD, curie

DEFAULT_TIMEOUT_S = 120.0

_UNSUPPORTED_DATATYPES = frozenset({XSD.date, XSD.gYear, XSD.gYearMonth, XSD.dateTime, EK.Decade, RDF.langString})
_ANNOTATIONS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.altLabel, SKOS.prefLabel, EK.sheet, EK.exportColumn)


@dataclass
class ReasoningReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_types: dict[str, list[str]] = field(default_factory=dict)
    omitted_literals: int = 0
    individuals: int = 0
    seconds: float = 0.0
    explanation: str = ""

    def text(self) -> str:
        lines = [
            f"reasoner: HermiT (owlready2), {self.individuals} individuals",
            f"consistent: {'yes' if self.consistent else 'NO'}",
            f"unsatisfiable classes: {', '.join(self.unsatisfiable) if self.unsatisfiable else 'none'}",
            f"date literals left out of reasoning (HermiT rejects XSD date types): {self.omitted_literals}",
        ]
        if self.explanation:
            lines.append(f"explanation: {self.explanation}")
        n = sum(len(v) for v in self.inferred_types.values())
        lines.append(f"inferred types: {n} on {len(self.inferred_types)} individuals")
        for ind, types in sorted(self.inferred_types.items()):
            lines.append(f"  {ind}: {', '.join(types)}")
        return "\n".join(lines) + "\n"


def reasoner_input(ontology: Graph, data: Graph) -> tuple[Graph, int]:
    """The graph HermiT sees: ontology + data minus what it cannot digest."""
    g = Graph()
    omitted = 0
    for s, p, o in ontology:
        if p == OWL.imports:
            continue
        if p == RDFS.range and (isinstance(o, BNode) or o in _UNSUPPORTED_DATATYPES):
            continue
        if (s, RDF.type, RDFS.Datatype) in ontology:
            continue
        g.add((s, p, o))
    for s, p, o in data:
        if isinstance(o, Literal) and o.datatype in _UNSUPPORTED_DATATYPES:
            omitted += 1
            continue
        g.add((s, p, o))
    # declarations OWL 2 DL needs for terms the ontology only mentions
    for s in set(data.subjects(RDF.type, None)):
        g.add((s, RDF.type, OWL.NamedIndividual))
    for p in _ANNOTATIONS:
        g.add((p, RDF.type, OWL.AnnotationProperty))
    g.add((PROV.wasDerivedFrom, RDF.type, OWL.ObjectProperty))
    for s, o in list(g.subject_objects(OWL.equivalentProperty)):
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
            if (s, RDF.type, kind) in g:
                g.add((o, RDF.type, kind))
    for c in set(g.objects(None, RDFS.subClassOf)):
        if isinstance(c, URIRef):
            g.add((c, RDF.type, OWL.Class))
    return g, omitted


def reason(ontology: Graph, data: Graph, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> ReasoningReport:
    """Run HermiT on ontology + data in a child process; raise on timeout or crash."""
    if shutil.which("java") is None:
        raise ReasonerError("the HermiT reasoner needs Java: install a Java runtime (e.g. apt-get install default-jre-headless)")
    graph, omitted = reasoner_input(ontology, data)
    with tempfile.TemporaryDirectory(prefix="eurokg-reason-") as tmp:
        nt = Path(tmp) / "input.nt"
        out = Path(tmp) / "result.json"
        # N-Triples in sorted order: the reasoner's input is deterministic too
        lines = sorted(graph.serialize(format="nt").splitlines())
        nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "eurokg._reason_worker", str(nt), str(out)]
        env = dict(os.environ, TMPDIR=tmp)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            _stdout, stderr = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise LimitExceeded(f"reasoning took longer than {timeout_s:g} s and was stopped") from None
        if proc.returncode != 0 or not out.exists():
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ReasonerError("the reasoner failed: " + (" | ".join(tail) or f"exit {proc.returncode}"))
        result = json.loads(out.read_text(encoding="utf-8"))
    report = ReasoningReport(
        consistent=result["consistent"],
        unsatisfiable=sorted(curie(u) for u in result["unsatisfiable"]),
        inferred_types={curie(k): sorted(curie(t) for t in v) for k, v in sorted(result["inferred"].items())},
        omitted_literals=omitted,
        individuals=result["individuals"],
        seconds=result["seconds"],
        explanation=result.get("explanation", ""),
    )
    return report


def check(report: ReasoningReport) -> None:
    """Raise :class:`InconsistentOntology` when the report shows a problem."""
    if not report.consistent:
        raise InconsistentOntology("the ontology with the data is inconsistent" + (f": {report.explanation}" if report.explanation else ""))
    if report.unsatisfiable:
        raise InconsistentOntology("unsatisfiable classes: " + ", ".join(report.unsatisfiable))
