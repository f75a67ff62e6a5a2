"""rdflib terms to pyoxigraph terms and back: one conversion for the SHACL engine,
the query path on the Oxigraph store and the Turtle/TriG writer."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .vocab import XSD

_XSD_STRING = str(XSD.string)
_DATATYPES: dict[str, ox.NamedNode] = {}
"""Datatype IRI -> its pyoxigraph node, shared by the literals of each datatype."""


def _datatype(iri: str) -> ox.NamedNode:
    node = _DATATYPES.get(iri)
    if node is None:
        if len(_DATATYPES) > 10_000:  # custom datatypes are few; never let a file grow this
            _DATATYPES.clear()
        node = _DATATYPES[iri] = ox.NamedNode(iri)
    return node


def to_ox(term):
    """An rdflib term as a pyoxigraph term."""
    # the exact types first: rdflib's terms are ABC classes, whose isinstance is slow
    kind = type(term)
    if kind is URIRef:
        return ox.NamedNode(str(term))
    if kind is Literal:
        return _literal(term)
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        return _literal(term)
    raise TypeError(f"not an RDF term: {term!r}")


def _literal(term: Literal) -> ox.Literal:
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=_datatype(str(term.datatype)))
    return ox.Literal(str(term))


_FROM_OX: dict = {}


def from_ox(term):
    """A pyoxigraph term as an rdflib term (memoised: the same values recur)."""
    hit = _FROM_OX.get(term)
    if hit is not None:
        return hit
    if isinstance(term, ox.NamedNode):
        out = URIRef(term.value)
    elif isinstance(term, ox.BlankNode):
        out = BNode(term.value)
    elif isinstance(term, ox.Literal):
        if term.language:
            out = Literal(term.value, lang=term.language)
        elif term.datatype.value == _XSD_STRING:
            out = Literal(term.value)
        else:
            out = Literal(term.value, datatype=URIRef(term.datatype.value))
    else:
        raise TypeError(f"not an RDF term: {term!r}")
    if len(_FROM_OX) > 500_000:
        _FROM_OX.clear()
    _FROM_OX[term] = out
    return out
