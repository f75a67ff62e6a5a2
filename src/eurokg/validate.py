"""Stage 5b: SHACL validation with pySHACL, as a typed report.

The ontology's class and property hierarchy is passed as ``ont_graph`` with
RDFS inference, so a shape targeting ``ek:Route`` also sees ``ek:Railway``
instances and a subproperty's values count for its parent. Each finding is
located in the curated input (``file:row:column``) where the data came from.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .errors import InputError
from .sources.rdffile import parse_rdf_file
from .vocab import PREFIXES, RDF, RDFS, REPORT, SH, curie

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One SHACL result: severity, focus node, path, message, offending value, and where
    in the curated files the focus node's data was written (``origin``)."""

    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    value: str = ""
    shape: str = ""
    component: str = ""
    origin: str = ""
    terms: tuple = field(default=(), compare=False, hash=False, repr=False)
    """The RDF terms behind focus, path, value, component and shape (for the Turtle report)."""

    def sort_key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 9), self.focus, self.path, self.message, self.value)

    def line(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value and self.value != self.focus else ""
        prefix = f"{self.origin}: " if self.origin else ""
        return f"{prefix}{self.severity.upper()}: {where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of validation: findings sorted by severity, focus node and path."""

    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0

    def passes(self, *, strict: bool = False) -> bool:
        return self.conforms and (not strict or self.count("Warning") == 0)

    def summary(self) -> str:
        v, w, i = self.count("Violation"), self.count("Warning"), self.count("Info")
        state = "conforms" if self.conforms else "does not conform"
        return f"validation {state}: {v} violation(s), {w} warning(s), {i} info"

    def text(self) -> str:
        return "\n".join([self.summary(), *(f.line() for f in self.findings)]) + "\n"

    def graph(self) -> Graph:
        """A SHACL validation report with the real terms (focus nodes and paths are IRIs,
        values keep their datatypes); results are numbered IRIs, so output is stable."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        report = REPORT["validation"]
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for n, f in enumerate(self.findings, start=1):
            r = REPORT[f"result-{n}"]
            focus, path, value, component, shape = (f.terms + (None,) * 5)[:5]
            g.add((report, SH.result, r))
            g.add((r, RDF.type, SH.ValidationResult))
            g.add((r, SH.resultSeverity, SH[f.severity]))
            g.add((r, SH.resultMessage, Literal(f.message)))
            if isinstance(focus, (URIRef, Literal)):
                g.add((r, SH.focusNode, focus))
            if isinstance(path, URIRef):
                g.add((r, SH.resultPath, path))
            if isinstance(value, (URIRef, Literal)):
                g.add((r, SH.value, value))
            if isinstance(component, URIRef):
                g.add((r, SH.sourceConstraintComponent, component))
            if isinstance(shape, URIRef):
                g.add((r, SH.sourceShape, shape))
            if f.origin:
                g.add((r, RDFS.comment, Literal(f"written at {f.origin}")))
        return g

    def turtle(self) -> str:
        return self.graph().serialize(format="turtle")


def _term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term)
    if isinstance(term, BNode):
        return "[]"
    return str(term)


def _path_text(graph: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return curie(node)
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    return "[complex path]"


def _own_message(results: Graph, r) -> str:
    """The result's message(s). pySHACL copies a node shape's own sh:message onto the
    results of every node-level constraint of that shape, so shapes.ttl gives a node
    shape a message only when it has a single node-level constraint."""
    text = " / ".join(sorted(str(m) for m in results.objects(r, SH.resultMessage))) or "constraint not met"
    # pySHACL fills {?var} with full IRIs; show them as CURIEs like the rest of the report
    return _IRI.sub(lambda m: curie(m.group(0)), text)


_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`,;()]+[^\s<>\"{}|\\^`,;().]")


def findings_from_results(results: Graph, locate=None) -> list[Finding]:
    out: dict[Finding, None] = {}
    for r in results.subjects(RDF.type, SH.ValidationResult):
        sev = results.value(r, SH.resultSeverity)
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        component = results.value(r, SH.sourceConstraintComponent)
        shape = results.value(r, SH.sourceShape)
        finding = Finding(
            severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
            focus=_term_text(focus),
            path=_path_text(results, path),
            message=_own_message(results, r),
            value=_term_text(value),
            shape=_term_text(shape) if isinstance(shape, URIRef) else "",
            component=_term_text(component),
            origin=locate(focus, path) if locate else "",
            terms=(focus, path if isinstance(path, URIRef) else None, value, component, shape),
        )
        out.setdefault(finding, None)  # pySHACL may report one result twice (once per inferred type)
    return sorted(out, key=Finding.sort_key)


def load_shapes(path: Path | str, *, display: str | None = None) -> Graph:
    return parse_rdf_file(path, display=display)


def hierarchy_only(ontology: Graph) -> Graph:
    """The ontology without ``rdfs:domain``/``rdfs:range``.

    With them, RDFS inference would *type* a wrong value to fit (a person given as
    ``ek:signatory`` would be inferred an ``ek:State``) and every ``sh:class`` check
    would pass vacuously. Subclass and subproperty entailment is what validation
    needs; domains and ranges are the reasoner's business."""
    from rdflib.collection import Collection

    from .vocab import OWL

    g = Graph()
    for t in ontology:
        if t[1] not in (RDFS.domain, RDFS.range):
            g.add(t)
    # spell owl:AllDisjointClasses out as owl:disjointWith pairs: a SHACL rule can then
    # check disjointness with one triple pattern instead of walking RDF lists per node
    for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(ontology, ontology.value(group, OWL.members)))
        for a in members:
            for b in members:
                if a != b:
                    g.add((a, OWL.disjointWith, b))
    return g


def validate_graph(
    data: Graph,
    shapes: Graph,
    ontology: Graph,
    *,
    inference: str = "rdfs",
    locate=None,
    shapes_name: str = "ontology/shapes.ttl",
) -> Report:
    """Run pySHACL on ``data``; never fetches ``owl:imports``, never runs SHACL-JS.

    ``locate(focus, path) -> "file:row:col"`` places each finding in the input.
    A broken shapes graph (bad SPARQL, a malformed constraint) is an
    :class:`InputError` naming the shapes file, not a traceback."""
    import pyshacl

    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    try:
        _conforms, results, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            ont_graph=hierarchy_only(ontology),
            inference=inference,
            abort_on_first=False,
            allow_infos=True,
            allow_warnings=True,
            meta_shacl=False,
            advanced=True,
            js=False,
            do_owl_imports=False,
        )
    except Exception as exc:  # pySHACL raises many types for a malformed shapes graph
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"the shapes cannot be used: {type(exc).__name__}: {first}", shapes_name) from None
    return Report(findings=findings_from_results(results, locate))
