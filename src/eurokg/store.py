"""Where the graph lives.

For now the in-memory rdflib ``Dataset``; larger stores (Oxigraph) plug in
here behind the same two functions, registered in ``STORES``.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from .errors import UsageError
from .sources.rdffile import parse_dataset_file
from .vocab import PREFIXES


def _memory_open(path: Path) -> Dataset:
    ds = parse_dataset_file(path)
    ds.default_union = True  # queries see every named graph unless they ask for one with GRAPH
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds


STORES = {"memory": _memory_open}
"""Store name -> function opening a built TriG/N-Quads file as a queryable dataset."""


def open_built(path: Path | str, *, store: str = "memory") -> Dataset:
    """Open the dataset written by ``eurokg build`` (``build/eurokg.trig``)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no built graph here; run `eurokg build` first (or pass --data FILE)")
    opener = STORES.get(store)
    if opener is None:
        raise UsageError(f"unknown store {store!r}; known: {', '.join(sorted(STORES))}")
    return opener(path)
