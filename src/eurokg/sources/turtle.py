"""Curated Turtle files: one named graph per file.

Each fact-bearing node in the file states its source with
``prov:wasDerivedFrom``; the file's curation record lists those sources.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from ..vocab import GRAPH, ID, PROV, RDF
from . import Contribution, Reference
from .rdffile import iter_quads
from ..errors import InputError


def read_turtle(path: Path, ontology, *, display: str | None = None) -> list[Contribution]:
    shown = display or str(path)
    triples = []
    for s, p, o, g in iter_quads(path, display=shown):
        if g is not None:
            raise InputError("curated Turtle files hold one graph; named graphs are not allowed", shown)
        triples.append((s, p, o))
    id_base = str(ID)
    defines = sorted({s for s, p, o in triples if p == RDF.type and isinstance(s, URIRef) and str(s).startswith(id_base)})
    refs = [
        Reference(o, shown) for s, p, o in triples
        if isinstance(o, URIRef) and str(o).startswith(id_base) and p != RDF.type
    ]
    sources = sorted({o for s, p, o in triples if p == PROV.wasDerivedFrom and isinstance(o, URIRef)})
    return [Contribution(
        graph=GRAPH[f"curated/{path.stem}"],
        triples=triples,
        file=shown,
        row=None,
        sources=tuple(sources),
        defines=tuple(defines),
        references=refs,
    )]
