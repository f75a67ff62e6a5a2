"""Where the graph lives, behind one seam: ``STORES`` maps a name to an opener.

* ``memory``: an in-memory rdflib ``Dataset`` (the default; every module can read it).
* ``oxigraph``: a persistent embedded Oxigraph store (pyoxigraph, RocksDB) next to
  the built file (``build/eurokg.oxigraph/``), loaded once per content digest of
  the file and reopened read-only afterwards; SPARQL runs in Rust.
* ``auto``: Oxigraph for files over ``AUTO_BYTES``, memory otherwise.

:func:`eurokg.query.run_query` accepts either; the caller does not need to know which.
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


class OxigraphDataset:
    """A built graph in a persistent Oxigraph store: its folder, and the digest it holds."""

    STAMP = "eurokg-source.sha256"

    def __init__(self, folder: Path, source: Path) -> None:
        self.folder = folder
        self.source = source

    def open(self):
        """A read-only handle (open it in the process that queries: RocksDB handles do not survive fork)."""
        import pyoxigraph as ox

        return ox.Store.read_only(str(self.folder))

    def __len__(self) -> int:
        return len(self.open())


def _digest(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _oxigraph_open(path: Path) -> OxigraphDataset:
    """Load ``path`` into ``<stem>.oxigraph/`` unless that folder already holds this exact file."""
    import shutil
    import tempfile

    import pyoxigraph as ox

    folder = path.with_suffix(".oxigraph")
    digest = _digest(path)
    stamp = folder / OxigraphDataset.STAMP
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == digest:
        return OxigraphDataset(folder, path)
    fmt = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
           ".nt": ox.RdfFormat.N_TRIPLES}.get(path.suffix)
    if fmt is None:
        raise UsageError(f"{path}: the oxigraph store reads .trig, .nq, .ttl or .nt")
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        store = ox.Store(str(staging))
        try:
            store.bulk_load(path=str(path), format=fmt)
        except (SyntaxError, MemoryError) as exc:  # MemoryError: a term over the parser's 16 MiB cap
            from .errors import InputError

            raise InputError(f"cannot read the graph: {exc}", str(path)) from None
        store.flush()
        del store
        (staging / OxigraphDataset.STAMP).write_text(digest + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return OxigraphDataset(folder, path)


AUTO_BYTES = 50 * 1024 * 1024


def _auto_open(path: Path):
    return (_oxigraph_open if path.stat().st_size > AUTO_BYTES else _memory_open)(path)


STORES = {"memory": _memory_open, "oxigraph": _oxigraph_open, "auto": _auto_open}
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
