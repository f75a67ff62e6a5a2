"""Node and edge tables in the shape of Gephi's spreadsheet (CSV) importer.

Nodes: ``Id``, ``Label``, then the view's columns. Edges: ``Source``,
``Target``, ``Type`` (Directed, or Undirected for views such as ``routes``),
``Kind`` (the edge type: the predicate, so parallel edges of different kinds are
not merged), ``Id``, ``Label``, ``Weight``, then the edge columns. Ids are
the same as in the GraphML and GEXF exports. Rows and columns are sorted,
so output is deterministic. Import the node table first, then the edge table.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

import networkx as nx

from .graphml import _text, edge_id, node_id

_NODE_FIXED = {"label"}
_EDGE_FIXED = {"label", "weight", "predicate"}


def _cell(value) -> str:
    return "" if value is None else _text(value)


def nodes_csv(g: nx.MultiDiGraph) -> bytes:
    cols = sorted({k for _, d in g.nodes(data=True) for k in d} - _NODE_FIXED)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Id", "Label", *cols])
    for n in sorted(g.nodes):
        d = g.nodes[n]
        w.writerow([node_id(n), _cell(d.get("label", n)), *(_cell(d.get(c)) for c in cols)])
    return buf.getvalue().encode("utf-8")


def edges_csv(g: nx.MultiDiGraph) -> bytes:
    cols = sorted({k for _, _, d in g.edges(data=True) for k in d} - _EDGE_FIXED)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Source", "Target", "Type", "Kind", "Id", "Label", "Weight", *cols])
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    direction = "Directed" if g.graph.get("directed", True) else "Undirected"
    for u, v, k, d in edges:
        w.writerow([node_id(u), node_id(v), direction, _cell(d.get("predicate")), edge_id(u, v, k),
                    _cell(d.get("label")), _cell(float(d.get("weight", 1.0))),
                    *(_cell(d.get(c)) for c in cols)])
    return buf.getvalue().encode("utf-8")


def write_nodes_csv(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    out.write(nodes_csv(g))


def write_edges_csv(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    out.write(edges_csv(g))
