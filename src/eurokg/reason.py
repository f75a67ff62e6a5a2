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
import subprocess
import sys
import time
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef

from .child import ChildProcess
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


class ReasonerRun(ChildProcess):
    """HermiT under way in its child process, started from ontology + data; the caller
    may do other work (the build validates meanwhile) before :meth:`result`.

    The time limit counts from the start. Nothing is raised here: a missing Java
    runtime, like a crash or the limit, is raised by :meth:`result`, so that the caller's
    own errors (a SHACL violation) come first. Use as a context manager, or call
    :meth:`close`, to stop a run whose result is not wanted."""

    def __init__(self, ontology: Graph, data: Graph, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.omitted = 0
        self._error: Exception | None = None
        if shutil.which("java") is None:
            self._error = ReasonerError(
                "the HermiT reasoner needs Java: install a Java runtime (e.g. apt-get install default-jre-headless)")
            return
        graph, self.omitted = reasoner_input(ontology, data)
        folder = self._make_folder("eurokg-reason-")
        nt = folder / "input.nt"
        # N-Triples in sorted order: the reasoner's input is deterministic too
        lines = sorted(graph.serialize(format="nt").splitlines())
        nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._launch([sys.executable, "-m", "eurokg._reason_worker", str(nt), str(folder / "result.json")],
                     env=dict(os.environ, TMPDIR=str(folder)))
        self._started = time.monotonic()

    def result(self) -> ReasoningReport:
        """Wait for the reasoner (what is left of the time limit); raise on timeout or crash."""
        try:
            if self._error is not None:
                raise self._error
            assert self._proc is not None and self._folder is not None
            try:
                self._proc.wait(timeout=max(0.0, self.timeout_s - (time.monotonic() - self._started)))
            except subprocess.TimeoutExpired:
                raise LimitExceeded(f"reasoning took longer than {self.timeout_s:g} s and was stopped") from None
            out = self._folder / "result.json"
            if self._proc.returncode != 0 or not out.exists():
                tail = self._stderr_tail(5)
                raise ReasonerError("the reasoner failed: " + (" | ".join(tail) or f"exit {self._proc.returncode}"))
            result = json.loads(out.read_text(encoding="utf-8"))
        finally:
            self.close()
        return ReasoningReport(
            consistent=result["consistent"],
            unsatisfiable=sorted(curie(u) for u in result["unsatisfiable"]),
            inferred_types={curie(k): sorted(curie(t) for t in v) for k, v in sorted(result["inferred"].items())},
            omitted_literals=self.omitted,
            individuals=result["individuals"],
            seconds=result["seconds"],
            explanation=result.get("explanation", ""),
        )


def reason(ontology: Graph, data: Graph, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> ReasoningReport:
    """Run HermiT on ontology + data in a child process; raise on timeout or crash."""
    with ReasonerRun(ontology, data, timeout_s=timeout_s) as run:
        return run.result()


def check(report: ReasoningReport) -> None:
    """Raise :class:`InconsistentOntology` when the report shows a problem."""
    if not report.consistent:
        raise InconsistentOntology("the ontology with the data is inconsistent" + (f": {report.explanation}" if report.explanation else ""))
    if report.unsatisfiable:
        raise InconsistentOntology("unsatisfiable classes: " + ", ".join(report.unsatisfiable))
