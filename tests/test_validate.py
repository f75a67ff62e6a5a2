"""pySHACL on a graph whose SPARQL queries are prepared once (eurokg.validate.PreparedQueries)."""

from __future__ import annotations

import importlib

import rdflib.plugins.sparql as rdflib_sparql
from rdflib import Graph, Literal, Namespace, URIRef

from eurokg.validate import PreparedQueries, load_shapes, validate_graph

validation = importlib.import_module("eurokg.validate")  # the package exports a function of that name

EX = Namespace("urn:ex:")
ASK_NAME = "SELECT ?name WHERE { $this <urn:ex:name> ?name }"


def _graph(cls=Graph):
    g = cls()
    g.add((EX.a, EX.name, Literal("A")))
    g.add((EX.b, EX.name, Literal("B")))
    return g


def test_one_text_is_parsed_once_and_answers_for_each_binding(monkeypatch):
    parsed = []
    real = rdflib_sparql.prepareQuery
    monkeypatch.setattr(rdflib_sparql, "prepareQuery", lambda *a, **k: (parsed.append(a[0]), real(*a, **k))[1])
    validation._prepared.cache_clear()
    fast, plain = _graph(PreparedQueries), _graph()
    for node in (EX.a, EX.b, EX.a, URIRef("urn:ex:none")):
        got = [r.name for r in fast.query(ASK_NAME, initBindings={"this": node})]
        assert got == [r.name for r in plain.query(ASK_NAME, initBindings={"this": node})]
    assert [r.name for r in fast.query(ASK_NAME, initBindings={"this": EX.b})] == [Literal("B")]
    assert parsed == [ASK_NAME]


def test_the_prefixes_in_force_are_part_of_the_key():
    """The same text under another binding of a prefix is another query."""
    one, two = PreparedQueries(), PreparedQueries()
    one.add((EX.a, EX.name, Literal("A")))
    two.add((URIRef("urn:other:a"), URIRef("urn:other:name"), Literal("other")))
    one.bind("x", "urn:ex:")
    two.bind("x", "urn:other:")
    text = "SELECT ?n WHERE { ?s x:name ?n }"
    assert [r.n for r in one.query(text)] == [Literal("A")]
    assert [r.n for r in two.query(text)] == [Literal("other")]


def test_the_data_given_to_pyshacl_is_not_changed(built):
    """pySHACL works in place on eurokg's copy: the caller's graph gains neither the
    hierarchy nor the RDFS closure, and the report is the one of the reference engine."""
    from eurokg import union_graph

    proj, result = built
    data = union_graph(result.dataset, include_provenance=False)
    before = set(data)
    shapes = load_shapes(proj.shapes)
    report = validate_graph(data, shapes, result.ontology.graph, engine="pyshacl")
    assert set(data) == before
    again = validate_graph(data, shapes, result.ontology.graph, engine="pyshacl")
    assert report.findings == again.findings
