"""GEXF 1.3 writer for Gephi, with a timeline.

Written here rather than with ``networkx.write_gexf``, which pops ``type``
from edges, writes years as ``long`` (invalid in GEXF and ignored by Gephi),
cannot write an edge ``kind`` and leaves ``<graph name="">`` XSD-invalid
(see shared/reference/gephi-import-rules.md, section 2).

* ``timeformat="date"``, ``mode="dynamic"``: nodes and edges with ``start``/
  ``end`` attributes get them as their interval, so Gephi's timeline plays
  offices, summits, signings and trade periods; others are always present.
* Exact amounts (``value``, ``changePercent``) are dynamic attributes whose
  values carry the edge's interval.
* ``kind`` is the edge type (the predicate), so parallel edges of different
  predicates are not merged; ``weight`` > 0 is an XML attribute.
* Output is deterministic: nodes, edges and attribute definitions sorted.
"""

from __future__ import annotations

from typing import BinaryIO
from xml.etree import ElementTree as ET

import networkx as nx

from ..timespan import day_after
from .graphml import _text, clean_text, column_types, edge_id, node_id, warn_values_gephi_loses

GEXF_NS = "http://gexf.net/1.3"
_SPECIAL_NODE = {"label", "start", "end"}
_SPECIAL_EDGE = {"label", "start", "end", "weight", "predicate"}
_DYNAMIC_EDGE = {"value", "changePercent"}


def _spell(attrs: dict, data: dict) -> None:
    """Views give inclusive last days; Gephi reads ``end`` as an instant, so the interval
    ends at the start of the next day (a one-day summit lasts the whole day)."""
    if data.get("start"):
        attrs["start"] = data["start"]
    if data.get("end"):
        attrs["end"] = day_after(data["end"])


def gexf_bytes(g: nx.MultiDiGraph) -> bytes:
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "version": "1.3"})
    dated = any("start" in d or "end" in d for _, d in g.nodes(data=True)) or any(
        "start" in d or "end" in d for _, _, d in g.edges(data=True))
    graph_attrs = {"defaultedgetype": "directed" if g.graph.get("directed", True) else "undirected"}
    if dated:
        graph_attrs.update({"mode": "dynamic", "timeformat": "date"})
    else:
        graph_attrs["mode"] = "static"
    graph = ET.SubElement(root, "graph", graph_attrs)

    warn_values_gephi_loses(g, "GEXF", _SPECIAL_NODE, _SPECIAL_EDGE - {"predicate"})
    node_cols = column_types((d for _, d in g.nodes(data=True)), "node", _SPECIAL_NODE)
    edge_data = [d for _, _, d in g.edges(data=True)]
    edge_cols_all = column_types(edge_data, "edge", _SPECIAL_EDGE - {"predicate"})
    # an amount is a dynamic column only if every edge that has it is dated: a timeless
    # value in a dynamic column has no defined meaning in Gephi
    dynamic = {
        k: t for k, t in edge_cols_all.items()
        if dated and k in _DYNAMIC_EDGE
        and all(("start" in d or "end" in d) for d in edge_data if d.get(k) is not None)
    }
    static_edge = {k: t for k, t in edge_cols_all.items() if k not in dynamic}

    ids: dict[tuple[str, str], str] = {}
    for cls, mode, cols in (("node", "static", node_cols), ("edge", "static", static_edge), ("edge", "dynamic", dynamic)):
        if not cols:
            continue
        block = ET.SubElement(graph, "attributes", {"class": cls, "mode": mode})
        for name, typ in cols.items():
            aid = f"{cls[0]}_{name}"
            ids[(cls, name)] = aid
            ET.SubElement(block, "attribute", {"id": aid, "title": name, "type": typ})

    nodes_el = ET.SubElement(graph, "nodes")
    for n in sorted(g.nodes):
        d = g.nodes[n]
        attrs = {"id": node_id(n), "label": clean_text(str(d.get("label", n)))}
        _spell(attrs, d)
        el = ET.SubElement(nodes_el, "node", attrs)
        values = [(k, v) for k, v in sorted(d.items()) if k in node_cols and v is not None]
        if values:
            av = ET.SubElement(el, "attvalues")
            for k, v in values:
                ET.SubElement(av, "attvalue", {"for": ids[("node", k)], "value": _text(v)})

    edges_el = ET.SubElement(graph, "edges")
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    for u, v, key, d in edges:
        weight = float(d.get("weight", 1.0))
        if not weight > 0:
            raise ValueError(f"edge {u} -> {v} has weight {weight}: Gephi drops edges whose weight is 0")
        attrs = {"id": edge_id(u, v, key), "source": node_id(u), "target": node_id(v), "weight": _text(weight)}
        if d.get("predicate"):
            attrs["kind"] = clean_text(str(d["predicate"]))
        if d.get("label"):
            attrs["label"] = clean_text(str(d["label"]))
        _spell(attrs, d)
        el = ET.SubElement(edges_el, "edge", attrs)
        values = [(k, val) for k, val in sorted(d.items()) if (k in static_edge or k in dynamic) and val is not None]
        if values:
            av = ET.SubElement(el, "attvalues")
            for k, val in values:
                cls_mode = ("edge", k)
                va = {"for": ids[cls_mode], "value": _text(val)}
                if k in dynamic:
                    _spell(va, d)
                ET.SubElement(av, "attvalue", va)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def write_gexf(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    out.write(gexf_bytes(g))
