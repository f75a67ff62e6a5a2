"""GraphML writer for Gephi (see shared/reference/gephi-import-rules.md).

Written here rather than with ``networkx.write_graphml`` because Gephi needs
what that writer cannot give: unique edge ids for a multigraph, the edge
*type* as the ``label`` XML attribute on ``<edge>`` (so parallel predicates
between one pair are not merged), one type per column, no None/NaN, and no
XML-illegal characters. Output is deterministic: keys, nodes and edges sorted.
"""

from __future__ import annotations

import math
import re
from typing import BinaryIO
from xml.etree import ElementTree as ET

import networkx as nx

from .projection import project

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids (lone surrogates cannot even be encoded as UTF-8)."""
_NMTOKEN = re.compile(r"^[\w.\-:]+$")
_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def clean_text(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


_CR = "\x00cr\x00"  # stands for a carriage return until serialised (NUL never survives clean_text)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"  # Java's spelling, which Gephi parses; Python's 'nan' it rejects
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return clean_text(str(value))


def _element_text(value) -> str:
    """``_text`` for element content, with carriage returns protected (see graphml_bytes)."""
    return _text(value).replace("\r", _CR)


def column_types(records, domain: str, skip: frozenset | set = frozenset()) -> dict[str, str]:
    """One Gephi type per column over ``records`` (attribute dicts): ints and floats
    together widen to double; any other mix is an error rather than a silent loss."""
    types: dict[str, set] = {}
    for data in records:
        for name, value in data.items():
            if name in skip or value is None:
                continue
            types.setdefault(name, set()).add(type(value))
    out = {}
    for name, kinds in types.items():
        if len(kinds) == 1:
            out[name] = _TYPES[next(iter(kinds))]
        elif kinds <= {int, float}:
            out[name] = "double"
        else:
            raise ValueError(f"{domain} column {name!r} mixes types {sorted(k.__name__ for k in kinds)}")
    return dict(sorted(out.items()))


def node_id(name: str, used: set[str] | None = None) -> str:
    """A safe NMTOKEN id: the CURIE where it is one, else a hash of it. The same in
    every graph format, and stable when other nodes come and go."""
    if _NMTOKEN.match(name) and (used is None or name not in used):
        return name
    import hashlib

    return "n" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def edge_id(source: str, target: str, key) -> str:
    """A stable edge id from its ends and key: adding a fact elsewhere renumbers nothing,
    so Gephi's 'append to workspace' and diffs between builds line up."""
    import hashlib

    return "e" + hashlib.sha1(f"{source}\x1f{target}\x1f{key}".encode("utf-8")).hexdigest()[:16]


def graphml_bytes(g: nx.MultiDiGraph) -> bytes:
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS})
    node_keys = column_types((d for _, d in g.nodes(data=True)), "node")
    edge_items = [((u, v), d) for u, v, d in g.edges(data=True)]
    edge_keys = column_types((d for _, d in edge_items), "edge")
    key_ids: dict[tuple[str, str], str] = {}
    for domain, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, typ in keys.items():
            kid = f"{domain[0]}_{name}"
            key_ids[(domain, name)] = kid
            ET.SubElement(root, "key", {"id": kid, "for": domain, "attr.name": name, "attr.type": typ})
    directed = g.graph.get("directed", True)
    graph = ET.SubElement(root, "graph", {"id": "eurokg", "edgedefault": "directed" if directed else "undirected"})
    ids: dict[str, str] = {}
    used: set[str] = set()
    for n in sorted(g.nodes):
        nid = node_id(n, used)
        used.add(nid)
        ids[n] = nid
        el = ET.SubElement(graph, "node", {"id": nid})
        for name, value in sorted(g.nodes[n].items()):
            if value is None:
                continue
            d = ET.SubElement(el, "data", {"key": key_ids[("node", name)]})
            d.text = _element_text(value)
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    for u, v, key, data in edges:
        attrs = {"id": edge_id(u, v, key), "source": ids[u], "target": ids[v]}
        if data.get("predicate"):
            attrs["label"] = clean_text(str(data["predicate"]))  # Gephi: the edge type
        el = ET.SubElement(graph, "edge", attrs)
        for name, value in sorted(data.items()):
            if value is None:
                continue
            d = ET.SubElement(el, "data", {"key": key_ids[("edge", name)]})
            d.text = _element_text(value)
    ET.indent(root, space="  ")
    # element text keeps a carriage return only as a character reference: XML parsers
    # turn a raw \r\n into \n
    body = ET.tostring(root, encoding="unicode").replace(_CR, "&#13;")
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + body + "\n").encode("utf-8")


def write_graphml(dataset, ontology, out: BinaryIO) -> None:
    """The ``full`` view of ``dataset`` as GraphML (no metrics): kept for library callers."""
    out.write(graphml_bytes(project(dataset, ontology)))


def write_graphml_view(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    """A projected view (see :mod:`eurokg.views`) as GraphML."""
    out.write(graphml_bytes(g))
