"""The Gephi oracle (tests/gephi_oracle.py) against every trap in shared/reference/gephi-import-rules.md.

Tiny hand-written files pin single rules; files written by networkx and rdflib's converter show
the traps the reference verified with them. "ref §N" names the reference's section.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone

import networkx as nx
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.extras.external_graph_libs import rdflib_to_networkx_digraph, rdflib_to_networkx_multidigraph
from rdflib.namespace import RDF, RDFS

from gephi_oracle import (INFO, SEVERE, WARNING, import_gexf, import_graphml, java_double, parse_value,
                          ParseFailure)

EX = Namespace("http://example.org/")


def graphml(keys: str = "", body: str = "", edgedefault: str = "directed") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            f'{keys}<graph id="G" edgedefault="{edgedefault}">{body}</graph></graphml>')


def gexf(body: str = "", attributes: str = "", **graph_attrs: str) -> str:
    attrs = " ".join(f'{k}="{v}"' for k, v in {"defaultedgetype": "directed", **graph_attrs}.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.3" version="1.3">'
            f'<graph {attrs}>{attributes}{body}</graph></gexf>')


def nx_graphml(g: nx.Graph, **kw) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(g, buf, **kw)
    return buf.getvalue()


def nx_gexf(g: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(g, buf)
    return buf.getvalue()


def only(view, level: str) -> list[str]:
    return view.levels(level)


# ============================================================== GraphML: the file (ref §0, §1 "Encoding")

def test_a_clean_file_has_no_issues():
    v = import_graphml(graphml(
        '<key id="n_label" for="node" attr.name="label" attr.type="string"/>'
        '<key id="n_pop" for="node" attr.name="population" attr.type="long"/>'
        '<key id="e_w" for="edge" attr.name="weight" attr.type="double"/>',
        '<node id="a"><data key="n_label">A</data><data key="n_pop">83</data></node>'
        '<node id="b"><data key="n_label">B</data></node>'
        '<edge id="e0" source="a" target="b"><data key="e_w">2</data></edge>'))
    assert v.issues == [] and v.silent == [] and v.problems() == []
    assert v.nodes == {"a": {"label": "A", "population": 83}, "b": {"label": "B"}}
    assert v.edges == [{"id": "e0", "source": "a", "target": "b", "type": None, "directed": True,
                        "weight": 2.0, "label": None}]
    assert [(c.cls, c.id, c.title, c.type) for c in v.columns] == [("node", "n_pop", "population", "long")]


def test_a_control_character_written_by_networkx_makes_the_file_unparseable():
    g = nx.Graph()
    g.add_node("a", label="Summit\x0b X")
    data = nx_graphml(g)  # ref §1: the stdlib writer writes \x0b silently
    assert b"\x0b" in data
    v = import_graphml(data)
    assert not v.parseable and v.nodes == {} and v.edges == []
    assert len(only(v, SEVERE)) == 1 and "not well-formed" in only(v, SEVERE)[0]


def test_a_character_reference_to_a_control_character_is_unparseable_too():
    v = import_graphml(graphml("", '<node id="a"><desc>bad &#1; char</desc></node>'))
    assert not v.parseable and only(v, SEVERE)


def test_the_declared_encoding_is_honoured():
    text = ("<?xml version='1.0' encoding='ISO-8859-1'?>"
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<key id="l" for="node" attr.name="label" attr.type="string"/>'
            '<graph edgedefault="directed"><node id="z"><data key="l">Zürich</data></node></graph></graphml>')
    v = import_graphml(text.encode("latin-1"))
    assert v.problems() == [] and v.nodes["z"]["label"] == "Zürich"


def test_paths_bytes_and_text_are_all_read(tmp_path):
    text = graphml("", '<node id="a"/>')
    path = tmp_path / "g.graphml"
    path.write_text(text, encoding="utf-8")
    assert import_graphml(path).nodes == import_graphml(str(path)).nodes == import_graphml(text).nodes \
        == import_graphml(text.encode()).nodes == {"a": {"label": "a"}}


def test_another_root_element_is_refused():
    v = import_graphml(gexf())
    assert not v.parseable and "not <graphml>" in only(v, SEVERE)[0]


# ====================================================== GraphML keys (ref §1 "Special names", "attr.type")

def test_a_key_becomes_a_property_by_id_then_by_attr_name():
    v = import_graphml(graphml(
        '<key id="label" for="node" attr.name="name" attr.type="string"/>'   # by id
        '<key id="d1" for="edge" attr.name="label" attr.type="string"/>'     # by attr.name
        '<key id="d2" for="edge" attr.name="weight" attr.type="double"/>',
        '<node id="a"><data key="label">Alpha</data></node>'
        '<edge source="a" target="a"><data key="d1">self</data><data key="d2">3</data></edge>'))
    assert v.columns == []  # a property key creates no column
    assert v.nodes["a"] == {"label": "Alpha"}
    assert v.edges[0]["label"] == "self" and v.edges[0]["weight"] == 3.0
    assert v.problems() == []


def test_property_aliases():
    v = import_graphml(graphml(
        '<key id="k1" for="node" attr.name="nodelabel" attr.type="string"/>'
        '<key id="k2" for="node" attr.name="xpos" attr.type="float"/>'
        '<key id="size" for="node" attr.name="importance" attr.type="double"/>'
        '<key id="k4" for="node" attr.name="color" attr.type="string"/>'
        '<key id="k5" for="edge" attr.name="Edge Weight" attr.type="double"/>'
        '<key id="edgelabel" for="edge" attr.name="text" attr.type="string"/>',
        '<node id="a"><data key="k1">A</data><data key="k2">1.5</data><data key="size">10</data>'
        '<data key="k4">#ff0000</data></node>'
        '<edge source="a" target="a"><data key="k5">4</data><data key="edgelabel">loop</data></edge>'))
    assert v.columns == []
    assert v.nodes["a"] == {"label": "A", "x": 1.5, "size": 10.0, "color": "#ff0000"}
    assert (v.edges[0]["weight"], v.edges[0]["label"]) == (4.0, "loop")


def test_property_names_are_case_sensitive_and_for_all_never_matches():
    v = import_graphml(graphml(
        '<key id="d0" for="node" attr.name="Label" attr.type="string"/>'
        '<key id="d1" attr.name="label" attr.type="string"/>',  # no for: GraphML's default "all"
        '<node id="a"><data key="d0">Big</data><data key="d1">small</data></node>'))
    assert v.nodes["a"] == {"label": "a", "Label": "Big", "label [d1]": "small"}  # label falls back to the id
    assert {(c.cls, c.title) for c in v.columns} == {("node", "Label"), ("node", "label"), ("edge", "label")}
    assert any("for='all'" in m for m in v.silent)


def test_node_columns_named_like_visual_properties_are_swallowed():
    # ref §0.7: a data column called "size" is the node size, not a column.
    v = import_graphml(graphml('<key id="d0" for="node" attr.name="size" attr.type="long"/>',
                               '<node id="a"><data key="d0">1500000</data></node>'))
    assert v.columns == [] and v.nodes["a"] == {"label": "a", "size": 1500000.0}


@pytest.mark.parametrize("declared, expected", [
    ("string", "string"), ("String", "string"), ("BOOL", "boolean"), ("boolean", "boolean"),
    ("int", "integer"), ("Integer", "integer"), ("long", "long"), ("float", "float"), ("double", "double"),
    ("bigdecimal", "bigdecimal"), ("BigInteger", "biginteger"), ("byte", "byte"), ("short", "short"),
    ("char", "char"), ("liststring", "liststring"), ("listInteger", "listinteger"), ("listlong", "listlong"),
])
def test_the_attr_type_table(declared, expected):
    v = import_graphml(graphml(f'<key id="d0" for="node" attr.name="v" attr.type="{declared}"/>'))
    assert [c.type for c in v.columns] == [expected] and v.issues == []


@pytest.mark.parametrize("declared", ["date", "xs:string", "anyURI", "number", "str", ""])
def test_an_unknown_type_is_severe_and_the_attribute_ignored(declared):
    v = import_graphml(graphml(f'<key id="d0" for="node" attr.name="v" attr.type="{declared}"/>',
                               '<node id="a"><data key="d0">x</data></node>'))
    assert v.columns == [] and v.nodes["a"] == {"label": "a"}
    assert len(only(v, SEVERE)) == 1 and "is not recognized" in only(v, SEVERE)[0]


def test_a_missing_type_is_severe_and_read_as_string():
    v = import_graphml(graphml('<key id="d0" for="node" attr.name="v"/>', '<node id="a"><data key="d0">7</data></node>'))
    assert [c.type for c in v.columns] == ["string"] and v.nodes["a"]["v"] == "7"
    assert len(only(v, SEVERE)) == 1


def test_graph_keys_give_a_warning():
    v = import_graphml(graphml('<key id="g0" for="graph" attr.name="name" attr.type="string"/>'))
    assert len(only(v, WARNING)) == 1 and v.columns == []


def test_a_repeated_key_id_is_skipped_and_its_data_read_with_the_first():
    v = import_graphml(graphml(
        '<key id="v" for="node" attr.name="v" attr.type="long"/>'
        '<key id="v" for="node" attr.name="v" attr.type="double"/>',
        '<node id="a"><data key="v">1</data></node><node id="b"><data key="v">2.5</data></node>'))
    assert [(c.id, c.type) for c in v.columns] == [("v", "long")]
    assert v.nodes["a"]["v"] == 1 and "v" not in v.nodes["b"]  # "2.5" is no Long
    assert len(only(v, SEVERE)) == 1 and any("repeated key id" in m for m in v.silent)


@pytest.mark.parametrize("kid", ["id", "label", "timeset", "weight", "Weight", "ID"])
def test_reserved_column_ids_collide_silently(kid):
    v = import_graphml(graphml(f'<key id="{kid}" for="all" attr.name="other" attr.type="string"/>',
                               f'<node id="a"><data key="{kid}">lost</data></node>'))
    assert v.columns == [] and v.nodes["a"] == {"label": "a"}
    assert v.issues == []  # Gephi says nothing ...
    assert any("reserved" in m for m in v.silent)  # ... the oracle does


def test_named_key_ids_with_an_attribute_called_id_loses_it():
    g = nx.DiGraph()
    g.add_node("n1", id="Q183", name="Germany")
    v = import_graphml(nx_graphml(g, named_key_ids=True))
    assert v.nodes["n1"] == {"label": "n1", "name": "Germany"}  # "id" lost
    assert v.issues == [] and any("'id'" in m and "reserved" in m for m in v.silent)


def test_column_ids_are_case_insensitive():
    v = import_graphml(graphml('<key id="pop" for="node" attr.name="first" attr.type="long"/>'
                               '<key id="POP" for="node" attr.name="second" attr.type="long"/>',
                               '<node id="n"><data key="pop">1</data><data key="POP">2</data></node>'))
    assert [c.id for c in v.columns] == ["pop"] and v.nodes["n"] == {"label": "n", "first": 1}
    assert any("collides" in m for m in v.silent)


# ============================================ networkx's GraphML types (ref §3 "Types", "Type inference")

def test_mixed_int_and_float_give_two_keys_with_one_attr_name():
    g = nx.Graph()
    g.add_node("a", v=1)
    g.add_node("b", v=2.5)
    v = import_graphml(nx_graphml(g))
    cols = sorted((c.type, c.title) for c in v.columns)
    assert cols == [("double", "v"), ("long", "v")]  # two Data Laboratory columns titled "v"
    by_type = {c.type: c.id for c in v.columns}
    assert v.nodes["a"] == {"label": "a", f"v [{by_type['long']}]": 1}
    assert v.nodes["b"] == {"label": "b", f"v [{by_type['double']}]": 2.5}


def test_infer_numeric_types_widens_to_one_key():
    g = nx.Graph()
    g.add_node("a", v=1)
    g.add_node("b", v=2.5)
    v = import_graphml(nx_graphml(g, infer_numeric_types=True))
    assert [(c.title, c.type) for c in v.columns] == [("v", "double")]
    assert (v.nodes["a"]["v"], v.nodes["b"]["v"]) == (1.0, 2.5) and v.problems() == []


def test_named_key_ids_with_mixed_types_give_a_duplicate_key_id():
    g = nx.Graph()
    g.add_node("a", v=1)
    g.add_node("b", v=2.5)
    data = nx_graphml(g, named_key_ids=True)
    assert data.count(b'<key id="v"') == 2
    v = import_graphml(data)
    assert len(v.columns) == 1 and any("repeated key id 'v'" in m for m in v.silent)
    first = v.columns[0].type  # networkx writes the double key first: both values read as double
    assert first == "double" and (v.nodes["a"]["v"], v.nodes["b"]["v"]) == (1.0, 2.5)


def test_nan_written_by_networkx_is_severe_and_dropped():
    g = nx.Graph()
    g.add_node("a", share=float("nan"), big=float("inf"), ok=0.5, flag=True)
    data = nx_graphml(g)
    assert b">nan<" in data and b">inf<" in data and b">True<" in data
    v = import_graphml(data)
    assert v.nodes["a"] == {"label": "a", "ok": 0.5, "flag": True}
    assert len(only(v, SEVERE)) == 2


def test_numpy_float64_is_written_as_float_so_gephi_keeps_float32():
    np = pytest.importorskip("numpy")
    g = nx.Graph()
    g.add_node("a", share=np.float64(0.1))
    data = nx_graphml(g)
    assert b'attr.type="float"' in data  # networkx #6719
    v = import_graphml(data)
    assert v.nodes["a"]["share"] == 0.10000000149011612 != 0.1


def test_digraph_edges_have_no_id_unless_taken_from_an_attribute():
    g = nx.DiGraph()
    g.add_edge("a", "b", eid="ab")
    assert import_graphml(nx_graphml(g)).edges[0]["id"] is None  # Gephi numbers them itself
    v = import_graphml(nx_graphml(g, edge_id_from_attribute="eid"))
    assert v.edges[0]["id"] == "ab" and v.problems() == []


def test_rdflib_terms_and_lists_are_refused_by_the_networkx_writer():
    g = nx.Graph()
    g.add_node("a", value=Literal(83))
    with pytest.raises((TypeError, nx.NetworkXError)):
        nx_graphml(g)


# ====================================================== values (ref §1 "Values / missing")

def test_whitespace_only_and_empty_values_are_no_values_and_defaults_are_honoured():
    v = import_graphml(graphml(
        '<key id="d0" for="node" attr.name="note" attr.type="string"><default>none given</default></key>'
        '<key id="d1" for="node" attr.name="n" attr.type="long"/>',
        '<node id="a"><data key="d0">  \n\t </data><data key="d1"></data></node>'
        '<node id="b"><data key="d0"> padded </data><data key="d1">3</data></node>'))
    assert v.nodes["a"] == {"label": "a", "note": "none given"}
    assert v.nodes["b"] == {"label": "b", "note": " padded ", "n": 3}
    assert v.problems() == []


@pytest.mark.parametrize("text", ["null", "NULL", "Null"])
def test_null_is_read_as_null_whatever_the_type(text):
    v = import_graphml(graphml('<key id="d0" for="node" attr.name="s" attr.type="string"/>',
                               f'<node id="a"><data key="d0">{text}</data></node>'))
    assert v.nodes["a"] == {"label": "a"} and v.issues == [] and any("read as null" in m for m in v.silent)


@pytest.mark.parametrize("typ, text, value", [
    ("long", "83", 83), ("long", "+7", 7), ("long", "-9223372036854775808", -2**63), ("long", "٣", 3),
    ("integer", "2147483647", 2**31 - 1), ("short", "-32768", -32768), ("byte", "127", 127),
    ("boolean", "True", True), ("boolean", "FALSE", False), ("boolean", "1", True), ("boolean", "0", False),
    ("double", "NaN", "nan"), ("double", "Infinity", math.inf), ("double", "-Infinity", -math.inf),
    ("double", "INF", math.inf), ("double", "-INF", -math.inf), ("double", " 2.5 ", 2.5), ("double", "1e3", 1000.0),
    ("double", "1.", 1.0), ("double", ".5", 0.5), ("double", "2.5f", 2.5), ("double", "0x1p3", 8.0),
    ("float", "0.1", 0.10000000149011612), ("float", "123456789", 123456792.0),
    ("biginteger", "99999999999999999999", 99999999999999999999), ("liststring", "[a, b]", ["a", "b"]),
    ("listinteger", "1,2", [1, 2]), ("char", "x", "x"),
])
def test_java_parsing_accepts(typ, text, value):
    got = parse_value(text, typ)
    if value == "nan":
        assert math.isnan(got)
    else:
        assert got == value and type(got) is type(value)


@pytest.mark.parametrize("typ, text", [
    ("long", " 83"), ("long", "83 "), ("long", "5.0"), ("long", "1_000"), ("long", "9223372036854775808"),
    ("long", ""), ("integer", "2147483648"), ("byte", "128"),
    ("double", "nan"), ("double", "inf"), ("double", "-inf"), ("double", "infinity"), ("double", "1_0"),
    ("double", "1,5"), ("double", "e3"), ("double", "NaNf"), ("float", "nan"),
    ("bigdecimal", "NaN"), ("biginteger", "1.0"),
])
def test_java_parsing_refuses(typ, text):
    with pytest.raises(ParseFailure):
        parse_value(text, typ)


def test_a_value_that_fails_to_parse_is_severe_and_dropped():
    v = import_graphml(graphml('<key id="d0" for="node" attr.name="pop" attr.type="long"/>',
                               '<node id="a"><data key="d0">83 million</data></node>'))
    assert v.nodes["a"] == {"label": "a"} and len(only(v, SEVERE)) == 1


def test_a_non_boolean_word_is_silently_false():
    v = import_graphml(graphml('<key id="d0" for="node" attr.name="eu" attr.type="boolean"/>',
                               '<node id="a"><data key="d0">yes</data></node>'))
    assert v.nodes["a"]["eu"] is False and v.issues == [] and any("read as false" in m for m in v.silent)


def test_java_double_matches_python_where_both_accept():
    for text in ("0", "-0.0", "1e-320", "1.7976931348623157e308", "3.141592653589793"):
        assert java_double(text) == float(text)
    assert java_double("1e400") == math.inf  # Java overflows to infinity instead of failing


# ================================================================ weights (ref §1 "Values", "Edges")

def weighted(*weights: str, ids: bool = True) -> str:
    keys = '<key id="w" for="edge" attr.name="weight" attr.type="double"/>'
    body = '<node id="a"/><node id="b"/>' + "".join(
        f'<edge {"id=%r " % f"e{i}" if ids else ""}source="a" target="b" label="t{i}"><data key="w">{w}</data></edge>'
        for i, w in enumerate(weights))
    return graphml(keys, body.replace("'", '"'))


def test_weights_are_float32():
    v = import_graphml(weighted("123456789", "0.1", "1,5"))
    assert [e["weight"] for e in v.edges] == [123456792.0, 0.10000000149011612, 1.5]
    assert v.problems() == []


def test_weight_zero_removes_the_edge_and_a_negative_weight_warns():
    v = import_graphml(weighted("0", "-2", "0.0", "1"))
    assert [(e["id"], e["weight"]) for e in v.edges] == [("e1", -2.0), ("e3", 1.0)]
    assert len(only(v, SEVERE)) == 2 and all("weight is 0" in m for m in only(v, SEVERE))
    assert len(only(v, WARNING)) == 1 and "negative" in only(v, WARNING)[0]


def test_a_tiny_weight_that_float32_rounds_to_zero_removes_the_edge():
    v = import_graphml(weighted("1e-50"))
    assert v.edges == [] and "weight is 0" in only(v, SEVERE)[0]


def test_an_unparseable_weight_is_severe_and_the_default_kept():
    v = import_graphml(weighted("nan"))
    assert v.edges[0]["weight"] == 1.0 and len(only(v, SEVERE)) == 1


# ====================================================================== nodes (ref §1 "Nodes")

def test_a_duplicate_node_id_is_merged_silently_later_values_win():
    v = import_graphml(graphml(
        '<key id="l" for="node" attr.name="label" attr.type="string"/>'
        '<key id="p" for="node" attr.name="pop" attr.type="long"/>'
        '<key id="c" for="node" attr.name="capital" attr.type="string"/>',
        '<node id="DE"><data key="l">Germany</data><data key="p">83</data><data key="c">Berlin</data></node>'
        '<node id="DE"><data key="l">Deutschland</data><data key="p">84</data></node>'))
    assert v.nodes == {"DE": {"label": "Deutschland", "pop": 84, "capital": "Berlin"}}
    assert v.issues == [] and any("duplicate node id 'DE'" in m for m in v.silent)


def test_an_unknown_endpoint_creates_a_node_with_its_id_as_label():
    v = import_graphml(graphml("", '<node id="a"/><edge source="a" target="ghost"/>'))
    assert v.nodes == {"a": {"label": "a"}, "ghost": {"label": "ghost"}}
    assert len(only(v, INFO)) == 1 and "ghost" in only(v, INFO)[0] and v.problems() == []


def test_desc_sets_the_label():
    v = import_graphml(graphml("", '<node id="a"><desc>Alpha</desc></node>'
                                   '<edge source="a" target="a"><desc>loop</desc></edge>'))
    assert v.nodes["a"]["label"] == "Alpha" and v.edges[0]["label"] == "loop"


# ======================================================================= edges (ref §1 "Edges")

def test_the_xml_label_attribute_of_an_edge_is_its_type_not_its_label():
    v = import_graphml(graphml("", '<node id="a"/><node id="b"/><edge id="e" source="a" target="b" label="ek:host"/>'))
    assert (v.edges[0]["type"], v.edges[0]["label"]) == ("ek:host", None)


def test_a_duplicate_edge_id_warns_and_drops_the_edge():
    v = import_graphml(graphml("", '<node id="a"/><node id="b"/><node id="c"/>'
                                   '<edge id="x" source="a" target="b"/><edge id="x" source="b" target="c"/>'))
    assert [(e["source"], e["target"]) for e in v.edges] == [("a", "b")]
    assert len(only(v, WARNING)) == 1 and "Edge already exists" in only(v, WARNING)[0]


def test_multidigraph_default_keys_as_edge_ids_drop_the_repeats():
    g = nx.MultiDiGraph()
    g.add_edge("KZ", "CN", predicate="ek:partner")  # key 0
    g.add_edge("KZ", "CN", predicate="ek:host")  # key 1
    g.add_edge("UZ", "CN", predicate="ek:partner")  # key 0 again
    g.add_edge("TM", "CN", predicate="ek:partner")  # key 0 again
    data = nx_graphml(g)
    assert data.count(b'id="0"') == 3
    v = import_graphml(data)
    assert len(only(v, WARNING)) == 2  # networkx #4347: "Edge already exists id=0"
    # and the two KZ->CN edges left carry no edge type, so they merge as well: one edge of four
    assert [(e["id"], e["source"], e["weight"]) for e in v.edges] == [("0", "KZ", 2.0)]
    assert v.edges[0]["predicate"] == "ek:host" and any("merged" in m for m in v.silent)  # the later edge's value


def test_parallel_edges_of_one_type_are_merged_weights_summed_attributes_replaced():
    v = import_graphml(graphml(
        '<key id="w" for="edge" attr.name="weight" attr.type="double"/>'
        '<key id="y" for="edge" attr.name="year" attr.type="long"/>'
        '<key id="n" for="edge" attr.name="note" attr.type="string"/>',
        '<node id="KZ"/><node id="CN"/>'
        '<edge id="t2019" source="KZ" target="CN" label="trade"><data key="w">10</data><data key="y">2019</data>'
        '<data key="n">first</data></edge>'
        '<edge id="t2020" source="KZ" target="CN" label="trade"><data key="w">12.5</data><data key="y">2020</data></edge>'
        '<edge id="h" source="KZ" target="CN" label="host"><data key="w">1</data></edge>'))
    assert [(e["id"], e["type"], e["weight"], e.get("year"), e.get("note")) for e in v.edges] == [
        ("t2019", "trade", 22.5, 2020, "first"),  # SUM; the later edge's values replace
        ("h", "host", 1.0, None, None),  # a distinct type survives as a multi-edge
    ]
    assert v.issues == [] and any("merged" in m for m in v.silent)


def test_parallel_edges_without_a_type_merge_and_mutual_edges_do_not():
    v = import_graphml(graphml("", '<node id="a"/><node id="b"/>'
                                   '<edge source="a" target="b"/><edge source="a" target="b"/><edge source="b" target="a"/>'))
    assert [(e["source"], e["target"], e["weight"]) for e in v.edges] == [("a", "b", 2.0), ("b", "a", 1.0)]


def test_direction_comes_from_edgedefault_and_the_directed_attribute():
    v = import_graphml(graphml("", '<node id="a"/><node id="b"/><edge source="a" target="b"/>'
                                   '<edge source="b" target="a"/><edge source="a" target="b" directed="true"/>',
                               edgedefault="undirected"))
    assert not v.directed
    assert [(e["source"], e["target"], e["directed"], e["weight"]) for e in v.edges] == [
        ("a", "b", False, 2.0), ("a", "b", True, 1.0)]  # b-a is a-b when undirected


def test_self_loops_are_kept():
    v = import_graphml(graphml("", '<node id="a"/><edge source="a" target="a"/>'))
    assert len(v.edges) == 1 and v.problems() == []


# ======================================================== rdflib's converter (ref §4)

def sample() -> Graph:
    g = Graph()
    for t in [(EX.DE, RDF.type, EX.Country), (EX.FR, RDF.type, EX.Country),
              (EX.DE, RDFS.label, Literal("Germany", lang="en")), (EX.DE, RDFS.label, Literal("Germany", lang="de")),
              (EX.FR, RDFS.label, Literal("France", lang="en")), (EX.DE, EX.population, Literal(83)),
              (EX.DE, EX.borders, EX.FR), (EX.FR, EX.borders, EX.DE)]:
        g.add(t)
    return g


def test_rdflib_multidigraph_predicate_ids_keep_one_edge_per_predicate():
    m = rdflib_to_networkx_multidigraph(sample())
    assert m.number_of_edges() == 8 and m.number_of_nodes() == 7
    data = nx_graphml(m)
    v = import_graphml(data)
    assert sorted(e["id"] for e in v.edges) == sorted(str(p) for p in (RDF.type, RDFS.label, EX.population, EX.borders))
    assert len(only(v, WARNING)) == 4  # 8 edges, 4 distinct ids


def test_rdflib_literals_become_nodes_and_language_variants_merge():
    v = import_graphml(nx_graphml(rdflib_to_networkx_multidigraph(sample())))
    # "Germany"@en and "Germany"@de: two networkx nodes, one <node id="Germany"> twice, one Gephi node
    assert sorted(v.nodes) == sorted([str(EX.DE), str(EX.FR), str(EX.Country), "Germany", "France", "83"])
    assert any("duplicate node id 'Germany'" in m for m in v.silent)
    assert v.nodes[str(EX.DE)]["label"] == str(EX.DE)  # no attributes: labels are raw IRIs
    hub = [e for e in v.edges if e["target"] == str(EX.Country)]
    assert hub  # rdf:type makes the class a hub node


def test_rdflib_digraph_default_cannot_be_written():
    with pytest.raises((TypeError, nx.NetworkXError)):
        nx_graphml(rdflib_to_networkx_digraph(sample()))  # the "triples" list attribute


# ================================================================================= GEXF (ref §2)

def test_gexf_basics_label_weight_kind_and_direction():
    v = import_gexf(gexf(
        '<nodes><node id="KZ" label="Kazakhstan"/><node id="CN"/></nodes>'
        '<edges><edge id="0" source="KZ" target="CN" label="trade 2024" weight="123456789" kind="ek:trade"/>'
        '<edge id="1" source="CN" target="KZ" type="undirected"/></edges>'))
    assert v.problems() == [] and v.format == "gexf"
    assert v.nodes == {"KZ": {"label": "Kazakhstan"}, "CN": {"label": "CN"}}
    assert v.edges[0] == {"id": "0", "source": "KZ", "target": "CN", "type": "ek:trade", "directed": True,
                          "weight": 123456792.0, "label": "trade 2024"}
    assert v.edges[1]["directed"] is False and v.edges[1]["type"] is None


@pytest.mark.parametrize("direction", ["ek:host", "mutual", "Directed"])
def test_gexf_edge_type_is_the_direction_anything_else_is_severe(direction):
    v = import_gexf(gexf(f'<nodes><node id="a"/></nodes><edges><edge id="0" source="a" target="a" type="{direction}"/></edges>'))
    assert len(only(v, SEVERE)) == 1 and v.edges[0]["type"] is None


def test_networkx_gexf_writes_a_predicate_kept_in_type_as_the_direction():
    g = nx.DiGraph()
    g.add_edge("KZ", "CN", type="ek:partner")
    v = import_gexf(nx_gexf(g))
    assert v.edges[0]["type"] is None and "'ek:partner'" in only(v, SEVERE)[0]


def test_networkx_gexf_parallel_edges_cannot_carry_a_kind_so_they_merge():
    g = nx.MultiDiGraph()
    g.add_edge("KZ", "CN", weight=2.5, label="partner")
    g.add_edge("KZ", "CN", weight=1.0, label="host")
    data = nx_gexf(g)
    assert b'name=""' in data  # XSD-invalid, tolerated by Gephi
    v = import_gexf(data)
    assert [(e["id"], e["weight"], e["label"]) for e in v.edges] == [("0", 3.5, "host")]
    assert any("merged" in m for m in v.silent)
    assert [c.title for c in v.edge_columns()] == ["networkx_key"]


def test_gexf_parallel_edges_with_distinct_kinds_survive():
    v = import_gexf(gexf('<nodes><node id="a"/><node id="b"/></nodes><edges>'
                         '<edge id="0" source="a" target="b" kind="host" weight="1"/>'
                         '<edge id="1" source="a" target="b" kind="participant" weight="1"/>'
                         '<edge id="2" source="a" target="b" kind="host" weight="2"/></edges>'))
    assert [(e["id"], e["type"], e["weight"]) for e in v.edges] == [("0", "host", 3.0), ("1", "participant", 1.0)]


def test_gexf_weight_zero_duplicate_ids_and_auto_nodes_follow_the_graphml_rules():
    v = import_gexf(gexf('<nodes><node id="a"/></nodes><edges>'
                         '<edge id="0" source="a" target="b" weight="0"/>'
                         '<edge id="1" source="a" target="b" weight="-1"/>'
                         '<edge id="1" source="b" target="a"/></edges>'))
    assert [e["id"] for e in v.edges] == ["1"] and set(v.nodes) == {"a", "b"}
    assert len(only(v, SEVERE)) == 1 and len(only(v, WARNING)) == 2 and len(only(v, INFO)) == 1


def attrs(cls: str, *rows: tuple, mode: str = "static") -> str:
    return (f'<attributes class="{cls}" mode="{mode}">'
            + "".join(f'<attribute id="{i}" title="{t}" type="{ty}"/>' for i, t, ty in rows) + "</attributes>")


def test_gexf_attribute_types_anyuri_and_reserved_ids():
    v = import_gexf(gexf(
        '<nodes><node id="a"><attvalues><attvalue for="0" value="83"/><attvalue for="1" value="https://x.org"/>'
        '<attvalue for="2" value="hello"/><attvalue for="weight" value="5"/></attvalues></node></nodes>',
        attrs("node", ("0", "population", "long"), ("1", "iri", "anyURI"), ("2", "note", "String"),
              ("weight", "weight", "double"))))
    assert v.nodes["a"] == {"label": "a", "population": 83, "note": "hello"}
    assert len(only(v, SEVERE)) == 1 and "anyURI" in only(v, SEVERE)[0]
    assert any("reserved" in m for m in v.silent)


def test_gexf_values_follow_java_parsing():
    v = import_gexf(gexf('<nodes><node id="a"><attvalues><attvalue for="0" value="nan"/><attvalue for="1" value="NULL"/>'
                         '</attvalues></node><node id="b"><attvalues><attvalue for="0" value="NaN"/></attvalues></node></nodes>',
                         attrs("node", ("0", "share", "double"), ("1", "s", "string"))))
    assert v.nodes["a"] == {"label": "a"} and math.isnan(v.nodes["b"]["share"])
    assert len(only(v, SEVERE)) == 1


@pytest.mark.parametrize("fmt, text, value", [
    ("double", "2019", 2019.0), ("float", "2019.5", 2019.5), ("timestamp", "2019", 2019.0),
    ("date", "2019-03-01", datetime(2019, 3, 1, tzinfo=timezone.utc)),
    ("datetime", "2019-03-01T12:00:00", datetime(2019, 3, 1, 12, tzinfo=timezone.utc)),
])
def test_gexf_timeformats(fmt, text, value):
    v = import_gexf(gexf(f'<nodes><node id="a" start="{text}"/></nodes>', timeformat=fmt, mode="dynamic"))
    assert v.node_intervals["a"] == [(value, None)] and v.problems() == []
    assert v.mode == "dynamic" and v.timerepresentation == "interval"


def test_gexf_a_time_in_the_wrong_format_is_severe():
    v = import_gexf(gexf('<nodes><node id="a" start="2019-01-01"/></nodes>', timeformat="double"))
    assert "a" not in v.node_intervals and len(only(v, SEVERE)) == 1


def test_networkx_int_times_give_timeformat_long_which_gephi_reads_as_double():
    g = nx.Graph()
    g.add_node("a", start=2019, end=2021)
    data = nx_gexf(g)
    assert b'timeformat="long"' in data
    v = import_gexf(data)
    assert v.timeformat == "double" and v.node_intervals["a"] == [(2019.0, 2021.0)]
    assert any("timeformat 'long'" in m for m in v.silent)


def test_networkx_float_times_and_dynamic_attributes():
    g = nx.Graph()
    g.add_node("KZ", start=1991.0, gdp=[(100.0, 2019.0, 2020.0), (120.0, 2020.0, 2021.0)])
    v = import_gexf(nx_gexf(g))
    assert v.problems() == [] and v.timeformat == "double" and v.mode == "dynamic"
    assert v.node_intervals["KZ"] == [(1991.0, None)]
    assert v.node_dynamic["KZ"] == {"gdp": [(2019.0, 2020.0, 100.0), (2020.0, 2021.0, 120.0)]}
    assert [c.dynamic for c in v.node_columns()] == [True]


def test_gexf_spells_overlapping_are_rejected_touching_pass():
    v = import_gexf(gexf('<nodes><node id="a"><spells><spell start="2019" end="2020"/><spell start="2020" end="2021"/>'
                         '</spells></node><node id="b"><spells><spell start="2019" end="2021"/>'
                         '<spell start="2020" end="2022"/><spell start="2019" end="2021"/></spells></node></nodes>',
                         timeformat="double", mode="dynamic"))
    assert v.node_intervals["a"] == [(2019.0, 2020.0), (2020.0, 2021.0)]
    assert v.node_intervals["b"] == [(2019.0, 2021.0)]
    assert len(only(v, SEVERE)) == 2 and all("overlaps" in m for m in only(v, SEVERE))


def test_gexf_an_open_interval_overlaps_everything_after_it():
    v = import_gexf(gexf('<nodes><node id="a"><spells><spell start="2019"/><spell start="2030" end="2031"/></spells>'
                         '</node></nodes>', timeformat="double"))
    assert v.node_intervals["a"] == [(2019.0, None)] and len(only(v, SEVERE)) == 1


def test_gexf_dynamic_values_overlapping_are_rejected_touching_pass():
    v = import_gexf(gexf(
        '<nodes><node id="a"><attvalues><attvalue for="0" value="1" start="2019" end="2020"/>'
        '<attvalue for="0" value="2" start="2020" end="2021"/><attvalue for="0" value="3" start="2020.5" end="2022"/>'
        '</attvalues></node></nodes>', attrs("node", ("0", "v", "long"), mode="dynamic"),
        timeformat="double", mode="dynamic"))
    assert v.node_dynamic["a"] == {"v": [(2019.0, 2020.0, 1), (2020.0, 2021.0, 2)]}
    assert len(only(v, SEVERE)) == 1


def test_gexf_timestamp_representation_and_a_dynamic_weight():
    # Gephi's own test gexf/dynamicedgeweight.gexf: <attvalue for="weight" value="1" timestamp="2004"/>
    v = import_gexf(gexf(
        '<nodes><node id="a" timestamps="[2004, 2005]"/><node id="b"><spells><spell timestamp="2004"/></spells></node>'
        '</nodes><edges><edge id="0" source="a" target="b" timestamp="2004"><attvalues>'
        '<attvalue for="weight" value="1" timestamp="2004"/><attvalue for="weight" value="2.5" timestamp="2005"/>'
        '</attvalues></edge></edges>', timeformat="double", timerepresentation="timestamp", mode="dynamic"))
    assert v.problems() == [] and v.timerepresentation == "timestamp"
    assert v.node_intervals == {"a": [2004.0, 2005.0], "b": [2004.0]}
    assert v.edge_intervals == {"0": [2004.0]}
    assert v.edge_dynamic == {"0": {"weight": [(2004.0, 1.0), (2005.0, 2.5)]}}


def test_gexf_viz_sets_visual_properties():
    v = import_gexf('<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz"><graph>'
                    '<nodes><node id="a"><viz:color r="255" g="0" b="10"/><viz:position x="1" y="2" z="0"/>'
                    '<viz:size value="3.5"/></node></nodes></graph></gexf>')
    assert v.nodes["a"] == {"label": "a", "r": 255, "g": 0, "b": 10, "x": 1.0, "y": 2.0, "z": 0.0, "size": 3.5}


def test_gexf_ids_may_be_iris():
    v = import_gexf(gexf('<nodes><node id="https://w3id.org/eurokg/id/china" label="China"/></nodes>'))
    assert v.nodes == {"https://w3id.org/eurokg/id/china": {"label": "China"}} and v.problems() == []
