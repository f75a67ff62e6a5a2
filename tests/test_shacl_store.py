"""The Oxigraph validation engine against pySHACL (the reference) and the W3C SHACL core tests."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as NS  # XSD via the module: pytest probes module-level names (XSD warns)
from rdflib.namespace import RDF, RDFS

from eurokg.errors import InputError
from eurokg.ontology import Ontology
from eurokg.shacl_store import Originals, _split_not_exists, from_ox, graph_to_store, validate_store
from eurokg.validate import choose_engine, load_shapes, validate_graph
from eurokg.vocab import EK, ID, SH

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(Path(__file__).parent))

import shacl_suite  # noqa: E402


@pytest.fixture(scope="module")
def ontology():
    return Ontology.load(ROOT / "ontology" / "eurokg.ttl")


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(ROOT / "ontology" / "shapes.ttl")


def both(data, shapes, ontology):
    ref = validate_graph(data, shapes, ontology.graph, engine="pyshacl")
    fast = validate_graph(data, shapes, ontology.graph, engine="oxigraph")
    return ref, fast


def test_same_report_on_the_shipped_data(project, shapes, ontology):
    from eurokg.build import load_all
    from eurokg.merge import union_graph

    loaded = load_all(project)
    data = union_graph(loaded.dataset)
    ref = validate_graph(data, shapes, ontology.graph, engine="pyshacl", locate=loaded.origins.locate)
    fast = validate_graph(data, shapes, ontology.graph, engine="oxigraph", locate=loaded.origins.locate)
    assert fast.findings == ref.findings  # severity, focus, path, message, value, shape, component, origin
    assert fast.text() == ref.text()


def test_same_report_on_a_broken_synthetic_graph(shapes, ontology):
    """A synthetic graph in the project's shape with 18 known errors plus its own (no
    Wikidata ids, signers out of office...): hundreds of findings, every one identical."""
    from shacl_engines import inject_errors
    from synthetic import synthetic_dataset

    from eurokg.merge import union_graph

    data = union_graph(synthetic_dataset(1500))
    errors = inject_errors(data)
    ref, fast = both(data, shapes, ontology)
    assert ref.count("Violation") > 50 and ref.count("Warning") > 20
    assert fast.findings == ref.findings
    found = {(f.focus, f.component) for f in fast.findings}
    from eurokg.vocab import curie

    for error in errors:  # each injected error is among the findings
        for focus, _shape, component in error["expect"]:
            assert (curie(URIRef(focus)), f"sh:{component}") in found, error["code"]


@pytest.mark.parametrize("literal, ok", [
    (Literal("3", datatype=NS.XSD.positiveInteger), True),
    (Literal("0", datatype=NS.XSD.positiveInteger), False),  # the store would make this "0"^^xsd:integer
    (Literal("3", datatype=NS.XSD.integer), False),
    (Literal("03", datatype=NS.XSD.positiveInteger), True),
])
def test_literals_the_store_canonicalises_are_checked_as_written(literal, ok, shapes, ontology):
    """Oxigraph keeps derived integer types as xsd:integer values: the engine keeps the
    written literal aside, so a summit edition of "0"^^xsd:positiveInteger is still wrong."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("0", datatype=ox.NamedNode(str(NS.XSD.positiveInteger)))))
    assert next(iter(store)).object.datatype.value == str(NS.XSD.integer)  # the trap itself

    data = Graph()
    summit = ID["summit-x"]
    data.add((summit, RDF.type, EK.Summit))
    data.add((summit, EK.edition, literal))
    ref, fast = both(data, shapes, ontology)
    assert fast.findings == ref.findings
    bad = [f for f in fast.findings if f.path == "ek:edition"]
    assert (not bad) is ok


def test_not_exists_is_decorrelated_only_where_it_is_one_top_level_filter():
    q = "SELECT $this ?x WHERE { $this <p> ?x . OPTIONAL { ?x <l> ?n } FILTER NOT EXISTS { ?x <q> ?y . FILTER(?y > 1) } }"
    outer, positives, projection = _split_not_exists(q)
    assert "NOT EXISTS" not in outer and projection == ["this", "x"]
    assert "<q>" in positives[0] and "<l>" not in positives[0]  # the label lookup is left out of the join
    assert _split_not_exists("SELECT $this WHERE { $this <p> ?v . FILTER (NOT EXISTS { $this <a> ?s } || "
                             "NOT EXISTS { $this <b> ?e }) }") is None
    assert _split_not_exists("SELECT $this WHERE { $this <p> ?v }") is None
    assert _split_not_exists("SELECT $this (COUNT(?v) AS ?n) WHERE { $this <p> ?v . FILTER NOT EXISTS "
                             "{ ?v <q> ?w } } GROUP BY $this") is None


def test_a_constraint_whose_this_is_not_bound_runs_per_focus_node():
    """``$this`` only inside FILTER NOT EXISTS: pre-binding, not one run over the store."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:message "no ex:p" ; sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/p> ?v } }" ] .
    """, format="turtle")
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:C ; ex:p 1 . ex:b a ex:C .
    """, format="turtle")
    results = validate_store(graph_to_store(data), shapes, inference="none")
    assert [str(from_ox(r.focus)) for r in results] == ["http://example.org/b"]
    assert results[0].messages == ["no ex:p"]


def test_broken_sparql_in_the_shapes_names_the_file(ontology):
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?v " ] .
    """, format="turtle")
    data = Graph()
    data.add((URIRef("http://example.org/a"), RDFS.label, Literal("a")))
    with pytest.raises(InputError, match="broken.ttl"):
        validate_graph(data, shapes, ontology.graph, engine="oxigraph", shapes_name="broken.ttl")


def test_auto_picks_oxigraph_for_large_graphs():
    assert choose_engine("auto", 100) == "pyshacl"
    assert choose_engine("auto", 10**6) == "oxigraph"
    assert choose_engine("pyshacl", 10**6) == "pyshacl"


# ------------------------------------------------------------------ the W3C SHACL core tests

SUITE = shacl_suite.suite_dir()
CASES = shacl_suite.cases(SUITE) if SUITE else []
needs_suite = pytest.mark.skipif(SUITE is None,
                                 reason="W3C SHACL test suite not unpacked (make test does it: .venv/shacl-suite)")

PYSHACL_DIFFERS = {
    # pySHACL reports the nested shape's own results next to the sh:node result; the suite
    # (and this engine) report only the sh:node result
    "core/node/node-001", "core/property/node-001", "core/property/node-002",
}
SUITE_DIFFERS = {
    # the suite expects no result for two values with tags "en" and "EN"... both engines
    # compare tags case-insensitively, as SHACL 1.0 section 4.4.4 (uniqueLang) says to
    "core/property/uniqueLang-002",
}


def _ours(case) -> list:
    originals = Originals()
    results = validate_store(graph_to_store(case.data, originals=originals), case.shapes, inference="none",
                             originals=originals)
    return sorted({(shacl_suite.term_key(from_ox(r.focus)), shacl_suite.path_text(case.shapes, r.path),
                    shacl_suite.term_key(from_ox(r.value)) if r.value is not None else "",
                    shacl_suite.term_key(r.severity), shacl_suite.term_key(r.component),
                    shacl_suite.term_key(r.shape)) for r in results})


def _pyshacl(case) -> list:
    import pyshacl

    logging.getLogger("pyshacl").setLevel(logging.CRITICAL)
    _conforms, g, _text = pyshacl.validate(case.data, shacl_graph=case.shapes, inference="none", advanced=True)
    return sorted({shacl_suite.result_key(g, r) for r in g.subjects(RDF.type, SH.ValidationResult)})


@needs_suite
def test_the_suite_is_there():
    assert len(CASES) >= 90


@needs_suite
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_w3c_core_case(case):
    ours = _ours(case)
    expected = sorted(set(shacl_suite.expected_results(case)))
    if case.name in SUITE_DIFFERS:
        assert ours == _pyshacl(case) != expected
        return
    assert ours == expected
    if case.name in PYSHACL_DIFFERS:
        assert set(ours) < set(_pyshacl(case))
    else:
        assert ours == _pyshacl(case)


# ------------------------------------------------------------------ the W3C SHACL-SPARQL tests

SPARQL_CASES = shacl_suite.cases(SUITE, "sparql") if SUITE else []
NEITHER_SUPPORTS = {
    # $shapesGraph: the suite expects a result; pySHACL raises NotImplementedError, eurokg refuses the shape
    "sparql/pre-binding/shapesGraph-001",
}
SHT_FAILURE = URIRef("http://www.w3.org/ns/shacl-test#Failure")


def _pyshacl_refuses(case) -> bool:
    import pyshacl

    logging.getLogger("pyshacl").setLevel(logging.CRITICAL)
    try:
        _conforms, g, _text = pyshacl.validate(case.data, shacl_graph=case.shapes, inference="none", advanced=True)
    except NotImplementedError:
        return True
    return not isinstance(g, Graph)  # pySHACL hands back a ValidationFailure instead of a report


@needs_suite
def test_the_sparql_suite_is_there():
    assert len(SPARQL_CASES) >= 20


@needs_suite
@pytest.mark.parametrize("case", SPARQL_CASES, ids=[c.name for c in SPARQL_CASES])
def test_w3c_sparql_case(case):
    """SPARQL-based constraints and constraint components, pre-binding, and the queries SHACL
    forbids (MINUS, VALUES, SERVICE, AS $this, sub-selects without $this): the suite's report
    and pySHACL's, or a refusal where the suite expects a failure and pySHACL refuses too."""
    from eurokg.shacl_store import ShapesError

    if case.report == SHT_FAILURE or case.name in NEITHER_SUPPORTS:
        with pytest.raises(ShapesError, match="SPARQL of"):
            _ours(case)
        assert _pyshacl_refuses(case)
        return
    ours = _ours(case)
    assert ours == sorted(set(shacl_suite.expected_results(case)))
    assert ours == _pyshacl(case)


@pytest.fixture
def loopback():
    """A listener on 127.0.0.1 that counts the connections made to it: ``(url, hits)``."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    hits: list = []
    done = threading.Event()

    def accept():
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", hits
    done.set()
    thread.join(timeout=5)
    listener.close()


OUTWARD = {
    # SPARQL constraint: pySHACL refuses SERVICE itself; the store engine let Oxigraph fetch it
    "constraint": 'sh:targetNode <https://example.org/a> ; sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{url}> {{ $this ?p ?o }} }}" ]',
    # SHACL-AF rule and SPARQL target: pySHACL (advanced) ran them and connected
    "rule": 'sh:targetNode <https://example.org/a> ; sh:rule [ a sh:SPARQLRule ; sh:construct "CONSTRUCT {{ $this <https://example.org/q> ?o }} WHERE {{ SERVICE <{url}> {{ $this ?p ?o }} }}" ]',
    "target": 'sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE {{ SERVICE <{url}> {{ ?this ?p ?o }} }}" ] ; sh:property [ sh:path <https://example.org/p> ; sh:minCount 2 ]',
    "from": 'sh:targetNode <https://example.org/a> ; sh:sparql [ sh:select "SELECT $this FROM <{url}> WHERE {{ $this ?p ?o }}" ]',
    # the keyword spelled with an escape, which SPARQL decodes before parsing
    "escaped target": 'sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE {{ \\\\u0053ERVICE <{url}> {{ ?this ?p ?o }} }}" ] ; sh:property [ sh:path <https://example.org/p> ; sh:minCount 2 ]',
    # a comment that rdflib ends at LF only and Oxigraph at CR too
    "cr comment": 'sh:targetNode <https://example.org/a> ; sh:sparql [ sh:select "SELECT $this WHERE {{ $this ?p ?o #\\r . SERVICE <{url}> {{ $this ?q ?r }}\\n}}" ]',
    # a backslash-escaped '#' in a local name that a naive comment stripper takes for a comment
    "comment trick": 'sh:targetNode <https://example.org/a> ; sh:sparql [ sh:prefixes <https://example.org/P> ; sh:select "SELECT $this WHERE {{ $this ex:p\\\\#x ?o . SERVICE <{url}> {{ ?s ?p ?o }} }}" ] . <https://example.org/P> sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^<http://www.w3.org/2001/XMLSchema#anyURI> ]',
}


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
@pytest.mark.parametrize("where", sorted(OUTWARD))
def test_shapes_that_reach_out_are_refused_without_a_connection(ontology, loopback, engine, where):
    url, hits = loopback
    shapes = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n<https://example.org/S> a sh:NodeShape ; "
                           + OUTWARD[where].format(url=url) + " .", format="turtle")
    data = Graph().parse(data="<https://example.org/a> <https://example.org/p> 1 .", format="turtle")
    with pytest.raises(InputError, match="evil.ttl: .*(SERVICE|FROM|federated)"):
        validate_graph(data, shapes, ontology.graph, engine=engine, shapes_name="evil.ttl")
    assert hits == []


def test_store_engine_refuses_rules_and_targets_it_does_not_run(ontology):
    """pySHACL runs SHACL-AF rules and SPARQL targets; the store engine says it does not
    instead of giving a different report."""
    data = Graph().parse(data="<https://example.org/a> <https://example.org/p> 1 .", format="turtle")
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://example.org/S> a sh:NodeShape ; sh:targetNode <https://example.org/a> ;
            sh:rule [ a sh:SPARQLRule ; sh:construct "CONSTRUCT { $this <https://example.org/q> 2 } WHERE { }" ] ;
            sh:property [ sh:path <https://example.org/q> ; sh:minCount 1 ] .
        """, format="turtle")
    assert validate_graph(data, shapes, ontology.graph, engine="pyshacl").findings == []  # the rule adds ex:q
    with pytest.raises(InputError, match="rules.*not run by eurokg's store engine.*--engine pyshacl"):
        validate_graph(data, shapes, ontology.graph, engine="oxigraph", shapes_name="rules.ttl")


def test_prebinding_reaches_inner_groups():
    """$this is the focus node everywhere in the query, not only where the top-level pattern
    binds it: inner groups, BIND, BOUND() and sub-selects."""
    from eurokg.shacl_store import _prebind

    text = "SELECT $this ?x WHERE { { FILTER(bound($this)) } BIND($this AS ?x) { SELECT $this WHERE { $this ?p \"$this\" } } } ORDER BY $this"
    assert _prebind(text, {"this": "<http://e/a>"}) == (
        "SELECT (<http://e/a> AS ?this) ?x WHERE { { FILTER((true)) } BIND(<http://e/a> AS ?x) "
        "{ SELECT (<http://e/a> AS ?this_2) WHERE { <http://e/a> ?p \"$this\" } } } ORDER BY (<http://e/a>)")


def test_cli_validate_engines_agree(project):
    from click.testing import CliRunner

    from eurokg.cli import main

    def run(*args):
        return CliRunner().invoke(main, ["--project", str(project.root), "validate", *args], catch_exceptions=False)

    ref, fast = run("--engine", "pyshacl"), run("--engine", "oxigraph")
    assert ref.exit_code == fast.exit_code == 0
    assert fast.output == ref.output and "conforms" in ref.output
    (project.root / "pyproject.toml").write_text('[tool.eurokg]\nvalidator = "sparkly"\n', encoding="utf-8")
    bad = run()
    assert bad.exit_code != 0 and "sparkly" in bad.output


REVIEWED = {
    # each once gave a different report from pySHACL's, or a refusal pySHACL does not make
    "aggregate projection of $this": ("sh:targetSubjectsOf ex:p",
                                      "SELECT $this (COUNT(?v) AS ?c) WHERE { $this ex:p ?v } GROUP BY $this HAVING (COUNT(?v) > 1)"),
    "DISTINCT without $this": ("sh:targetSubjectsOf ex:p", "SELECT DISTINCT ?value WHERE { $this ex:p ?value FILTER(?value > 1) }"),
    "$this not projected": ("sh:targetSubjectsOf ex:p", "SELECT ?value WHERE { $this ex:p ?value FILTER(?value > 1) }"),
    "LIMIT": ("sh:targetSubjectsOf ex:p", "SELECT $this WHERE { $this ex:p ?v FILTER(?v > 1) } LIMIT 5"),
    "< and > as operators": ("sh:targetSubjectsOf ex:p", "SELECT $this WHERE { ?s ex:p ?v FILTER(?v<5&&?s=$this&&?v>1) }"),
    "rdf: undeclared": ("sh:targetSubjectsOf ex:p",
                        "SELECT $this WHERE { $this ex:p ?v FILTER NOT EXISTS { $this rdf:type ex:C } FILTER(?v > 1) }"),
}


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_engines_agree_on_query_forms_a_review_found(ontology, name):
    target, query = REVIEWED[name]
    shapes = Graph().parse(data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
        ex:S a sh:NodeShape ; {target} ; sh:sparql [ sh:prefixes ex:P ; sh:select \"\"\"{query}\"\"\" ] .
        ex:P sh:declare [ sh:prefix "ex" ; sh:namespace "http://e/"^^<http://www.w3.org/2001/XMLSchema#anyURI> ] .""",
                           format="turtle")
    data = Graph().parse(data="@prefix ex: <http://e/> . ex:a ex:p 1, 2 . ex:b ex:p 1 .", format="turtle")
    reference = validate_graph(data, shapes, ontology.graph, engine="pyshacl").findings
    assert reference  # each form finds ex:a
    assert validate_graph(data, shapes, ontology.graph, engine="oxigraph").findings == reference


def test_prebinding_leaves_prefixed_names_and_unicode_variables_alone():
    from eurokg.shacl_store import _prebind

    text = "SELECT $this WHERE { $this ex:select ?w ; ex:has-select ?x . ?thisé ?p $this }"
    assert _prebind(text, {"this": "<http://e/a>"}) == (
        "SELECT (<http://e/a> AS ?this) WHERE { <http://e/a> ex:select ?w ; ex:has-select ?x . ?thisé ?p <http://e/a> }")


ZERO_LENGTH_PATHS = {
    "p*": "[ sh:zeroOrMorePath ex:p ]",
    "p?": "[ sh:zeroOrOnePath ex:p ]",
    "^p*": "[ sh:inversePath [ sh:zeroOrMorePath ex:p ] ]",
    "(p*)+": "[ sh:oneOrMorePath [ sh:zeroOrMorePath ex:p ] ]",
    "p* / q?": "( [ sh:zeroOrMorePath ex:p ] [ sh:zeroOrOnePath ex:q ] )",
    "p | q*": "[ sh:alternativePath ( ex:p [ sh:zeroOrMorePath ex:q ] ) ]",
    "p / q* (not empty)": "( ex:p [ sh:zeroOrMorePath ex:q ] )",
}


@pytest.mark.parametrize("name", sorted(ZERO_LENGTH_PATHS))
def test_a_path_that_may_be_empty_reaches_a_focus_node_with_no_triples(ontology, name):
    """A path that admits the empty walk has the focus node itself among its values, also when
    the node is in no triple at all (sh:targetNode): pySHACL said so, Oxigraph's property path
    from a node it does not hold found nothing, and the store engine reported a minCount
    violation pySHACL did not."""
    shapes = Graph().parse(data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
        ex:S a sh:NodeShape ; sh:targetNode ex:lonely, ex:a, "text" ;
            sh:property [ sh:path {ZERO_LENGTH_PATHS[name]} ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "m" ] .""", format="turtle")
    data = Graph().parse(data="@prefix ex: <http://e/> . ex:a ex:p ex:b . ex:b ex:q ex:c . ex:z ex:p ex:a .",
                         format="turtle")
    reference = validate_graph(data, shapes, ontology.graph, engine="pyshacl").findings
    assert reference  # ex:a has two values or more on every path
    assert validate_graph(data, shapes, ontology.graph, engine="oxigraph").findings == reference


EDGE_TURTLE = """@prefix ek:   <https://w3id.org/eurokg/> .
@prefix id:   <https://w3id.org/eurokg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

id:edge.case a ek:Summit ;
    rdfs:label "Edge case"@en-GB , "plain" , "Кейс"@ru ;
    ek:edition "01"^^xsd:positiveInteger ;
    ek:note "+5"^^xsd:integer , " 7"^^xsd:integer , "1"^^xsd:boolean , "1e3"^^xsd:double , "1.50"^^xsd:decimal ,
            "2025-06-17T10:00:00Z"^^xsd:dateTime , "abc"^^<http://example.org/custom> ;
    ek:part [ rdfs:label "inner" ; ek:part [ rdfs:label "innermost" ; ek:note "010"^^xsd:int ] ] ;
    prov:wasDerivedFrom id:founding-article .

<http://example.org/elsewhere> rdfs:label "about something else" ; ek:note "02"^^xsd:integer .
[] rdfs:label "a blank subject of its own" .
"""


def test_the_store_copy_begun_while_reading_holds_what_the_named_graphs_hold(project):
    """The store engine's copy of curated Turtle is begun as the parser reads it, and the
    provenance graph is written into it from the contributions: the same statements and the
    same originals as a copy made from the named graphs afterwards, with literals rdflib
    rewrites ("01" as "1"), blank nodes, triples outside any entity, and the CSV records' rows
    (xsd:positiveInteger, which the store keeps as xsd:integer)."""
    from eurokg.build import load_all
    from eurokg.merge import union_triples
    from eurokg.shacl_store import Originals, graph_to_store
    from eurokg.vocab import PROVENANCE_GRAPH

    (project.curated / "edge.ttl").write_text(EDGE_TURTLE, encoding="utf-8")
    loaded = load_all(project, store_copy=True)
    copy = loaded.copy
    turtle_graphs = {g.identifier for g in loaded.dataset.graphs() if "/curated/edge" in g.identifier
                     or "/curated/g7" in g.identifier}
    assert copy.graphs == turtle_graphs | {PROVENANCE_GRAPH} and len(turtle_graphs) > 3
    rows = [o for _, p, o in loaded.dataset.graph(PROVENANCE_GRAPH) if p == EK.row]
    assert len(rows) > 10  # the CSV records' rows are among the statements compared
    store, originals = copy.complete(union_triples(loaded.dataset, exclude=copy.graphs))
    expected_originals = Originals()
    expected = graph_to_store(union_triples(loaded.dataset), originals=expected_originals)
    assert set(store) == set(expected) and len(store) > 100

    def shape(o: Originals):
        return {(p, s, lit) for p, by_s in o.by_pred.items() for s, lits in by_s.items() for lit in lits}

    assert shape(originals) == shape(expected_originals)
    assert {lit.value for _, _, lit in shape(originals)} >= {"1", "5", "7", "true", "1000.0", "1.50", "10"}


def test_a_store_copy_handed_over_is_restored_whole_in_another_process(project, tmp_path):
    """Validation in a child process (:class:`eurokg.validate.ValidationJob`) restores the
    copy from what ``hand_over`` wrote: the statements and originals ``complete`` gives here,
    with literals rdflib rewrites, blank nodes and the provenance rows. A hand-over leaves
    the copy whole until it is released, so that it can be completed in process if writing
    the hand-over fails or the child cannot start."""
    import subprocess
    import sys

    from eurokg.build import load_all
    from eurokg.merge import union_triples

    (project.curated / "edge.ttl").write_text(EDGE_TURTLE, encoding="utf-8")
    here = load_all(project, store_copy=True)
    store, originals = here.copy.complete(union_triples(here.dataset, exclude=here.copy.graphs))

    there = load_all(project, store_copy=True)
    with pytest.raises(OSError):
        there.copy.hand_over(tmp_path / "missing", union_triples(there.dataset, exclude=there.copy.graphs))
    folder = tmp_path / "child"
    folder.mkdir()
    there.copy.hand_over(folder, union_triples(there.dataset, exclude=there.copy.graphs))
    assert there.copy._files  # kept until the child has started (the caller then releases it)
    there.copy.release()
    assert not there.copy._files and not there.copy._later  # nothing kept twice
    # restored in a fresh interpreter, as the child does (the pickles name their own classes)
    script = ("import sys, pickle; from eurokg.shacl_store import StoreCopy; s, o = StoreCopy.restore(sys.argv[1]); "
              "sys.stdout.buffer.write(pickle.dumps((list(s), o.by_pred)))")
    import pickle

    quads, by_pred = pickle.loads(subprocess.run([sys.executable, "-c", script, str(folder)], check=True,
                                                 capture_output=True).stdout)
    assert set(quads) == set(store) and len(quads) > 100
    assert not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))

    def shape(by: dict):
        return {(p, s, lit) for p, by_s in by.items() for s, lits in by_s.items() for lit in lits}

    assert shape(by_pred) == shape(originals.by_pred) and shape(by_pred)

    # handed over whole, but the child never started: the copy is completed here, whole
    whole = load_all(project, store_copy=True)
    unused = tmp_path / "unused"
    unused.mkdir()
    whole.copy.hand_over(unused, union_triples(whole.dataset, exclude=whole.copy.graphs))
    again, _ = whole.copy.complete(union_triples(whole.dataset, exclude=whole.copy.graphs))
    assert set(again) == set(store)


def test_engines_agree_on_curated_turtle_read_into_the_store_copy(project):
    """End to end: the report from the copy begun while reading (literals rdflib rewrites,
    blank nodes, a summit with missing and odd values) is pySHACL's report."""
    from eurokg.build import validate_files

    (project.curated / "edge.ttl").write_text(EDGE_TURTLE, encoding="utf-8")
    reference = validate_files(project, engine="pyshacl")
    assert any("edge.case" in f.focus for f in reference.findings)
    assert validate_files(project, engine="oxigraph") == reference


def test_the_store_copy_leaves_a_provenance_graph_it_cannot_write_to_the_general_copy():
    """A source that is not an IRI (no reader makes one, but a library caller may): the
    provenance graph is not written as N-Triples, and the copy does not claim to hold it, so
    it is copied with the other graphs; with IRIs only, it is written and claimed."""
    from rdflib import Literal

    from eurokg.merge import merge, union_triples
    from eurokg.shacl_store import StoreCopy
    from eurokg.sources import Contribution
    from eurokg.vocab import GRAPH, PROVENANCE_GRAPH

    def contributions(source):
        return [Contribution(graph=GRAPH["curated/t/a"], triples=[(ID["a"], EK.note, Literal("x"))], file="t.csv",
                             row=3, sources=(source,))]

    odd = contributions(Literal("a source given as text"))
    copy = StoreCopy()
    copy.describe(odd)
    assert PROVENANCE_GRAPH not in copy.graphs and len(copy.store) == 0
    store, _ = copy.complete(union_triples(merge(odd), exclude=copy.graphs))
    assert len(store) == 5  # the fact and the record's type, file, row and source, all copied

    plain = contributions(ID["founding-article"])
    copy = StoreCopy()
    copy.describe(plain)
    assert PROVENANCE_GRAPH in copy.graphs and len(copy.complete([])[0]) == 4

    # a name Oxigraph refuses (a library caller's graph IRI with a space, a file name that was
    # not UTF-8) after an accepted record: nothing is added, not even the rows noted so far;
    # the provenance graph is left to the general copy, which reports it if this engine runs
    for refused in ({"graph": URIRef(str(GRAPH["curated/t"]) + "/with space")},
                    {"file": b"caf\xe9.csv".decode("utf-8", "surrogateescape")}):
        fields = {"graph": GRAPH["curated/t/b"], "file": "t.csv", **refused}
        odd = [*plain, Contribution(triples=[(ID["b"], EK.note, Literal("y"))], row=4,
                                    sources=(ID["founding-article"],), **fields)]
        copy = StoreCopy()
        copy.describe(odd)
        assert PROVENANCE_GRAPH not in copy.graphs and len(copy.complete([])[0]) == 0
        assert not copy.originals.by_pred
