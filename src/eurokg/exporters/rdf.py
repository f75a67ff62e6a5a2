"""RDF serialisations, byte-identical for identical input.

rdflib's Turtle writer sorts subjects and predicates, so the union is stable;
its TriG writer does not order graphs, so TriG is assembled here from one
Turtle block per graph in IRI order. N-Triples and N-Quads are sorted lines.
"""

from __future__ import annotations

import json
from typing import BinaryIO

from rdflib import Dataset, Graph, URIRef

from ..merge import union_graph
from ..vocab import PREFIXES, PROVENANCE_GRAPH


def _bind(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def _used_prefix_graph(source: Graph) -> Graph:
    g = _bind(Graph(bind_namespaces="none"))
    for t in source:
        g.add(t)
    return g


def turtle_bytes(graph: Graph) -> bytes:
    g = _used_prefix_graph(graph)
    return g.serialize(format="turtle", encoding="utf-8")


def write_turtle(dataset: Dataset, ontology, out: BinaryIO) -> None:
    out.write(turtle_bytes(union_graph(dataset)))


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
    used = set()
    bodies = []
    for g in graphs:
        text = turtle_bytes(g).decode("utf-8")
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
    g = _used_prefix_graph(union_graph(dataset))
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
