"""RDF serialisations, byte-identical for identical input.

Turtle and TriG are written by Oxigraph's serializer from triples (quads) sorted
here: subject, then ``rdf:type`` before other predicates, predicate, object; in
TriG the provenance graph first, then graphs in IRI order. The prefix header is
the project's prefixes in name order (Oxigraph's own header order is not
stable). Oxigraph writes 1M triples in seconds where rdflib's Turtle writer
takes minutes. A graph with blank nodes (whose labels are not stable) goes
through rdflib's Turtle writer, which sorts and nests them. N-Triples and
N-Quads are sorted lines.
"""

from __future__ import annotations

import json
import re
from typing import BinaryIO

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from ..merge import union_graph
from ..vocab import PREFIXES, PROVENANCE_GRAPH, RDF, XSD

_WHOLE = re.compile(r"[+-]?[0-9]+")


def _bind(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def _writable() -> Graph:
    """An empty graph with only the project's prefixes bound (not rdflib's defaults)."""
    return _bind(Graph(bind_namespaces="none"))


def _used_prefix_graph(source: Graph, scratch: Graph | None = None) -> Graph:
    """``source``'s triples in a graph with the project's prefixes; ``scratch`` (emptied
    first) saves binding the prefixes again for each of many graphs."""
    g = _writable() if scratch is None else scratch
    if scratch is not None:
        g.remove((None, None, None))
    for t in source:
        g.add(t)
    return g


def turtle_bytes(graph: Graph, scratch: Graph | None = None) -> bytes:
    g = _used_prefix_graph(graph, scratch)
    return g.serialize(format="turtle", encoding="utf-8")


def _order(t) -> tuple:
    return str(t[0]), t[1] != RDF.type, str(t[1]), t[2].n3()


class _Terms:
    """rdflib terms as pyoxigraph terms (each distinct term converted once)."""

    def __init__(self) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.cache: dict = {}

    def __call__(self, term):
        known = self.cache.get(term)
        if known is None:
            ox = self.ox
            if isinstance(term, URIRef):
                known = ox.NamedNode(str(term))
            elif isinstance(term, Literal):
                if term.language:
                    known = ox.Literal(str(term), language=term.language)
                elif term.datatype is not None:
                    lexical = str(term)
                    if term.datatype == XSD.decimal and _WHOLE.fullmatch(lexical):
                        # "1500000000" as "1500000000.0", as rdflib's writer gave it: a query with
                        # the literal 1500000000.0 matches the built graph as before
                        lexical = lexical.lstrip("+") + ".0"
                    known = ox.Literal(lexical, datatype=ox.NamedNode(str(term.datatype)))
                else:
                    known = ox.Literal(str(term))
            else:
                raise TypeError(f"cannot write {term!r} with Oxigraph")
            self.cache[term] = known
        return known


def _oxigraph_text(items: list, rdf_format: str) -> str:
    """``items`` (ox.Triple or ox.Quad, in order) as Turtle or TriG with the sorted prefix header."""
    import pyoxigraph as ox

    fmt = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG}[rdf_format]
    text = ox.serialize(items, format=fmt, prefixes={p: str(ns) for p, ns in PREFIXES.items()}).decode("utf-8")
    lines = text.split("\n")
    start = 0
    while start < len(lines) and lines[start].startswith("@prefix "):
        start += 1
    header = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items()))
    return header + "\n\n" + "\n".join(lines[start:])


def _has_blank_nodes(triples) -> bool:
    return any(isinstance(t[0], BNode) or isinstance(t[2], BNode) for t in triples)


def write_turtle(dataset: Dataset, ontology, out: BinaryIO) -> None:
    graph = union_graph(dataset, into=_writable())
    if _has_blank_nodes(graph):
        out.write(graph.serialize(format="turtle", encoding="utf-8"))
        return
    import pyoxigraph as ox

    term = _Terms()
    items = [ox.Triple(term(s), term(p), term(o)) for s, p, o in sorted(graph, key=_order)]
    out.write(_oxigraph_text(items, "turtle").encode("utf-8"))


def write_ntriples(dataset: Dataset, ontology, out: BinaryIO) -> None:
    text = union_graph(dataset).serialize(format="nt")
    lines = sorted(line for line in text.splitlines() if line.strip())
    out.write(("\n".join(lines) + "\n").encode("utf-8"))


def _named_graphs(dataset: Dataset) -> list[Graph]:
    graphs = [g for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g) > 0
              and str(g.identifier) != str(dataset.default_graph.identifier)]
    return sorted(graphs, key=lambda g: (g.identifier != PROVENANCE_GRAPH, str(g.identifier)))


def write_nquads(dataset: Dataset, ontology, out: BinaryIO) -> None:
    lines = []
    for g in _named_graphs(dataset):
        for line in g.serialize(format="nt").splitlines():
            if line.strip():
                lines.append(f"{line[:-1].rstrip()} <{g.identifier}> .")
    out.write(("\n".join(sorted(lines)) + "\n").encode("utf-8"))


def write_trig(dataset: Dataset, ontology, out: BinaryIO) -> None:
    graphs = _named_graphs(dataset)
    if any(_has_blank_nodes(g) for g in graphs):
        _write_trig_rdflib(graphs, out)
        return
    import pyoxigraph as ox

    term = _Terms()
    items = []
    for g in graphs:
        name = ox.NamedNode(str(g.identifier))
        items.extend(ox.Quad(term(s), term(p), term(o), name) for s, p, o in sorted(g, key=_order))
    out.write(_oxigraph_text(items, "trig").encode("utf-8"))


def _write_trig_rdflib(graphs: list[Graph], out: BinaryIO) -> None:
    used = set()
    bodies = []
    scratch = _writable()
    for g in graphs:
        text = turtle_bytes(g, scratch).decode("utf-8")
        body_lines = []
        for line in text.splitlines():
            if line.startswith("@prefix"):
                used.add(line)
            elif line.strip():
                body_lines.append("    " + line)
            else:
                body_lines.append("")
        while body_lines and not body_lines[-1]:
            body_lines.pop()
        bodies.append(f"<{g.identifier}> {{\n" + "\n".join(body_lines) + "\n}\n")
    header = "\n".join(sorted(used))
    out.write((header + "\n\n" + "\n".join(bodies)).encode("utf-8"))


def write_jsonld(dataset: Dataset, ontology, out: BinaryIO) -> None:
    g = union_graph(dataset, into=_writable())
    context = {p: str(ns) for p, ns in PREFIXES.items()}
    text = g.serialize(format="json-ld", context=context, indent=2, sort_keys=True, auto_compact=True)
    doc = _sorted_json(json.loads(text))
    out.write((json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))


def _sorted_json(node, key: str | None = None):
    """Sort JSON-LD arrays (rdflib emits values in hash order), except ``@list`` contents."""
    if isinstance(node, dict):
        return {k: _sorted_json(v, k) for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_json(v, key) for v in node]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return node
