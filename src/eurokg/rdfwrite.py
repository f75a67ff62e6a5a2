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

from rdflib import BNode, Graph, Literal

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


def _sort(triples: list) -> None:
    """Sort ``triples`` in place by :func:`_order`, comparing each position's rank among its
    distinct terms instead of a key of strings per triple: the same order (ranks keep the
    strings' order, and equal strings get equal ranks), with each term's text made once
    instead of once per triple, and one number per triple as the key instead of four
    strings (``docs/scale.md`` §2f)."""
    s_rank = _ranks({t[0] for t in triples}, str)
    p_rank = _ranks({t[1] for t in triples}, lambda p: (str(p) != _TYPE, str(p)))
    # objects by identity: rdflib's Literal equality ignores the case of a language tag
    # ("x"@EN == "x"@en) where its n3() does not, so equal objects may sort apart
    o_rank = _ranks({id(t[2]): t[2] for t in triples}.values(), lambda o: o.n3(), by=id)
    # one number per triple, ordered as the (subject, predicate, object) ranks are
    n_p, n_o = len(p_rank) + 1, len(o_rank) + 1
    triples.sort(key=lambda t: (s_rank[t[0]] * n_p + p_rank[t[1]]) * n_o + o_rank[id(t[2])])


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


class _Terms:
    """rdflib terms as pyoxigraph terms for writing (each distinct term converted once)."""

    def __init__(self) -> None:
        self.cache: dict = {}

    def __call__(self, term):
        known = self.cache.get(term)
        if known is None:
            from .oxterms import to_ox

            if isinstance(term, BNode):
                raise TypeError(f"cannot write {term!r} with Oxigraph: blank node labels are not stable")
            lexical = str(term)
            if isinstance(term, Literal) and term.datatype == XSD.decimal and _WHOLE.fullmatch(lexical):
                # "1500000000" as "1500000000.0", as rdflib's writer gave it: a query with the
                # literal 1500000000.0 matches the built graph as before
                term = Literal(lexical.lstrip("+") + ".0", datatype=XSD.decimal)
            known = self.cache[term] = to_ox(term)
        return known


def _oxigraph_bytes(items: Iterable, rdf_format: str) -> bytes:
    """``items`` (ox.Triple or ox.Quad, in order) as Turtle or TriG with the sorted prefix
    header in place of Oxigraph's (whose order is not stable); the text stays bytes, sliced
    once (splitting a million-triple text into lines and joining it again held three copies)."""
    import pyoxigraph as ox

    fmt = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG}[rdf_format]
    data = ox.serialize(items, format=fmt, prefixes={p: str(ns) for p, ns in PREFIXES.items()})
    start = 0
    while data.startswith(b"@prefix ", start):
        end = data.find(b"\n", start)
        start = len(data) if end < 0 else end + 1
    header = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items()))
    return header.encode("utf-8") + b"\n\n" + data[start:]


def has_blank_nodes(triples) -> bool:
    return any(isinstance(t[0], BNode) or isinstance(t[2], BNode) for t in triples)


def turtle(graph: Graph | Iterable[tuple]) -> bytes:
    """``graph`` (or triples, where a repeated one is written once) as Turtle."""
    # read once: each triple rdflib yields costs a context look-up
    triples = list(graph) if isinstance(graph, Graph) else list(dict.fromkeys(graph))
    if has_blank_nodes(triples):
        return _rdflib_turtle(triples)
    import pyoxigraph as ox

    term = _Terms()
    _sort(triples)
    return _oxigraph_bytes((ox.Triple(term(s), term(p), term(o)) for s, p, o in triples), "turtle")


def trig(graphs: Iterable[Graph]) -> bytes:
    """Named graphs, in the order given, as TriG."""
    graphs = list(graphs)
    contents = [list(g) for g in graphs]  # read once: each triple rdflib yields costs a context look-up
    if any(has_blank_nodes(triples) for triples in contents):
        return _trig_rdflib(graphs)
    import pyoxigraph as ox

    term = _Terms()
    for triples in contents:
        _sort(triples)

    def quads():
        for g, triples in zip(graphs, contents):
            name = ox.NamedNode(str(g.identifier))
            for s, p, o in triples:
                yield ox.Quad(term(s), term(p), term(o), name)

    return _oxigraph_bytes(quads(), "trig")


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
