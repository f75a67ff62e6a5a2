"""Stage 1: read curated files (and later, articles) into typed contributions.

A :class:`Contribution` is a set of triples destined for one named graph,
with where they came from. Readers register by file suffix in ``READERS``;
:func:`load_files` dispatches on it instead of branching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import URIRef

from ..errors import InputError


@dataclass(frozen=True)
class Reference:
    """An entity IRI mentioned at a place in an input file (for 'unknown entity' errors)."""

    iri: URIRef
    path: str
    line: int | None = None
    col: int | None = None


@dataclass
class Contribution:
    """Triples for one named graph, with their provenance."""

    graph: URIRef
    triples: list[tuple] = field(default_factory=list)
    file: str = ""
    row: int | None = None
    sources: tuple[URIRef, ...] = ()
    defines: tuple[URIRef, ...] = ()
    references: list[Reference] = field(default_factory=list)
    columns: dict[URIRef, int] = field(default_factory=dict)
    """Property -> 1-based column where the row gave its values (CSV), to locate validation results."""
    lines: dict[URIRef, int] = field(default_factory=dict)
    """Subject -> 1-based line where the file describes it (Turtle), to locate validation results."""


Reader = Callable[..., list[Contribution]]

READERS: dict[str, str] = {
    ".csv": "eurokg.sources.sheets:read_sheet",
    ".ttl": "eurokg.sources.turtle:read_turtle",
}
"""File suffix -> ``module:function`` reading such a curated file."""


def reader_for(path: Path) -> Reader:
    import importlib

    spec = READERS.get(path.suffix.lower())
    if spec is None:
        raise InputError(
            f"no reader for {path.suffix or 'files without suffix'} (known: {', '.join(sorted(READERS))})",
            path,
        )
    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func)


def curated_files(folder: Path) -> list[Path]:
    """The curated files of a folder, in a stable order; files starting with '.' or '_' are skipped."""
    if not folder.is_dir():
        raise InputError("curated data folder not found", folder)
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in READERS and not p.name.startswith((".", "_"))
    )


def load_files(paths: list[Path], ontology, display=lambda p: str(p), copy=None) -> list[Contribution]:
    """Every file's contributions, in order. ``copy``: a :class:`eurokg.shacl_store.StoreCopy`
    for the readers that fill one as they parse (those marked ``keeps_store_copy``); it
    records which graphs they filled."""
    out: list[Contribution] = []
    for path in paths:
        reader = reader_for(path)
        if copy is not None and getattr(reader, "keeps_store_copy", False):
            out.extend(reader(path, ontology, display=display(path), copy=copy))
        else:
            out.extend(reader(path, ontology, display=display(path)))
    return out


__all__ = ["Contribution", "Reference", "READERS", "curated_files", "load_files", "reader_for"]
