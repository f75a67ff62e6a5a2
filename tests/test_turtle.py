"""Curated Turtle: a named graph per entity, stable skolem IRIs for blank nodes."""

from __future__ import annotations

from eurokg.ontology import Ontology
from eurokg.sources.turtle import read_turtle
from eurokg.vocab import EK, GENID, GRAPH, ID, RDFS

TTL = """\
@prefix ek: <https://w3id.org/eurokg/> .
@prefix id: <https://w3id.org/eurokg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

id:a a ek:Summit ; rdfs:label "A"@en ; ek:note [ rdfs:label "nested"@en ] ;
    prov:wasDerivedFrom id:src-one .
id:b a ek:Summit ; rdfs:label "B"@en ; prov:wasDerivedFrom id:src-two .
ek:Summit rdfs:comment "a triple about a term, not an entity"@en .
"""


def test_one_graph_per_entity_with_its_own_sources(project, tmp_path):
    path = tmp_path / "extra.ttl"
    path.write_text(TTL, encoding="utf-8")
    ontology = Ontology.load(project.ontology)
    contributions = {c.graph: c for c in read_turtle(path, ontology, display="extra.ttl")}
    assert set(contributions) == {GRAPH["curated/extra/a"], GRAPH["curated/extra/b"], GRAPH["curated/extra"]}
    a = contributions[GRAPH["curated/extra/a"]]
    assert a.sources == (ID["src-one"],) and a.defines == (ID["a"],) and a.row is None
    # the blank node's triples travel with the entity that points to it, under a stable IRI
    assert (ID["a"], EK.note, GENID["extra-1"]) in a.triples
    assert (GENID["extra-1"], RDFS.label, next(t[2] for t in a.triples if t[0] == GENID["extra-1"])) in a.triples
    assert contributions[GRAPH["curated/extra/b"]].sources == (ID["src-two"],)
    rest = contributions[GRAPH["curated/extra"]]
    assert rest.triples == [(EK.Summit, RDFS.comment, rest.triples[0][2])] and rest.sources == ()


def test_reading_twice_gives_identical_triples(project, tmp_path):
    path = tmp_path / "extra.ttl"
    path.write_text(TTL, encoding="utf-8")
    ontology = Ontology.load(project.ontology)
    first = [sorted(c.triples) for c in read_turtle(path, ontology)]
    second = [sorted(c.triples) for c in read_turtle(path, ontology)]
    assert first == second
    # blank nodes came back as the same skolem IRIs, not fresh labels
    assert sum(1 for group in first for t in group if GENID["extra-1"] in t) == 2
