"""eurokg.exporters.graphml + projection: the Gephi rules (shared/reference/gephi-import-rules.md)."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from rdflib import Dataset, Literal

import eurokg
import eurokg.exporters
from eurokg import Ontology
from eurokg.exporters.graphml import graphml_bytes, write_graphml
from eurokg.exporters.projection import project as projection
from eurokg import vocab as V  # via the module: pytest probes module-level names (DefinedNamespace warns)

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
NMTOKEN = re.compile(r"^[\w.\-:]+$")
GEPHI_TYPES = {"boolean", "int", "integer", "long", "float", "double", "string"}


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return Ontology.load(Path(__file__).resolve().parents[1] / "ontology" / "eurokg.ttl")


def triples() -> list[tuple]:
    ID, EK, RDF, RDFS, PROV, XSD = V.ID, V.EK, V.RDF, V.RDFS, V.PROV, V.XSD
    summit, kaz, chn, src, treaty = ID["summit-x"], ID["kazakhstan"], ID["china"], ID["src-1"], ID["treaty-x"]
    odd = ID["people/odd"]  # a Turtle file may mint an IRI whose CURIE is no NMTOKEN ("/")
    return [
        (summit, RDF.type, EK.Summit),
        (summit, RDFS.label, Literal("Summit\x01 X\x0b", lang="en")),  # control characters
        (summit, RDFS.label, Literal("Саммит", lang="ru")),
        (summit, EK.host, kaz),
        (summit, EK.participant, kaz),  # parallel to ek:host: a second edge type
        (summit, EK.participant, chn),
        (summit, EK.edition, Literal("2", datatype=XSD.positiveInteger)),
        (summit, EK.startDate, Literal("2025-06-17", datatype=XSD.date)),
        (summit, EK.series, Literal("Test series", lang="en")),
        (summit, PROV.wasDerivedFrom, src),
        (kaz, RDF.type, EK.State),
        (kaz, RDFS.label, Literal("Kazakhstan", lang="en")),
        (kaz, RDFS.label, Literal("Қазақстан", lang="kk")),
        (kaz, EK.isoCode, Literal("KAZ")),
        (kaz, V.SKOS.altLabel, Literal("Republic of Kazakhstan", lang="en")),
        (kaz, V.SKOS.altLabel, Literal("RK", lang="en")),
        (chn, RDF.type, EK.State),  # no label at all: falls back to the local name
        (chn, EK.isoCode, Literal("CHN")),
        (src, RDF.type, EK.Article),
        (src, RDFS.label, Literal("A source")),
        (treaty, RDF.type, EK.BilateralTreaty),
        (treaty, RDFS.label, Literal("Treaty X", lang="en")),
        (treaty, EK.signatory, kaz),
        (treaty, EK.signatory, chn),
        (treaty, EK.treatyStatus, EK.Signed),  # an ontology individual: a column, not a node
        (treaty, EK.signedDuring, summit),
        (ID["trade-x"], RDF.type, EK.TradeRelation),
        (ID["trade-x"], EK.tradeValue, Literal("NaN", datatype=XSD.double)),
        (ID["trade-y"], RDF.type, EK.TradeRelation),
        (ID["trade-y"], EK.tradeValue, Literal("286420000000", datatype=XSD.decimal)),
        (odd, RDF.type, EK.Person),
        (odd, RDFS.label, Literal("Odd\ud800 one", lang="en")),  # a lone surrogate cannot be UTF-8
        (odd, EK.holds, ID["office-z"]),
        (ID["office-z"], RDF.type, EK.Office),
    ]


def dataset(order_seed: int | None = None) -> Dataset:
    ts = triples()
    if order_seed is not None:
        random.Random(order_seed).shuffle(ts)
    ds = Dataset()
    half = len(ts) // 2
    for name, part in (("curated/a", ts[:half]), ("curated/b", ts[half:])):
        g = ds.graph(V.GRAPH[name])
        for t in part:
            g.add(t)
    assert sum(len(g) for g in ds.graphs()) == len(ts)
    # provenance is not projected
    ds.graph(V.PROVENANCE_GRAPH).add((V.GRAPH["curated/a"], V.RDF.type, V.EK.CurationRecord))
    return ds


@pytest.fixture(scope="module")
def xml(ontology) -> bytes:
    return graphml_bytes(projection(dataset(), ontology))


@pytest.fixture(scope="module")
def doc(xml):
    return ET.fromstring(xml)


def keys(doc) -> dict[str, dict]:
    return {k.get("id"): dict(k.attrib) for k in doc.findall("g:key", NS)}


def node_data(doc) -> dict[str, dict[str, str]]:
    names = {k: a["attr.name"] for k, a in keys(doc).items()}
    out = {}
    for n in doc.findall("g:graph/g:node", NS):
        out[n.get("id")] = {names[d.get("key")]: d.text for d in n.findall("g:data", NS)}
    return out


def edges(doc) -> list[dict]:
    names = {k: a["attr.name"] for k, a in keys(doc).items()}
    out = []
    for e in doc.findall("g:graph/g:edge", NS):
        item = dict(e.attrib)
        item["data"] = {names[d.get("key")]: d.text for d in e.findall("g:data", NS)}
        out.append(item)
    return out


def node_by_iri(doc, local: str) -> tuple[str, dict]:
    for nid, data in node_data(doc).items():
        if data.get("iri") == str(V.ID[local]):
            return nid, data
    raise AssertionError(f"no node for id:{local}")


# ------------------------------------------------------------------- nodes

def test_only_entities_become_nodes(doc):
    iris = sorted(d["iri"] for d in node_data(doc).values())
    expected = sorted(str(V.ID[x]) for x in
                      ("summit-x", "kazakhstan", "china", "treaty-x", "trade-x", "trade-y", "people/odd", "office-z"))
    assert iris == expected  # no literal, no source (src-1), no class, no ek:Signed, no named graph


def test_no_literal_value_is_a_node(doc):
    ids = set(node_data(doc))
    for value in ("2025-06-17", "2", "KAZ", "Kazakhstan", "Test series", "286420000000", "A source"):
        assert value not in ids
    # and nothing else with a literal's text as its id: every node is an id: IRI
    assert all(d["iri"].startswith(str(V.ID)) for d in node_data(doc).values())


def test_node_ids_are_unique_nmtokens_and_fall_back_to_a_hash(doc):
    ids = [n.get("id") for n in doc.findall("g:graph/g:node", NS)]
    assert len(ids) == len(set(ids))
    assert all(NMTOKEN.match(i) for i in ids), ids
    assert "id:kazakhstan" in ids  # the CURIE where it is a valid NMTOKEN
    odd_id, _ = node_by_iri(doc, "people/odd")
    assert re.fullmatch(r"n[0-9a-f]{16}", odd_id)


def test_every_node_has_a_label(doc):
    data = node_data(doc)
    assert all(d.get("label") for d in data.values())
    assert node_by_iri(doc, "kazakhstan")[1]["label"] == "Kazakhstan"  # English preferred over kk
    assert node_by_iri(doc, "china")[1]["label"] == "china"  # no label: the local name, not the IRI
    assert keys(doc)["n_label"] == {"id": "n_label", "for": "node", "attr.name": "label", "attr.type": "string"}


def test_control_characters_and_surrogates_are_stripped(doc, xml):
    assert node_by_iri(doc, "summit-x")[1]["label"] == "Summit X"
    assert node_by_iri(doc, "people/odd")[1]["label"] == "Odd one"
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)


def test_columns_are_typed_and_joined(doc):
    summit = node_by_iri(doc, "summit-x")[1]
    assert summit["edition"] == "2"
    assert summit["startDate"] == "2025-06-17"
    assert summit["type"] == "summit"
    assert summit["sources"] == "id:src-1"
    kaz = node_by_iri(doc, "kazakhstan")[1]
    assert kaz["altLabel"] == "RK | Republic of Kazakhstan"
    treaty = node_by_iri(doc, "treaty-x")[1]
    assert treaty["treatyStatus"] == "signed"  # the individual's label
    assert treaty["type"] == "bilateral treaty"
    k = keys(doc)
    assert k["n_edition"]["attr.type"] == "long"
    assert all(a["attr.type"] in GEPHI_TYPES for a in k.values())
    names = [(a["for"], a["attr.name"]) for a in k.values()]
    assert len(names) == len(set(names))  # one key, so one type, per column


def test_no_none_or_nan_values(doc, xml):
    texts = [d.text for d in doc.iter(f"{{{NS['g']}}}data")]
    assert texts and all(t is not None and t.strip() for t in texts)
    assert "None" not in texts
    assert not any(t in ("nan", "inf", "-inf") for t in texts)
    assert b">None<" not in xml and b">nan<" not in xml
    # "NaN"^^xsd:double has no double value Gephi could take: kept as its lexical form, as text
    assert node_by_iri(doc, "trade-x")[1]["tradeValue"] == "NaN"


# ------------------------------------------------------------------- edges

def test_edge_ids_are_unique_and_weights_positive(doc):
    es = edges(doc)
    assert len(es) == 7  # host, participant x2, signatory x2, signedDuring, holds
    ids = [e["id"] for e in es]
    assert len(ids) == len(set(ids))
    node_ids = set(node_data(doc))
    for e in es:
        assert e["source"] in node_ids and e["target"] in node_ids
        assert float(e["data"]["weight"]) > 0


def test_parallel_predicates_are_distinct_edge_types(doc):
    summit, kaz = node_by_iri(doc, "summit-x")[0], node_by_iri(doc, "kazakhstan")[0]
    pair = [e for e in edges(doc) if e["source"] == summit and e["target"] == kaz]
    assert sorted(e["label"] for e in pair) == ["ek:host", "ek:participant"]  # the XML attribute: Gephi's edge type
    assert sorted(e["data"]["label"] for e in pair) == ["host", "participant"]
    assert len({e["id"] for e in pair}) == 2


def test_edges_to_sources_and_individuals_are_not_edges(doc):
    targets = {e["target"] for e in edges(doc)}
    assert not any("src-1" in t or "Signed" in t for t in targets)
    treaty = node_by_iri(doc, "treaty-x")[0]
    assert sorted(e["label"] for e in edges(doc) if e["source"] == treaty) == [
        "ek:signatory", "ek:signatory", "ek:signedDuring"]


# -------------------------------------------------------------- well-formed

def test_output_is_utf8_xml_with_a_declaration(xml):
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")
    xml.decode("utf-8")
    assert "Қазақстан".encode() not in xml  # only the preferred label is kept
    assert "Саммит".encode() not in xml


def test_networkx_reads_it_back(xml):
    g = nx.read_graphml(io.BytesIO(xml), force_multigraph=True)
    assert g.is_directed() and g.is_multigraph()
    assert g.number_of_nodes() == 8
    assert g.number_of_edges() == 7
    assert g.nodes["id:summit-x"]["label"] == "Summit X"
    assert g.nodes["id:summit-x"]["edition"] == 2
    assert isinstance(g.nodes["id:trade-y"]["tradeValue"], float)  # NaN stays a double (written NaN)
    assert {d["predicate"] for _, _, d in g.edges(data=True)} == {
        "ek:host", "ek:participant", "ek:signatory", "ek:signedDuring", "ek:holds"}


def test_output_is_byte_identical_whatever_the_input_order(ontology, xml):
    again = graphml_bytes(projection(dataset(order_seed=1), ontology))
    shuffled = graphml_bytes(projection(dataset(order_seed=2), ontology))
    assert again == xml
    assert shuffled == xml


def test_export_api_writes_atomically_and_returns_the_digest(tmp_path, ontology, xml):
    import hashlib

    target = tmp_path / "out" / "g.graphml"
    with pytest.raises(eurokg.UsageError, match="no such folder"):
        eurokg.export(dataset(), "graphml", target, ontology=ontology)  # folders are not invented
    target.parent.mkdir()
    digest = eurokg.export(dataset(), "graphml", target, ontology=ontology)
    # the API writes the full view with metric columns: the same bytes as export_to
    expected = io.BytesIO()
    eurokg.exporters.export_to(dataset(), ontology, "graphml", expected)
    assert target.read_bytes() == expected.getvalue()
    assert digest == hashlib.sha256(expected.getvalue()).hexdigest()
    assert [p.name for p in target.parent.iterdir()] == ["g.graphml"]


def test_write_graphml_streams_the_same_bytes(ontology, xml):
    buf = io.BytesIO()
    write_graphml(dataset(), ontology, buf)
    assert buf.getvalue() == xml


# ----------------------------------------------------------- the real data

def test_the_shipped_data_projects_cleanly(project):
    ontology, ds = eurokg.load(project)
    data = graphml_bytes(projection(ds, ontology))
    doc = ET.fromstring(data)
    nodes = doc.findall("g:graph/g:node", NS)
    assert len(nodes) > 50
    ids = [n.get("id") for n in nodes]
    assert len(ids) == len(set(ids)) and all(NMTOKEN.match(i) for i in ids)
    assert all(any(keys(doc)[d.get("key")]["attr.name"] == "label" for d in n.findall("g:data", NS)) for n in nodes)
    es = edges(doc)
    assert len({e["id"] for e in es}) == len(es) > 50
    assert all(float(e["data"]["weight"]) > 0 and e.get("label") for e in es)
    assert not any(d.text in (None, "None", "nan") for d in doc.iter(f"{{{NS['g']}}}data"))
    g = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(es)
    # the founding treaty's six signatories are six edges of one type
    treaty = "id:treaty-permanent-good-neighbourliness-2025"
    assert sum(1 for e in es if e["source"] == treaty and e["label"] == "ek:signatory") == 6


def test_carriage_returns_survive_a_round_trip():
    import networkx as nx

    from eurokg.exporters.graphml import graphml_bytes

    g = nx.MultiDiGraph()
    g.add_node("a", label="A", comment="line one\r\nline two")
    back = nx.read_graphml(io.BytesIO(graphml_bytes(g)))
    assert back.nodes["a"]["comment"] == "line one\r\nline two"


def test_markup_characters_survive_a_round_trip_in_text_and_attributes():
    """The writer escapes by hand (no element tree): what an XML parser reads back is
    what went in, in element text and in the edge's ``label`` attribute, and an empty
    string stays an empty string."""
    import networkx as nx

    from eurokg.exporters.graphml import graphml_bytes

    hostile = 'a "quoted" <tag> & \'apostrophe\'\ttab\nnewline\r\nend'
    g = nx.MultiDiGraph()
    g.add_node("x", label=hostile, note="")
    g.add_node("y", label="Y")
    g.add_edge("x", "y", key="k", predicate=hostile, weight=1.0)
    data = graphml_bytes(g)
    root = ET.fromstring(data)
    (edge,) = root.iter(f"{{{NS['g']}}}edge")
    assert edge.get("label") == hostile
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert back.nodes["x"]["label"] == hostile
    assert back.nodes["x"].get("note", "") == ""
    (attrs,) = back.get_edge_data("x", "y").values()
    assert attrs["predicate"] == hostile


def test_an_empty_graph_is_well_formed():
    import networkx as nx

    from eurokg.exporters.graphml import graphml_bytes

    root = ET.fromstring(graphml_bytes(nx.MultiDiGraph()))
    (graph,) = root.iter(f"{{{NS['g']}}}graph")
    assert len(graph) == 0 and graph.get("edgedefault") == "directed"


def test_plain_values_skip_escaping_with_the_same_text():
    """Values without anything to escape are written as they are: the same text as escaping
    and cleaning them gives, for random strings over the characters that matter."""
    import random
    from xml.sax.saxutils import escape

    from eurokg.exporters.graphml import _IN_ATTRIBUTE, _IN_TEXT, _attributes, _content, _text

    alphabet = ["a", "&", "<", ">", "\r", "\n", "\t", '"', "\x00", "\x0b", "\ud800", "\ufffe", "é", "null", " ", "\x7f"]
    rng = random.Random(1)
    for _ in range(5000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert _content(s) == escape(_text(s), _IN_TEXT), repr(s)
        assert _attributes({"id": s}) == f' id="{escape(s, _IN_ATTRIBUTE)}"', repr(s)
    for v in (1, 2.5, float("nan"), float("-inf"), True, False):
        assert _content(v) == escape(_text(v), _IN_TEXT)


def test_edges_with_equal_values_of_other_types_keep_their_own_text():
    """Edges with the same values share their written ``<data>``, but 1, 1.0 and True are
    equal in Python: each edge still gets its own value's text, and every edge's data is
    what the element writer gives it alone."""
    import networkx as nx

    from eurokg.exporters.graphml import _data, _element, graphml_bytes

    g = nx.MultiDiGraph()
    for n in "abcdef":
        g.add_node(n, label=n.upper())
    g.add_edge("a", "b", key="p", predicate="ek:p", weight=1)
    g.add_edge("b", "c", key="p", predicate="ek:p", weight=1.0)
    g.add_edge("c", "d", key="p", predicate="ek:p", weight=1)
    g.add_edge("d", "e", key="q", predicate="ek:q", flag=True, weight=2.5)
    g.add_edge("e", "f", key="q", predicate="ek:q", flag=True, weight=2.5)
    g.add_edge("f", "a", key="z", predicate="ek:z", weight=0.0)
    g.add_edge("a", "c", key="z", predicate="ek:z", weight=-0.0)  # equal to 0.0, written apart
    text = graphml_bytes(g).decode("utf-8")
    weights = re.findall(r'<data key="e_weight">([^<]*)</data>', text)
    assert sorted(weights) == ["-0.0", "0.0", "1", "1", "1.0", "2.5", "2.5"]
    key_ids = {("edge", name): f"e_{name}" for name in ("flag", "predicate", "weight")}
    for u, v, key, data in g.edges(keys=True, data=True):
        alone = _element("edge", {}, _data(data, "edge", key_ids), "    ")
        body = alone[alone.index(">"):]
        assert re.search(rf'source="{u}" target="{v}" label="{data["predicate"]}"{re.escape(body)}', text), (u, v)
    back = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    (bc,) = back.get_edge_data("b", "c").values()
    (de,) = back.get_edge_data("d", "e").values()
    assert bc["weight"] == 1.0 and de["flag"] is True


def test_edge_ends_name_their_nodes_whatever_the_node_names():
    """Edges are written without escaping their ids (hex) or ends (node ids): a node id is
    a whole NMTOKEN or a hash, so a name ending in a newline, or holding markup, still
    gives edges whose ends an XML parser reads as the ids of their nodes."""
    import networkx as nx

    from eurokg.exporters.graphml import graphml_bytes, node_id

    g = nx.MultiDiGraph()
    names = ["ek:plain", "id:ends-in-newline\n", 'id:a"b<c>&d', "id:tab\there", "ид:кириллица"]
    for n in names:
        g.add_node(n, label=n)
    for a, b in zip(names, names[1:]):
        g.add_edge(a, b, key="k", predicate='ek:p"<&>', weight=1.0)
    assert node_id("id:ends-in-newline\n") != "id:ends-in-newline\n"
    root = ET.fromstring(graphml_bytes(g))
    node_ids = {n.get("id") for n in root.iter(f"{{{NS['g']}}}node")}
    assert len(node_ids) == len(names) and all(NMTOKEN.fullmatch(i) for i in node_ids)
    assert "ek:plain" in node_ids and "ид:кириллица" in node_ids
    edges = list(root.iter(f"{{{NS['g']}}}edge"))
    assert len(edges) == 4
    for edge in edges:
        assert edge.get("source") in node_ids and edge.get("target") in node_ids
        assert edge.get("label") == 'ek:p"<&>'
