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
from xml.sax.saxutils import escape

import networkx as nx

from ..xmltext import clean_text
from .projection import project

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_NMTOKEN = re.compile(r"[\w.\-:]+")  # whole names only (fullmatch: "$" would let a final newline in)
_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


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


_IN_ATTRIBUTE = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
_IN_TEXT = {"\r": "&#13;"}  # XML parsers turn a raw \r\n in content into \n


# text that needs no escaping and holds nothing XML forbids: written as it is (most of a
# view's values; escaping and cleaning each took a third of the GraphML writer's time)
_PLAIN_CONTENT = re.compile("[^&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*")
_PLAIN_ATTRIBUTE = re.compile('[^&<>"\r\n\t]*')


def _attributes(attrs: dict[str, str]) -> str:
    return "".join(f' {name}="{value if _PLAIN_ATTRIBUTE.fullmatch(value) else escape(value, _IN_ATTRIBUTE)}"'
                   for name, value in attrs.items())


def _element(tag: str, attrs: dict[str, str], data: list[tuple[str, str]], indent: str) -> str:
    """One ``<node>`` or ``<edge>`` with its ``<data>`` children, indented as
    ``ElementTree.indent`` would (an empty element closes itself, ``<x />``)."""
    return f"{indent}<{tag}{_attributes(attrs)}{_body(tag, data, indent)}"


def _body(tag: str, data: list[tuple[str, str]], indent: str) -> str:
    """What follows an element's attributes: its ``<data>`` children and its end tag."""
    if not data:
        return " />\n"
    inner = indent + "  "
    lines = [">\n"]
    for key, text in data:
        lines.append(f'{inner}<data key="{key}">{text}</data>\n' if text else f'{inner}<data key="{key}" />\n')
    lines.append(f"{indent}</{tag}>\n")
    return "".join(lines)


def warn_values_gephi_loses(g: nx.MultiDiGraph, fmt: str, node_skip: frozenset | set = frozenset(),
                            edge_skip: frozenset | set = frozenset()) -> int:
    """Warn (:class:`eurokg.errors.GephiValueLost`, once per export, naming the first few
    places) about text values Gephi reads as missing: its importer turns the text "null",
    in any case, into no value (graphstore ``AttributeUtils.parse``; ref §1), and no
    escaping in GraphML or GEXF avoids it. ``node_skip``/``edge_skip``: keys the format writes
    as XML attributes rather than columns (GEXF's label, dates). Returns the number found."""
    import warnings

    from ..errors import GephiValueLost

    def null(value) -> bool:
        return isinstance(value, str) and len(value) == 4 and value.lower() == "null"

    lost = [f"node {n} column {k!r}" for n, d in g.nodes(data=True) for k, v in d.items()
            if k not in node_skip and null(v)]
    lost += [f"edge {u} -> {v} column {k!r}" for u, v, d in g.edges(data=True) for k, x in d.items()
             if k not in edge_skip and null(x)]
    if lost:
        lost.sort()
        more = f" and {len(lost) - 3} more" if len(lost) > 3 else ""
        warnings.warn(GephiValueLost(
            f"{fmt}: {len(lost)} text value(s) \"null\" that Gephi will show as missing: "
            f"{'; '.join(lost[:3])}{more}"), stacklevel=2)
    return len(lost)


def _data(values: dict, domain: str, key_ids: dict) -> list[tuple[str, str]]:
    return [(key_ids[(domain, name)], _content(value)) for name, value in sorted(values.items()) if value is not None]


def _content(value) -> str:
    """``value`` as the text of a ``<data>`` element."""
    if type(value) is str and _PLAIN_CONTENT.fullmatch(value):
        return value
    return escape(_text(value), _IN_TEXT)


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
    if _NMTOKEN.fullmatch(name) and (used is None or name not in used):
        return name
    import hashlib

    return "n" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def edge_id(source: str, target: str, key) -> str:
    """A stable edge id from its ends and key: adding a fact elsewhere renumbers nothing,
    so Gephi's 'append to workspace' and diffs between builds line up."""
    import hashlib

    return "e" + hashlib.sha1(f"{source}\x1f{target}\x1f{key}".encode("utf-8")).hexdigest()[:16]


def graphml_bytes(g: nx.MultiDiGraph) -> bytes:
    """``g`` as GraphML text (see :func:`graphml_chunks`)."""
    return b"".join(graphml_chunks(g))


def graphml_chunks(g: nx.MultiDiGraph, lines: int = 20_000):
    """``g`` as GraphML, in pieces of about ``lines`` elements, encoded: written line by line
    (no element tree: at 100k nodes the tree, its indentation and ElementTree's serialiser
    took most of the time), and handed out in pieces so a writer need not hold the whole
    text (200 MB at a million triples, held three times over as the list of lines, the
    joined text and its encoding; ``docs/scale.md`` §2f)."""
    warn_values_gephi_loses(g, "GraphML")
    node_keys = column_types((d for _, d in g.nodes(data=True)), "node")
    edge_keys = column_types((d for _, _, d in g.edges(data=True)), "edge")
    out = ["<?xml version='1.0' encoding='utf-8'?>\n", f"<graphml{_attributes({'xmlns': GRAPHML_NS})}>\n"]
    key_ids: dict[tuple[str, str], str] = {}
    for domain, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, typ in keys.items():
            kid = f"{domain[0]}_{name}"
            key_ids[(domain, name)] = kid
            out.append(_element("key", {"id": kid, "for": domain, "attr.name": name, "attr.type": typ}, [], "  "))
    directed = g.graph.get("directed", True)
    graph = f"  <graph{_attributes({'id': 'eurokg', 'edgedefault': 'directed' if directed else 'undirected'})}"
    if not g.number_of_nodes():
        out.append(graph + " />\n</graphml>\n")
        yield "".join(out).encode("utf-8")
        return
    out.append(graph + ">\n")
    ids: dict[str, str] = {}
    used: set[str] = set()
    for n in sorted(g.nodes):
        nid = node_id(n, used)
        used.add(nid)
        ids[n] = nid
        out.append(_element("node", {"id": nid}, _data(g.nodes[n], "node", key_ids), "    "))
        if len(out) >= lines:
            yield "".join(out).encode("utf-8")
            out = []
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    # edges of one predicate mostly carry the same values (its CURIE, label and weight): each
    # such set is written once and reused, told apart by the values' types too (1 == 1.0 == True);
    # a set with a zero is written each time (0.0 == -0.0, written differently)
    bodies: dict[tuple, str] = {}
    labels: dict[str, str] = {}  # a predicate -> its label attribute, written once
    for u, v, key, data in edges:
        # the id is hex and the ends are node ids (NMTOKENs): nothing in them to escape
        head = f'    <edge id="{edge_id(u, v, key)}" source="{ids[u]}" target="{ids[v]}"'
        predicate = data.get("predicate")
        if predicate:
            label = labels.get(predicate)
            if label is None:
                label = labels[predicate] = _attributes({"label": clean_text(str(predicate))})  # Gephi: the edge type
            head += label
        values = tuple(data.values())
        same = None if 0 in values else (tuple(data), values, tuple(map(type, values)))  # (scalars only: column_types)
        body = bodies.get(same) if same is not None else None
        if body is None:
            body = _body("edge", _data(data, "edge", key_ids), "    ")
            if same is not None and len(bodies) < 10_000:  # (kept small where values vary)
                bodies[same] = body
        out.append(head + body)
        if len(out) >= lines:
            yield "".join(out).encode("utf-8")
            out = []
    out.append("  </graph>\n</graphml>\n")
    yield "".join(out).encode("utf-8")


def write_graphml(dataset, ontology, out: BinaryIO) -> None:
    """The ``full`` view of ``dataset`` as GraphML (no metrics): kept for library callers."""
    out.write(graphml_bytes(project(dataset, ontology)))


def write_graphml_view(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    """A projected view (see :mod:`eurokg.views`) as GraphML, written piece by piece."""
    for chunk in graphml_chunks(g):
        out.write(chunk)
