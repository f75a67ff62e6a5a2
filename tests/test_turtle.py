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


def test_subject_lines_found_in_one_search_as_line_by_line(tmp_path):
    """_subject_lines searches the whole text once; it must find the lines a match per line
    found: two prefixes bound to id:, full IRIs, indented and repeated subjects, CRLF line
    ends, a prefix declared after its first use, names followed by a dot or a bracket. A
    name with a dot inside (``id:f.g``) is found whole, where the match per line stopped at
    the dot."""
    import re

    from rdflib import URIRef

    from eurokg.sources.turtle import _subject_lines
    from eurokg.vocab import ID

    def line_by_line(path, id_base):  # the former implementation, a match per line
        text = path.read_text(encoding="utf-8").splitlines()
        declared = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
        prefixes = [m.group(1) or "" for line in text if (m := declared.match(line)) and m.group(2) == id_base]
        names = [re.escape(p) + ":" for p in prefixes] + [re.escape("<" + id_base)]
        start = re.compile(r"^\s*(?:" + "|".join(names) + r")([A-Za-z0-9][\w.-]*?)(?:>)?(?=[\s;,.]|$)")
        out = {}
        for n, line in enumerate(text, start=1):
            if m := start.match(line):
                out.setdefault(URIRef(id_base + m.group(1)), n)
        return out

    body = "\n".join([
        "@prefix id: <https://w3id.org/eurokg/id/> .",
        "@prefix ek: <https://w3id.org/eurokg/> .",
        "id:a a ek:State ;", "  ek:name \"A\" .", "",
        "   id:b a ek:State .",
        "<https://w3id.org/eurokg/id/c> a ek:State .",
        "id:a ek:capital id:b .",
        "ex:d a ek:State .",
        "PREFIX ex: <https://w3id.org/eurokg/id/>",
        "ex:e.",
        "id:f.g a ek:State.",
        "# id:h in a comment is not a subject",
        "\tid:i a ek:State .",
        "<https://w3id.org/eurokg/id/j.k> a ek:State .",
    ])
    for ending in ("\n", "\r\n"):
        path = tmp_path / f"x{len(ending)}.ttl"
        path.write_bytes(body.replace("\n", ending).encode("utf-8"))
        found = _subject_lines(path, str(ID))
        before = line_by_line(path, str(ID))
        assert before.pop(ID["f"]) == 12 and before.pop(ID["j"]) == 15  # the old search cut the names
        assert found.pop(ID["f.g"]) == 12 and found.pop(ID["j.k"]) == 15
        assert found == before
        assert found[ID["a"]] == 3 and found[ID["c"]] == 7 and found[ID["d"]] == 9 and found[ID["i"]] == 14


def test_a_file_name_with_spaces_and_markup_gives_valid_graph_iris(project, tmp_path):
    """Graph and skolem IRIs carry the file's name: characters an IRI may not hold (a space,
    quotes, ``%``, ``#``) are percent-encoded, so Oxigraph (validation, Turtle, TriG) takes
    them. Plain names keep their IRIs."""
    import pyoxigraph as ox

    path = tmp_path / 'g7 notes "draft" #2 100%.ttl'
    path.write_text(TTL, encoding="utf-8")
    ontology = Ontology.load(project.ontology)
    contributions = read_turtle(path, ontology)
    stem = "g7%20notes%20%22draft%22%20%232%20100%25"
    assert {str(c.graph) for c in contributions} == {str(GRAPH[f"curated/{stem}/a"]), str(GRAPH[f"curated/{stem}/b"]),
                                                     str(GRAPH[f"curated/{stem}"])}
    for c in contributions:
        ox.NamedNode(str(c.graph))  # raises on an IRI Oxigraph refuses
        for t in c.triples:
            for term in t:
                if str(term).startswith(str(GENID)):
                    assert str(term) == str(GENID[f"{stem}-1"]) and ox.NamedNode(str(term))


def test_segment_encodes_only_what_an_iri_segment_cannot_hold():
    from eurokg.vocab import segment

    assert segment("g7") == "g7" and segment("central-asia_2025.v2") == "central-asia_2025.v2"
    assert segment("Астана") == "Астана"  # IRIs hold any Unicode letter
    assert segment("a b") == "a%20b" and segment("100%") == "100%25" and segment("x/y?z#w") == "x%2Fy%3Fz%23w"
    assert segment('q"<>{}|\\^`') == "q%22%3C%3E%7B%7D%7C%5C%5E%60"
    assert segment("tab\there\x7f") == "tab%09here%7F"
    assert segment(b"caf\xe9".decode("utf-8", "surrogateescape")) == "caf%E9"  # a name that was not UTF-8
    assert segment("x\ud800") == "x%ED%A0%80"  # a lone surrogate of another kind
