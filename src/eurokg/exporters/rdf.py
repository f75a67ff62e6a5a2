"""RDF serialisations, byte-identical for identical input.

Turtle and TriG come from :mod:`eurokg.rdfwrite` (sorted, written by Oxigraph);
TriG has the provenance graph first, then graphs in IRI order. N-Triples and
N-Quads are sorted lines; JSON-LD has its arrays sorted.
"""

from __future__ import annotations

import json
from typing import BinaryIO

from rdflib import Dataset, Graph, URIRef

from ..merge import union_graph, union_triples
from ..rdfwrite import RdfJob, trig, turtle, writable_graph
from ..vocab import PREFIXES, PROVENANCE_GRAPH


def write_turtle(dataset: Dataset, ontology, out: BinaryIO, *, union: Graph | None = None) -> None:
    """The union of the named graphs (:func:`eurokg.merge.union_graph`'s defaults) as Turtle;
    ``union``: that union, where the caller has it; else its triples are read graph by graph."""
    out.write(turtle(union if union is not None else union_triples(dataset)))


def background_rdf(dataset: Dataset, table) -> RdfJob | None:
    """What :func:`write_turtle` and :func:`write_trig` write for ``dataset``, begun in a child
    process (:class:`eurokg.rdfwrite.RdfJob`), or None where it is better written here;
    ``table``: the terms of every named graph, ranked (:func:`eurokg.rdfwrite.shared_terms`)."""
    return RdfJob.start(table, union_triples(dataset), _named_graphs(dataset))


def write_ntriples(dataset: Dataset, ontology, out: BinaryIO, *, union: Graph | None = None) -> None:
    text = (union if union is not None else union_graph(dataset)).serialize(format="nt")
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
    out.write(trig(_named_graphs(dataset)))


def write_jsonld(dataset: Dataset, ontology, out: BinaryIO) -> None:
    g = union_graph(dataset, into=writable_graph())
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
