"""Reading the W3C SHACL test suite (core part) and comparing validation results.

The suite is not shipped with eurokg: ``make test`` and ``.ci/run`` unpack it from the
pySHACL source distribution on PyPI (``test/resources/sht_tests``) into
``.venv/shacl-suite/`` (see ``tests/fetch_shacl_suite.py``); ``EUROKG_SHACL_SUITE``
points elsewhere. Tests that need it skip when it is absent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

ROOT = Path(__file__).resolve().parents[1]


def suite_dir() -> Path | None:
    """The folder holding ``core/`` of the W3C SHACL tests, or None."""
    env = os.environ.get("EUROKG_SHACL_SUITE")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT / ".venv" / "shacl-suite" / "sht_tests")
    for c in candidates:
        if (c / "core").is_dir():
            return c
    return None


@dataclass
class Case:
    name: str  # e.g. core/property/minCount-001
    file: Path
    data: Graph
    shapes: Graph
    expected: Graph  # the expected report (its results hang off ``report``)
    report: object


def cases(root: Path, part: str = "core") -> list[Case]:
    out = []
    for file in sorted((root / part).rglob("*.ttl")):
        if file.name == "manifest.ttl":
            continue
        g = Graph().parse(file, format="turtle", publicID=file.as_uri())
        for test in g.subjects(RDF.type, SHT.Validate):
            action = g.value(test, MF.action)
            result = g.value(test, MF.result)
            if action is None or result is None or not isinstance(result, (BNode, URIRef)):
                continue
            graphs = []
            for which in (SHT.dataGraph, SHT.shapesGraph):
                ref = g.value(action, which)
                if ref is None or str(ref) == file.as_uri():
                    graphs.append(g)
                else:
                    other = Path(str(ref).removeprefix("file://"))
                    graphs.append(Graph().parse(other, format="turtle", publicID=str(ref)))
            rel = file.relative_to(root).with_suffix("")
            out.append(Case(str(rel), file, graphs[0], graphs[1], g, result))
    return out


def path_text(g: Graph, node) -> str:
    """A result path as SPARQL path text (blank-node paths compared by structure)."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if g.value(node, RDF.first) is not None:
        return "(" + "/".join(path_text(g, p) for p in Collection(g, node)) + ")"
    for pred, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = g.value(node, pred)
        if inner is not None:
            return "(" + fmt.format(path_text(g, inner)) + ")"
    alt = g.value(node, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(path_text(g, p) for p in Collection(g, alt)) + ")"
    return "[?]"


def term_key(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "[]"  # blank nodes have no name that survives from one graph to another
    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>"


def expected_results(case: Case) -> list[tuple]:
    g = case.expected
    return sorted(result_key(g, r) for r in g.objects(case.report, SH.result))


def expected_conforms(case: Case) -> bool:
    value = case.expected.value(case.report, SH.conforms)
    return bool(value.toPython()) if isinstance(value, Literal) else True


def result_key(g: Graph, r) -> tuple:
    """(focus node, path, value, severity, component, source shape) of one result."""
    return (term_key(g.value(r, SH.focusNode)), path_text(g, g.value(r, SH.resultPath)),
            term_key(g.value(r, SH.value)), term_key(g.value(r, SH.resultSeverity)),
            term_key(g.value(r, SH.sourceConstraintComponent)), term_key(g.value(r, SH.sourceShape)))
