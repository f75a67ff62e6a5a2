"""Turtle and TriG writers: the same graph back, byte-identical, sorted, decimals as before."""

from __future__ import annotations

import io

from rdflib import BNode, Dataset, Graph, Literal

from eurokg.exporters.rdf import write_trig, write_turtle
from eurokg import vocab as V  # XSD via the module: pytest probes module-level names (XSD warns)
from eurokg.vocab import EK, GRAPH, ID, PROVENANCE_GRAPH, RDF, RDFS


def _dataset(order: int = 1) -> Dataset:
    ds = Dataset()
    a, b = ds.graph(GRAPH["curated/a"]), ds.graph(GRAPH["curated/b"])
    prov = ds.graph(PROVENANCE_GRAPH)
    triples = [
        (a, (ID["x"], RDF.type, EK.State)),
        (a, (ID["x"], RDFS.label, Literal("Kazakhstan", lang="en"))),
        (a, (ID["x"], EK.population, Literal("20000000", datatype=V.XSD.integer))),
        (b, (ID["g"], EK.amount, Literal("1500000000", datatype=V.XSD.decimal))),
        (b, (ID["g"], EK.equivalentAmount, Literal("208.86", datatype=V.XSD.decimal))),
        (b, (ID["g"], EK.note, Literal('a "quoted"\nline'))),
        (b, (ID["g"], EK.share, Literal("0.123456789", datatype=V.XSD.double))),
        (prov, (a.identifier, EK.row, Literal("2", datatype=V.XSD.positiveInteger))),
    ]
    for g, t in triples[::order]:
        g.add(t)
    return ds


def _text(writer, ds) -> str:
    buf = io.BytesIO()
    writer(ds, None, buf)
    return buf.getvalue().decode("utf-8")


def test_trig_round_trips_graph_by_graph_and_is_stable():
    first, second = _text(write_trig, _dataset()), _text(write_trig, _dataset(order=-1))
    assert first == second  # insertion order does not matter
    back = Dataset()
    back.parse(data=first, format="trig")
    got = {(s, p, o.n3() if isinstance(o, Literal) else o, g) for s, p, o, g in back.quads()}
    want = {(s, p, o.n3() if isinstance(o, Literal) else o, g) for s, p, o, g in _dataset().quads()}
    # whole decimals get the point rdflib's writer gave them, so `ek:amount 1500000000.0` still matches
    want = {t if "1500000000" not in str(t[2]) else (t[0], t[1], Literal("1500000000.0", datatype=V.XSD.decimal).n3(), t[3])
            for t in want}
    assert got == want
    # lexical forms are kept (rdflib's own writer would print the double as 1.234568e-01)
    assert '"0.123456789"^^xsd:double' in first
    # the provenance graph first, then graphs in IRI order; the prefix header sorted
    assert first.index("graph:provenance {") < first.index("graph:curated\\/a {") < first.index("graph:curated\\/b {")
    header = [line for line in first.splitlines() if line.startswith("@prefix")]
    assert header == sorted(header) and len(header) > 5


def test_turtle_is_the_union_sorted_by_subject():
    text = _text(write_turtle, _dataset())
    assert text == _text(write_turtle, _dataset(order=-1))
    union = Graph().parse(data=text, format="turtle")
    assert len(union) == 8
    body = [line for line in text.splitlines() if line and not line.startswith("@prefix")]
    subjects = [line.split()[0] for line in body if not line[0].isspace()]
    assert subjects == sorted(subjects)
    assert next(line for line in body if line.startswith("id:x")).startswith("id:x a ek:State")


def test_graphs_with_blank_nodes_go_through_rdflib_and_stay_stable():
    def with_blank() -> Dataset:
        ds = _dataset()
        g = ds.graph(GRAPH["curated/c"])
        node = BNode()
        g.add((ID["y"], EK.note, node))
        g.add((node, RDFS.label, Literal("nested", lang="en")))
        return ds

    first, second = _text(write_trig, with_blank()), _text(write_trig, with_blank())
    assert first == second  # fresh blank node ids each time, the same text
    back = Dataset()
    back.parse(data=first, format="trig")
    assert sum(1 for _ in back.quads()) == 10
    assert f"<{GRAPH['curated/c']}> {{" in first and "[" in first  # rdflib's writer, blank node nested
    assert _text(write_turtle, with_blank()) == _text(write_turtle, with_blank())


def test_union_size_counts_what_union_graph_holds():
    from eurokg.merge import union_graph, union_size

    ds = _dataset()
    ds.graph(GRAPH["curated/c"]).add((ID["x"], RDF.type, EK.State))  # also in curated/a: counted once
    ds.graph(GRAPH["claims/article"]).add((ID["x"], EK.note, Literal("claimed")))
    for options in ({}, {"include_provenance": False}, {"include_claims": True}):
        assert union_size(ds, **options) == len(union_graph(ds, **options))
    assert union_size(ds) == 8 and union_size(ds, include_provenance=False) == 7


def test_union_graph_is_counted_from_its_index(monkeypatch):
    """``len`` of the union graph reads its subject index: rdflib's own count yields every
    triple through two generators, and ``Graph.__len__`` passes the graph as context, which
    a store without named graphs ignores."""
    from rdflib.plugins.stores.memory import SimpleMemory

    from eurokg.merge import union_graph

    g = union_graph(_dataset())
    expected = sum(1 for _ in g)
    g.add((ID["x"], RDF.type, EK.State))  # already there: counted once
    g.add((ID["y"], EK.note, Literal("one")))
    g.add((ID["y"], EK.note, Literal("two")))

    def no_count(self, context=None):
        raise AssertionError("counted triple by triple")

    monkeypatch.setattr(SimpleMemory, "__len__", no_count)
    assert len(g) == expected + 2
    g.remove((ID["y"], EK.note, Literal("one")))
    assert len(g) == expected + 1


def test_turtle_of_triples_equals_turtle_of_their_graph():
    """The validation report is written from its triples, without an rdflib graph: the
    same bytes as the graph's, a repeated triple written once, blank nodes included."""
    from eurokg.merge import union_graph
    from eurokg.rdfwrite import turtle

    triples = list(union_graph(_dataset()))
    assert turtle(t for t in triples + triples[:2]) == turtle(union_graph(_dataset()))
    node = BNode()
    with_blank = [*triples, (ID["x"], EK.part, node), (node, RDFS.label, Literal("inner"))]
    g = Graph()
    for t in with_blank:
        g.add(t)
    assert turtle(iter(with_blank)) == turtle(g)
    assert b"inner" in turtle(iter(with_blank))


def test_validation_report_turtle_is_its_graph_written():
    """Report.turtle writes its own terms in the Turtle writer's order; it must give the bytes
    of the general writer on the report's triples: subjects whose numbers sort as text
    (result-10 before result-2), sh:result objects by their N3 form, every optional field,
    literal focus nodes and values, whole decimals, language tags differing in case."""
    from eurokg.rdfwrite import turtle
    from eurokg.validate import Finding, Report

    findings = [
        Finding("Warning", "id:s", "ek:attendee", "no office on that date", "id:p",
                origin="data/curated/x.csv:3:2", terms=(ID["s"], EK.attendee, ID["p"], None, None)),
        Finding("Violation", "id:t", "ek:endDate", "ends before it starts", "2025-01-01",
                terms=(ID["t"], EK.endDate, Literal("2025-01-01", datatype=V.XSD.date))),
    ]
    severities = ("Violation", "Warning", "Info")
    for n in range(14):
        value = [Literal("1500000000", datatype=V.XSD.decimal), Literal("Astana", lang="EN"),
                 Literal("Astana", lang="en"), ID[f"v{n}"], None, BNode()][n % 6]
        shape = EK[f"Shape{n % 4}"] if n % 3 else BNode()
        component = V.SH.MinCountConstraintComponent if n % 2 else None
        focus = Literal(f"focus {n}") if n == 5 else ID[f"e{n % 7}"]
        findings.append(Finding(severities[n % 3], str(focus), "", f"message {n} \"quoted\"\n", str(value or ""),
                                origin=f"data/curated/y.ttl:{n}" if n % 4 else "",
                                terms=(focus, EK.amount if n % 5 else None, value, component, shape)))
    for report in (Report(findings), Report([])):
        text = report.turtle()
        assert text.encode("utf-8") == turtle(report.triples()) == turtle(report.graph())
    text = Report(findings).turtle()
    assert "report:result-2" in text and '"2025-01-01"^^xsd:date' in text
    assert text.index("report:result-10 ") < text.index("report:result-2 ")


def test_the_rank_sort_gives_the_order_of_the_string_keys():
    """rdfwrite sorts by each term's rank among its distinct terms; the order must be the one
    the per-triple string key (_order) gives, ties (distinct terms, same text) included."""
    import random

    from rdflib import Literal, URIRef

    from eurokg.rdfwrite import _order, _sort

    rng = random.Random(7)
    subjects = [ID[f"s{n}"] for n in range(30)] + [URIRef("https://example.org/z"), URIRef("urn:a")]
    predicates = [RDF.type, RDFS.label, EK.population, EK.capital, URIRef("https://example.org/p")]
    objects = [ID["x"], Literal("x"), Literal("x", lang="en"), Literal("x", lang="kk"), Literal("1", datatype=V.XSD.integer),
               Literal("01", datatype=V.XSD.integer), Literal("1", datatype=V.XSD.decimal), Literal("1"),
               Literal("2025-06-17", datatype=V.XSD.date), URIRef("https://w3id.org/eurokg/id/x"), Literal("é\n\"q\""),
               Literal("x", lang="DE")]
    triples = list({(rng.choice(subjects), rng.choice(predicates), rng.choice(objects)) for _ in range(2000)})
    # equal under rdflib's Literal equality (a language tag's case is ignored), unequal in n3()
    triples += [(ID["s2"], EK.capital, Literal("x", lang="en")), (ID["s1"], EK.capital, Literal("x", lang="de")),
                (ID["s1"], EK.capital, Literal("x", lang="EN"))]
    rng.shuffle(triples)
    want = sorted(triples, key=_order)
    got = list(triples)
    _sort(got)
    assert got == want


def test_turtle_and_trig_share_one_term_table_with_the_same_bytes(monkeypatch):
    """Within shared_terms the writers use the table made for the block (no table of their
    own) and write the bytes they write alone; a triple with a term the table lacks, or a
    blank node, makes a table of its own, still with the same bytes."""
    from eurokg import rdfwrite
    from eurokg.merge import union_triples
    from eurokg.rdfwrite import shared_terms, trig, turtle

    ds = _dataset()
    graphs = sorted(ds.graphs(), key=lambda g: str(g.identifier))
    graphs = [g for g in graphs if len(g)]
    union = list(union_triples(ds))
    alone = turtle(iter(union)), trig(graphs)
    outside = [(ID["y"], RDFS.label, Literal("not in the table"))]
    blank = [(ID["z"], EK.part, BNode()), *union]
    alone_outside, alone_blank = turtle(iter(union + outside)), turtle(iter(blank))
    part = union[1::2]  # a subset of the table's terms: ranks among more terms keep their order
    alone_part = turtle(iter(part))

    made = []
    real_init = rdfwrite._Terms.__init__

    def counting(self, triples):
        made.append(1)
        real_init(self, triples)

    monkeypatch.setattr(rdfwrite._Terms, "__init__", counting)
    with shared_terms(t for g in graphs for t in g):
        assert len(made) == 1
        assert (turtle(iter(union)), trig(graphs)) == alone
        assert turtle(iter(part)) == alone_part
        assert len(made) == 1  # no writer made a table of its own
        assert turtle(iter(union + outside)) == alone_outside
        assert turtle(iter(blank)) == alone_blank
        assert len(made) == 3
    assert turtle(iter(union)) == alone[0] and len(made) == 4  # the block is over


def test_a_released_union_graph_holds_nothing_and_others_are_left_to_the_collector():
    """The build lets go of its union graph's indexes at once (``merge.release``) rather than
    by a full collection: every index is empty afterwards, the ones made on demand
    included, so nothing it held stays reachable through the graph. A graph on rdflib's
    own store is not touched: the caller collects instead."""
    from eurokg.merge import plain_graph, release

    union = plain_graph()
    union.store.add_triples([(ID["a"], RDF.type, EK.State), (ID["a"], RDFS.label, Literal("A", lang="en")),
                             (ID["b"], EK.capital, ID["a"])])
    assert set(union.subjects(RDF.type, None)) == {ID["a"]}  # the predicate index, made on demand
    assert set(union.subjects(None, ID["a"])) == {ID["b"]}  # the object index, made on demand
    assert release(union)
    store = union.store
    assert len(union) == 0 and not store._spo and not store._pos and not store._osp
    assert list(union.subjects(RDF.type, None)) == [] and list(union.subjects(None, ID["a"])) == []

    other = Graph()
    other.add((ID["a"], RDF.type, EK.State))
    assert not release(other) and len(other) == 1


def test_union_store_answers_every_pattern_as_rdflib_does():
    """The union's store keeps only its subject index from the start and makes the others
    when a pattern first needs them: every pattern, before and after adds and removes,
    gives what rdflib's own store gives for the same triples."""
    import itertools
    import random

    from rdflib import Graph

    from eurokg.merge import plain_graph

    rng = random.Random(7)
    subjects = [ID[f"s{i}"] for i in range(6)]
    predicates = [RDF.type, EK.note, EK.partner, EK.value]
    objects = [*subjects[:3], EK.State, Literal("x"), Literal("x", lang="en"), Literal("1", datatype=V.XSD.integer)]

    def random_triple():
        return rng.choice(subjects), rng.choice(predicates), rng.choice(objects)

    ours, theirs = plain_graph(), Graph()
    first = [random_triple() for _ in range(40)]
    ours.store.add_triples(first)  # the bulk path union_graph takes
    for t in first:
        theirs.add(t)

    def same_answers():
        assert len(ours) == len(theirs)
        for s, p, o in itertools.product([None, *subjects[:2]], [None, *predicates[:2]], [None, *objects[2:5]]):
            assert sorted(ours.triples((s, p, o))) == sorted(theirs.triples((s, p, o))), (s, p, o)

    # the predicate index made for one predicate, then triples added with it and without
    assert sorted(ours.subjects(EK.note, Literal("x"))) == sorted(theirs.subjects(EK.note, Literal("x")))
    for _ in range(30):
        t = random_triple()
        ours.add(t)
        theirs.add(t)
    same_answers()  # every index made by now
    for _ in range(10):
        pattern = rng.choice(first)
        ours.remove((pattern[0], None, pattern[2]))
        theirs.remove((pattern[0], None, pattern[2]))
        t = random_triple()
        ours.add(t)
        theirs.add(t)
    same_answers()

    # a fresh union where the first look-up names an object alone
    fresh = plain_graph()
    fresh.store.add_triples(first)
    assert sorted(fresh.triples((None, None, subjects[0]))) == sorted(Graph().__iadd__(first).triples((None, None, subjects[0])))


def test_properties_of_a_subject_are_what_rdflib_reads():
    """The Gephi view reads each entity's properties from the union's subject index: the
    same objects, in the same order, as rdflib's ``predicate_objects``, and the same through
    any other rdflib graph; a subject with no triples has none."""
    from rdflib import Graph

    from eurokg.merge import properties_of, union_graph

    union = union_graph(_dataset())
    union.add((ID["x"], EK.note, Literal("b")))
    union.add((ID["x"], EK.note, Literal("a")))
    other = Graph()
    for t in union:
        other.add(t)
    for graph in (union, other):
        read = properties_of(graph)
        for s in set(union.subjects()):
            assert [(p, o) for p, objects in read(s).items() for o in objects] == \
                [(p, o) for p in dict.fromkeys(graph.predicates(s)) for o in graph.objects(s, p)]
        assert not read(ID["nobody"])
    assert list(properties_of(union)(ID["x"])[EK.note]) == list(union.objects(ID["x"], EK.note))
    # after removes (a subject's last object of a predicate, then all of another subject)
    union.remove((ID["x"], EK.note, None))
    some = next(s for s in union.subjects() if s != ID["x"])
    union.remove((some, None, None))
    read = properties_of(union)
    for s in [*set(union.subjects()), ID["x"], some]:
        assert [(p, o) for p, objects in read(s).items() for o in objects] == list(union.predicate_objects(s))
        assert list(read(s)) == list(dict.fromkeys(union.predicates(s)))  # no predicate left without objects
    assert EK.note not in read(ID["x"]) and not read(some)


def test_the_rdf_child_writes_the_bytes_of_the_writers_with_awkward_terms(monkeypatch):
    """The child's Turtle and TriG, made from ranked term numbers and N-Triples, are the
    writers' bytes: whole decimals (written with ".0"), escapes, non-ASCII text, language
    tags differing in case, custom datatypes, empty strings, several graphs."""
    from eurokg import rdfwrite
    from eurokg.exporters.rdf import _named_graphs, background_rdf
    from eurokg.merge import NamedGraphs, union_triples
    from eurokg.rdfwrite import shared_terms, trig, turtle

    ds = NamedGraphs()
    values = [Literal("1500000000", datatype=V.XSD.decimal), Literal("+7", datatype=V.XSD.decimal),
              Literal("2.50", datatype=V.XSD.decimal), Literal('say "hi"\\ \n\ttab'), Literal("Астана"),
              Literal("x", lang="EN"), Literal("x", lang="en"), Literal(""), Literal("abc", datatype=EK.custom),
              Literal("1e3", datatype=V.XSD.double), Literal("2025-06-17", datatype=V.XSD.date), EK.State]
    for i in range(40):
        g = ds.graph(GRAPH[f"curated/t/{i % 7}"])
        g.add((ID[f"e{i % 11}"], EK[f"p{i % 3}"], values[i % len(values)]))
        g.add((ID[f"e{i % 11}"], RDF.type, EK.Summit))
        ds.graph(PROVENANCE_GRAPH).add((GRAPH[f"curated/t/{i % 7}"], EK.file, Literal("t.ttl")))
    monkeypatch.setattr(rdfwrite, "BACKGROUND_MIN_TRIPLES", 1)
    with shared_terms(t for g in ds.graphs() for t in g) as table:
        expected = {"ttl": turtle(union_triples(ds)), "trig": trig(_named_graphs(ds))}
        with background_rdf(ds, table) as job:
            assert {fmt: job.file(fmt).read_bytes() for fmt in ("ttl", "trig")} == expected
    assert b"1500000000.0" in expected["ttl"] and "Астана".encode() in expected["ttl"]
    monkeypatch.setattr(rdfwrite, "BACKGROUND_MIN_TRIPLES", 10_000)
    with shared_terms(t for g in ds.graphs() for t in g) as table:
        assert background_rdf(ds, table) is None  # too few triples for a child


def test_choices_among_several_matches_do_not_depend_on_the_store_order():
    """The union's store makes its predicate index on demand, in another order than rdflib's
    (by subject, not by insertion). Code that keeps the first of several matches reads them in
    text order, so it answers the same however the graphs were added: a person holding two
    offices on the day one ends and the other starts, read from graphs added both ways round."""
    import datetime as dt
    from types import SimpleNamespace

    from eurokg.extract.kb import KnowledgeBase
    from eurokg.merge import NamedGraphs, in_text_order, union_graph

    def offices(order):
        ds = NamedGraphs()
        ds.graph(GRAPH["curated/notes"]).add((ID["o2"], EK.note, Literal("acting")))  # o2 met first by subject
        for o, state, start, end in order:
            g = ds.graph(GRAPH[f"curated/offices/{o}"])
            g.add((ID[o], EK.holder, ID["p"]))
            g.add((ID[o], EK.officeOf, ID[state]))
            g.add((ID[o], EK.startDate, Literal(start, datatype=V.XSD.date)))
            g.add((ID[o], EK.endDate, Literal(end, datatype=V.XSD.date)))
        return union_graph(ds, include_provenance=False)

    rows = [("o1", "kz", "2019-03-20", "2022-06-01"), ("o2", "uz", "2022-06-01", "2024-01-01")]
    answers = {KnowledgeBase.office_state(SimpleNamespace(graph=offices(order)), "p", dt.date(2022, 6, 1))
               for order in (rows, rows[::-1])}
    assert answers == {"kz"}  # o1, the first by IRI
    assert in_text_order([ID["b"], ID["a"]]) == [ID["a"], ID["b"]]
    assert in_text_order([(ID["a"], Literal("2")), (ID["a"], Literal(1))]) == [(ID["a"], Literal(1)), (ID["a"], Literal("2"))]
