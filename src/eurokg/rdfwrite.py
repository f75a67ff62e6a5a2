"""Turtle and TriG text, byte-identical for identical input (shared by the exporters
and the validation report).

Written by Oxigraph's serializer from triples (quads) sorted here: subject, then
``rdf:type`` before other predicates, predicate, object; graphs in the order given.
The prefix header is the project's prefixes in name order (Oxigraph's own header
order is not stable). Oxigraph writes 1M triples in seconds where rdflib's Turtle
writer takes minutes, and keeps lexical forms as written (rdflib prints doubles in
a lossy ``%e`` form); whole ``xsd:decimal`` values get ".0" as rdflib's writer gave
them. Graphs with blank nodes (whose labels are not stable) go through rdflib's
Turtle writer, which sorts and nests them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from rdflib import BNode, Graph, Literal, URIRef

from .child import ChildJob, ChildProcess
from .vocab import PREFIXES, RDF, XSD

_WHOLE = re.compile(r"[+-]?[0-9]+")


def _bind(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def writable_graph() -> Graph:
    """An empty graph with only the project's prefixes bound (not rdflib's defaults)."""
    return _bind(Graph(bind_namespaces="none"))


def _used_prefix_graph(source: Iterable[tuple], scratch: Graph | None = None) -> Graph:
    """``source``'s triples in a graph with the project's prefixes; ``scratch`` (emptied
    first) saves binding the prefixes again for each of many graphs."""
    g = writable_graph() if scratch is None else scratch
    if scratch is not None:
        g.remove((None, None, None))
    for t in source:
        g.add(t)
    return g


def _rdflib_turtle(graph: Iterable[tuple], scratch: Graph | None = None) -> bytes:
    g = _used_prefix_graph(graph, scratch)
    return g.serialize(format="turtle", encoding="utf-8")


_TYPE = str(RDF.type)


def _order(t) -> tuple:
    predicate = str(t[1])  # compared as text: rdflib's term equality runs in Python
    return str(t[0]), predicate != _TYPE, predicate, t[2].n3()


class _Terms:
    """The distinct terms of some triples, each with its rank in :func:`_order` and its
    pyoxigraph form, made once per term: sorting then compares one number per triple
    instead of a key of strings (the same order: ranks keep the strings' order, and equal
    strings get equal ranks), and writing looks each term up instead of converting it
    (``docs/scale.md`` §2f, §2g).

    Objects are kept by identity: rdflib's ``Literal`` equality ignores the case of a
    language tag ("x"@EN == "x"@en) where its ``n3()`` does not, and its hash runs in Python."""

    def __init__(self, triples: Iterable[tuple]) -> None:
        subjects: dict = {}
        predicates: dict = {}
        objects: dict = {}
        for s, p, o in triples:
            subjects[s] = predicates[p] = None
            objects[id(o)] = o
        self.blank = _any_blank(subjects) or _any_blank(objects.values())
        if self.blank:
            return
        self.s_rank = _ranks(subjects, str)
        self.p_rank = _ranks(predicates, lambda p: (str(p) != _TYPE, str(p)))
        self.o_rank = _ranks(objects.values(), lambda o: o.n3(), by=id)
        convert = _converter()
        self.s_ox = {t: convert(t) for t in subjects}
        self.p_ox = {t: convert(t) for t in predicates}
        self.o_ox = {k: convert(t) for k, t in objects.items()}

    @property
    def bases(self) -> tuple[int, int]:
        """``P`` and ``O`` of :meth:`numbers` (the counts of predicates and objects, plus one)."""
        return len(self.p_rank) + 1, len(self.o_rank) + 1

    def numbers(self, triples) -> list[int]:
        """Each triple as one number, ``(s * P + p) * O + o`` of its terms' ranks: the numbers
        order the triples as :func:`_order` does."""
        s_rank, p_rank, o_rank = self.s_rank, self.p_rank, self.o_rank
        n_p, n_o = self.bases
        return [(s_rank[s] * n_p + p_rank[p]) * n_o + o_rank[id(o)] for s, p, o in triples]

    def sorted(self, triples: list) -> list:
        """``triples`` in :func:`_order`'s order (a new list)."""
        keys = self.numbers(triples)
        return [triples[i] for i in sorted(range(len(triples)), key=keys.__getitem__)]

    def triples(self, triples: list):
        import pyoxigraph as ox

        s_ox, p_ox, o_ox, make = self.s_ox, self.p_ox, self.o_ox, ox.Triple
        return (make(s_ox[s], p_ox[p], o_ox[id(o)]) for s, p, o in triples)

    def quads(self, triples: list, graph: str):
        import pyoxigraph as ox

        s_ox, p_ox, o_ox, make, name = self.s_ox, self.p_ox, self.o_ox, ox.Quad, ox.NamedNode(graph)
        return (make(s_ox[s], p_ox[p], o_ox[id(o)], name) for s, p, o in triples)


def _any_blank(terms) -> bool:
    """Whether any of ``terms`` is a blank node (by exact type first: rdflib's terms are ABC
    classes, whose ``isinstance`` is several times slower)."""
    plain = (URIRef, Literal)
    return any(type(t) not in plain and isinstance(t, BNode) for t in terms)


def _sort(triples: list) -> None:
    """Sort ``triples`` in place by :func:`_order` (through :class:`_Terms`' ranks)."""
    triples[:] = _Terms(triples).sorted(triples)


def _ranks(terms, key, by=lambda term: term) -> dict:
    """``by(term)`` -> the term's position among ``terms`` ordered by ``key``; terms with equal
    keys share one."""
    keyed = sorted(((key(term), term) for term in terms), key=lambda pair: pair[0])
    ranks, rank, previous = {}, -1, object()
    for k, term in keyed:
        if k != previous:
            rank, previous = rank + 1, k
        ranks[by(term)] = rank
    return ranks


_DECIMAL = str(XSD.decimal)


def oxigraph_term(term):
    """An rdflib term (not a blank node: their labels are not stable) as pyoxigraph writes it
    (:func:`eurokg.oxterms.to_ox`, with whole decimals given a ".0")."""
    return _converter()(term)


def _converter():
    """:func:`oxigraph_term` with its imports done once: the writers convert every distinct
    term of the graph (a relative import inside the function cost a microsecond a call,
    and rdflib's terms are ABC classes, so each ``isinstance`` is slow: most terms are
    plain ``URIRef`` or ``Literal``, tested by their type first)."""
    import pyoxigraph as ox

    from .oxterms import to_ox

    named = ox.NamedNode

    def convert(term):
        kind = type(term)
        if kind is URIRef:
            return named(str(term))
        if kind is not Literal and isinstance(term, BNode):
            raise TypeError(f"cannot write {term!r} with Oxigraph: blank node labels are not stable")
        if (kind is Literal or isinstance(term, Literal)) and term.datatype is not None \
                and str(term.datatype) == _DECIMAL:
            lexical = str(term)
            if _WHOLE.fullmatch(lexical):
                # "1500000000" as "1500000000.0", as rdflib's writer gave it: a query with the
                # literal 1500000000.0 matches the built graph as before
                term = Literal(lexical.lstrip("+") + ".0", datatype=term.datatype)
        return to_ox(term)

    return convert


def _oxigraph_serializing(rdf_format: str) -> tuple[dict, bytes]:
    """The arguments Oxigraph's serializer gets for ``rdf_format`` ("turtle" or "trig"), and
    the sorted prefix header written in place of Oxigraph's (whose order is not stable)."""
    import pyoxigraph as ox

    fmt = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG}[rdf_format]
    header = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items()))
    return {"format": fmt, "prefixes": {p: str(ns) for p, ns in PREFIXES.items()}}, header.encode("utf-8") + b"\n\n"


def oxigraph_bytes(items: Iterable, rdf_format: str) -> bytes:
    """``items`` (ox.Triple or ox.Quad, in order) as Turtle or TriG with the sorted prefix
    header in place of Oxigraph's; the text stays bytes, sliced once (splitting a
    million-triple text into lines and joining it again held three copies)."""
    import pyoxigraph as ox

    options, header = _oxigraph_serializing(rdf_format)
    data = ox.serialize(items, **options)
    start = 0
    while data.startswith(b"@prefix ", start):
        end = data.find(b"\n", start)
        start = len(data) if end < 0 else end + 1
    return header + data[start:]


def oxigraph_file(items: Iterable, rdf_format: str, path) -> None:
    """What :func:`oxigraph_bytes` gives, written to ``path`` without holding the text: Oxigraph
    serializes to a file beside it, whose prefix lines are replaced as the rest is copied
    (the text of a million triples, about 100 MB, was held two or three times over)."""
    import os
    import shutil
    from pathlib import Path

    import pyoxigraph as ox

    path = Path(path)
    options, header = _oxigraph_serializing(rdf_format)
    raw = path.with_name(f"{path.name}.raw")
    try:
        ox.serialize(items, output=str(raw), **options)
        with open(raw, "rb") as src, open(path, "wb") as out:
            out.write(header)
            line = src.readline()
            while line.startswith(b"@prefix "):
                line = src.readline()
            out.write(line)
            shutil.copyfileobj(src, out, 1 << 20)
    finally:
        if raw.exists():
            os.unlink(raw)


_SHARED: ContextVar["_Terms | None"] = ContextVar("eurokg_shared_terms", default=None)


@contextmanager
def shared_terms(triples: Iterable[tuple]):
    """Within the block, :func:`turtle` and :func:`trig` rank and convert the terms of
    ``triples`` once between them (a build writes the same terms as Turtle and as TriG;
    ranking and converting them took a third of each writer's time). A writer given a
    triple with a term outside ``triples`` makes its own table, as without the block; so
    does one whose triples have no blank node where ``triples`` have."""
    table = _Terms(triples)
    token = _SHARED.set(table)
    try:
        yield table
    finally:
        _SHARED.reset(token)


def _sorted_with_table(triples_lists: list[list]) -> tuple[_Terms, list[list]]:
    """A table for the triples (the shared one where it has every term) and each list sorted."""
    shared = _SHARED.get()
    if shared is not None and not shared.blank:
        try:
            return shared, [shared.sorted(triples) for triples in triples_lists]
        except KeyError:  # a term the shared table does not have: a table of their own
            pass
    terms = _Terms(t for triples in triples_lists for t in triples)
    if terms.blank:
        return terms, triples_lists
    return terms, [terms.sorted(triples) for triples in triples_lists]


def turtle(graph: Graph | Iterable[tuple]) -> bytes:
    """``graph`` (or triples, where a repeated one is written once) as Turtle."""
    # read once: each triple rdflib yields costs a context look-up
    triples = list(graph) if isinstance(graph, Graph) else list(dict.fromkeys(graph))
    terms, (ordered,) = _sorted_with_table([triples])
    if terms.blank:
        return _rdflib_turtle(triples)
    return oxigraph_bytes(terms.triples(ordered), "turtle")


def trig(graphs: Iterable[Graph]) -> bytes:
    """Named graphs, in the order given, as TriG."""
    graphs = list(graphs)
    contents = [list(g) for g in graphs]  # read once: each triple rdflib yields costs a context look-up
    terms, contents = _sorted_with_table(contents)
    if terms.blank:
        return _trig_rdflib(graphs)

    def quads():
        for g, triples in zip(graphs, contents):
            yield from terms.quads(triples, str(g.identifier))

    return oxigraph_bytes(quads(), "trig")


def _trig_rdflib(graphs: list[Graph]) -> bytes:
    used = set()
    bodies = []
    scratch = writable_graph()
    for g in graphs:
        text = _rdflib_turtle(g, scratch).decode("utf-8")
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
    return (header + "\n\n" + "\n".join(bodies)).encode("utf-8")


BACKGROUND_MIN_TRIPLES = 100_000
"""A build whose named graphs hold at least this many triples has its Turtle and TriG
serialized by a child process (:class:`RdfJob`) while it writes the Gephi view; below it,
starting the child costs more than it saves."""


class RdfJob(ChildJob):
    """A build's Turtle and TriG under way in a child process (``python -m
    eurokg._rdf_worker``). Python turns every triple into a pyoxigraph object before
    Oxigraph's serializer writes it, which took a third of the writing at a million triples;
    here the caller still ranks and converts each distinct term (:class:`_Terms`, as the
    writers do) and sorts the triples, then hands the child one number per triple and the
    terms as N-Triples, and the child makes and serializes the triples while the caller goes
    on. The files are the bytes :func:`turtle` and :func:`trig` give (a test compares them).

    :meth:`file` waits for one; it gives None, after a warning, where the child failed, and
    the caller then writes that output itself. Use as a context manager, or call
    :meth:`close`, to stop a child not waited for."""

    FORMATS = {"ttl": "eurokg.ttl", "trig": "eurokg.trig"}

    def __init__(self, table: _Terms, turtle_triples: Iterable[tuple], graphs: list) -> None:
        self._child = ChildProcess()
        self._failed = False
        folder = self._child._make_folder("eurokg-rdf-")
        try:
            self._prepare(folder, table, turtle_triples, graphs)
        except BaseException:  # nothing left behind: no folder, no child
            self._child.close()
            raise

    def _prepare(self, folder, table: _Terms, turtle_triples: Iterable[tuple], graphs: list) -> None:
        import json
        import sys

        import numpy as np
        import pyoxigraph as ox

        s_rank, p_rank, o_rank = table.s_rank, table.p_rank, table.o_rank
        n_p, n_o = table.bases

        def keys(triples):  # each triple's number, sorted: the order of _Terms.sorted
            return np.sort(np.array(table.numbers(triples), dtype=np.int64))

        np.save(folder / "turtle.npy", keys(dict.fromkeys(turtle_triples)))  # as turtle() reads them
        per_graph = [keys(g) for g in graphs]
        sizes = [len(k) for k in per_graph]
        np.save(folder / "trig.npy", np.concatenate(per_graph) if per_graph else np.array([], dtype=np.int64))
        del per_graph
        tables = [_by_rank(s_rank, table.s_ox), _by_rank(p_rank, table.p_ox), _by_rank(o_rank, table.o_ox)]
        names = [str(ox.NamedNode(str(g.identifier))) for g in graphs]
        with open(folder / "terms.nt", "w", encoding="utf-8") as fh:
            for terms in (*tables, names):
                fh.write("".join(f"<urn:t> <urn:t> {term} .\n" for term in terms))
        plan = {"subjects": len(tables[0]), "predicates": len(tables[1]), "objects": len(tables[2]),
                "P": n_p, "O": n_o, "graph_sizes": sizes}
        (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        self._child._launch([sys.executable, "-m", "eurokg._rdf_worker", str(folder)])

    @classmethod
    def start(cls, table: _Terms, turtle_triples: Iterable[tuple], graphs: list) -> "RdfJob | None":
        """The job, or None where the triples go to rdflib's writer (blank nodes), are too
        few to be worth a child, or have more distinct terms than one number per triple can
        encode."""
        if table.blank or sum(len(g) for g in graphs) < BACKGROUND_MIN_TRIPLES:
            return None
        if len(table.s_rank) * table.bases[0] * table.bases[1] >= 2 ** 63:
            return None
        try:
            return cls(table, turtle_triples, graphs)
        except KeyError:  # a term outside the table: the writers make a table of their own
            return None
        except OSError as exc:  # the child's input could not be written (a full temporary folder...)
            import warnings

            warnings.warn(f"the RDF writer process could not be started ({exc}); writing the Turtle and TriG in "
                          "this process", RuntimeWarning, stacklevel=2)
            return None

    def file(self, fmt: str):
        """The path of the child's file for format ``fmt`` (``ttl`` or ``trig``) once written,
        or None where the child failed (warned once)."""
        import warnings

        proc, folder = self._child._proc, self._child._folder
        if self._failed or proc is None or folder is None:
            return None
        proc.wait()
        path = folder / self.FORMATS[fmt]
        if proc.returncode == 0 and path.is_file():
            return path
        tail = " | ".join(self._child._stderr_tail(3)) if (folder / "stderr.txt").is_file() else ""
        warnings.warn(f"the RDF writer process failed (exit {proc.returncode}: {tail}); writing the Turtle and "
                      "TriG in this process", RuntimeWarning, stacklevel=2)
        self._failed = True
        return None


def _by_rank(ranks: dict, converted: dict) -> list[str]:
    """The N-Triples of each rank's term, in rank order (terms of equal rank are the same term)."""
    out = [""] * (max(ranks.values()) + 1 if ranks else 0)
    for term, rank in ranks.items():
        out[rank] = str(converted[term])
    return out
