"""Stage 5b: SHACL validation with pySHACL, as a typed report.

The ontology is passed as ``ont_graph`` and RDFS inference is on, so a shape
targeting ``ek:Route`` also sees ``ek:Railway`` instances and a subproperty's
values count for its parent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .sources.rdffile import parse_rdf_file
from .vocab import PREFIXES, RDF, SH, curie

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result."""

    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    value: str = ""
    shape: str = ""
    component: str = ""

    def sort_key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 9), self.focus, self.path, self.message, self.value)


@dataclass
class Report:
    """The outcome of validation: findings sorted by severity, focus node and path."""

    findings: list[Finding] = field(default_factory=list)
    results_graph: Graph | None = None

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
        lines = [self.summary()]
        for f in self.findings:
            where = f"{f.focus}" + (f" {f.path}" if f.path else "")
            value = f" (value: {f.value})" if f.value and f.value != f.focus else ""
            lines.append(f"{f.severity.upper()}: {where}: {f.message}{value}")
        return "\n".join(lines) + "\n"

    def turtle(self) -> str:
        """The SHACL results graph as deterministic Turtle (blank nodes skolemised by content)."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        report = URIRef("urn:eurokg:validation-report")
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for n, f in enumerate(self.findings, start=1):
            r = URIRef(f"urn:eurokg:validation-report:result-{n}")
            g.add((report, SH.result, r))
            g.add((r, RDF.type, SH.ValidationResult))
            g.add((r, SH.resultSeverity, SH[f.severity]))
            g.add((r, SH.focusNode, Literal(f.focus)))
            if f.path:
                g.add((r, SH.resultPath, Literal(f.path)))
            g.add((r, SH.resultMessage, Literal(f.message)))
            if f.value:
                g.add((r, SH.value, Literal(f.value)))
            if f.shape:
                g.add((r, SH.sourceShape, Literal(f.shape)))
            if f.component:
                g.add((r, SH.sourceConstraintComponent, Literal(f.component)))
        return g.serialize(format="turtle")


def _term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term)
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, Literal):
        return str(term)
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


def findings_from_results(results: Graph) -> list[Finding]:
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        sev = results.value(r, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        shape = results.value(r, SH.sourceShape)
        out.append(Finding(
            severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
            focus=_term_text(results.value(r, SH.focusNode)),
            path=_path_text(results, results.value(r, SH.resultPath)),
            message=" / ".join(messages) or "constraint not met",
            value=_term_text(results.value(r, SH.value)),
            shape=_term_text(shape) if isinstance(shape, URIRef) else "",
            component=_term_text(results.value(r, SH.sourceConstraintComponent)),
        ))
    # pySHACL may report the same result twice (once per inferred type); keep one
    return sorted(set(out), key=Finding.sort_key)


def load_shapes(path: Path | str, *, display: str | None = None) -> Graph:
    return parse_rdf_file(path, display=display)


def hierarchy_only(ontology: Graph) -> Graph:
    """The ontology without ``rdfs:domain``/``rdfs:range``.

    With them, RDFS inference would *type* a wrong value to fit (a person given as
    ``ek:signatory`` would be inferred an ``ek:State``) and every ``sh:class`` check
    would pass vacuously. Subclass and subproperty entailment is what validation
    needs; domains and ranges are the reasoner's business."""
    from .vocab import RDFS

    g = Graph()
    for t in ontology:
        if t[1] not in (RDFS.domain, RDFS.range):
            g.add(t)
    return g


def validate_graph(data: Graph, shapes: Graph, ontology: Graph, *, inference: str = "rdfs") -> Report:
    """Run pySHACL on ``data``; never fetches ``owl:imports``, never runs SHACL-JS.

    The ontology joins as ``ont_graph`` (class and property hierarchy only, see
    :func:`hierarchy_only`) with RDFS inference, so a shape on ``ek:Route`` sees railways."""
    import pyshacl

    logging.getLogger("pyshacl").setLevel(logging.ERROR)
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
    return Report(findings=findings_from_results(results), results_graph=results)
