"""Stage 7: exports, registered by name.

``FORMATS`` maps a format name to ``"module:Writer"``; the module is imported
on first use. A writer is a callable ``(dataset, ontology, out: BinaryIO) -> None``
taking the built dataset. Adding a format is adding a module and a line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import BinaryIO, Callable

from ..errors import UsageError


@dataclass(frozen=True)
class FormatInfo:
    name: str
    target: str
    suffix: str
    description: str


FORMATS: dict[str, FormatInfo] = {
    f.name: f
    for f in (
        FormatInfo("ttl", "eurokg.exporters.rdf:write_turtle", ".ttl", "Turtle: the union of all named graphs"),
        FormatInfo("trig", "eurokg.exporters.rdf:write_trig", ".trig", "TriG: every named graph, with the provenance graph"),
        FormatInfo("nt", "eurokg.exporters.rdf:write_ntriples", ".nt", "N-Triples, sorted: the union"),
        FormatInfo("nq", "eurokg.exporters.rdf:write_nquads", ".nq", "N-Quads, sorted: every named graph"),
        FormatInfo("jsonld", "eurokg.exporters.rdf:write_jsonld", ".jsonld", "JSON-LD: the union, with the project's prefixes as context"),
        FormatInfo("graphml", "eurokg.exporters.graphml:write_graphml", ".graphml", "GraphML for Gephi: entities as nodes, literals as node attributes"),
    )
}


def writer(name: str) -> Callable[..., None]:
    info = FORMATS.get(name)
    if info is None:
        raise UsageError(f"unknown export format {name!r}; known formats: {', '.join(sorted(FORMATS))}")
    module, _, attr = info.target.partition(":")
    return getattr(importlib.import_module(module), attr)


def export_to(dataset, ontology, name: str, out: BinaryIO) -> None:
    writer(name)(dataset, ontology, out)
