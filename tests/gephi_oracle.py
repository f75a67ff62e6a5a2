"""A clean-room test oracle: what Gephi 0.10.x shows after opening a GraphML or GEXF file.

Written from /work/shared/reference/gephi-import-rules.md ("ref", cited by section), which
describes Gephi's importers (gephi/gephi @8821311e, graphstore @a87e9fb). No Gephi code is
copied here; the line numbers in the comments are the reference's citations, kept so that a
rule can be traced back to the pinned source.

    view = import_graphml(path_or_bytes)      # or import_gexf(...)
    view.nodes   {node id: {"label": ..., <column title>: value, ...}}
    view.edges   [{"id", "source", "target", "type", "directed", "weight", "label", <column title>: value}]
    view.columns [Column(cls, id, title, type, default, dynamic)]
    view.issues  [(level, message)]   level: SEVERE | WARNING | INFO, as Gephi's import report
    view.silent  [message]            what Gephi changes without reporting it (merged nodes,
                                      merged edges, columns lost to reserved ids ...), and,
                                      prefixed "unspecified:", the places where the reference
                                      says nothing and the oracle had to choose.

An export is Gephi-ready when ``view.problems()`` (SEVERE/WARNING issues plus every silent
entry) is empty and the view equals what the exporter meant to write.

Choices where the reference is silent (each one is marked "unspecified" where it applies):
* a key with ``for="all"`` (or no ``for``) is a column of both nodes and edges;
* ``<data>`` for an unknown key, an ``<attvalue>`` for an unknown attribute: ignored;
* when edges merge, the later edge's non-null values replace the earlier one's (label, columns);
  its spells and dynamic values are added to the kept edge;
* list values are ``[a, b]`` or ``a, b``; each element is parsed with the element type;
* GEXF follows the container rules of GraphML (duplicate node merged, duplicate edge id
  dropped, auto-created endpoints, weight 0 removed, parallel edges merged);
* date/datetime times are UTC ``datetime`` objects, double times are floats, and an unbounded
  end of an interval is ``None``.
"""

from __future__ import annotations

import math
import os
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

SEVERE, WARNING, INFO = "SEVERE", "WARNING", "INFO"

# ---------------------------------------------------------------- type tables (ref §1 "attr.type")

# IGML l.692-736: accepted case-insensitively, each also in a ``list...`` form.
_SCALAR_TYPES = {
    "boolean": "boolean", "bool": "boolean",
    "integer": "integer", "int": "integer",
    "long": "long", "float": "float", "double": "double", "string": "string",
    "bigdecimal": "bigdecimal", "biginteger": "biginteger",
    "byte": "byte", "char": "char", "short": "short",
}
_TYPES = {**_SCALAR_TYPES, **{"list" + k: "list" + v for k, v in _SCALAR_TYPES.items()}}

# graphstore TableImpl.checkValidId: reserved, compared case-insensitively (ref §1).
RESERVED_COLUMN_IDS = frozenset({"id", "label", "timeset", "weight"})

# PropertiesAssociations.java l.54-76 (ref §1 "Special names"): id or attr.name -> property.
_NODE_PROPERTIES = {
    "label": "label", "nodelabel": "label",
    "x": "x", "xpos": "x", "y": "y", "ypos": "y", "z": "z", "zpos": "z",
    "size": "size", "r": "r", "g": "g", "b": "b", "color": "color",
}
_EDGE_PROPERTIES = {
    "label": "label", "edgelabel": "label",
    "weight": "weight", "Edge Weight": "weight",
    "r": "r", "g": "g", "b": "b", "color": "color",
}
_PROPERTIES = {"node": _NODE_PROPERTIES, "edge": _EDGE_PROPERTIES}

# Keys of the view's element dicts that are not columns; a column titled like one of these
# (or sharing its title with another column) is shown as "title [column id]".
_NODE_FIELDS = frozenset({"label", "x", "y", "z", "size", "r", "g", "b", "color"})
_EDGE_FIELDS = frozenset({"id", "source", "target", "type", "directed", "weight", "label", "r", "g", "b", "color"})


class ParseFailure(ValueError):
    """A value Java/graphstore would not parse (ref §1 "Values / missing": SEVERE, value dropped)."""


# ------------------------------------------------------------------------------ the view


@dataclass
class Column:
    cls: str  # "node" | "edge"
    id: str  # the key id (GraphML) or attribute id (GEXF): graphstore's column id
    title: str  # attr.name / title: what Gephi's Data Laboratory shows
    type: str  # normalised: "string", "long", "double", "boolean", "liststring", ...
    default: Any = None
    dynamic: bool = False


@dataclass
class GephiView:
    format: str
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    issues: list[tuple[str, str]] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    parseable: bool = True
    directed: bool = True  # edgedefault / defaultedgetype
    # GEXF only
    mode: str | None = None
    timeformat: str | None = None
    timerepresentation: str | None = None
    node_intervals: dict[str, list] = field(default_factory=dict)  # id -> [(start, end)] or [t]
    edge_intervals: dict[str, list] = field(default_factory=dict)
    node_dynamic: dict[str, dict[str, list]] = field(default_factory=dict)  # id -> title -> [(start, end, value)]
    edge_dynamic: dict[str, dict[str, list]] = field(default_factory=dict)  # or [(t, value)]; "weight" included

    def report(self, level: str, message: str) -> None:
        self.issues.append((level, message))

    def levels(self, *levels: str) -> list[str]:
        return [m for lv, m in self.issues if lv in levels]

    def problems(self) -> list[str]:
        """Everything that makes the file not open as written: SEVERE/WARNING issues, silent changes."""
        return [f"{lv}: {m}" for lv, m in self.issues if lv in (SEVERE, WARNING)] + [
            f"SILENT: {m}" for m in self.silent]

    def node_columns(self) -> list[Column]:
        return [c for c in self.columns if c.cls == "node"]

    def edge_columns(self) -> list[Column]:
        return [c for c in self.columns if c.cls == "edge"]


# ------------------------------------------------------------------ Java value parsing (ref §1)

_JAVA_TRIM = "".join(chr(i) for i in range(0x21))  # String.trim(): every char <= U+0020
_JAVA_DECIMAL = re.compile(
    r"[+-]?(?:NaN|Infinity|INF"  # NaN/Infinity (Java); INF as well (ref §1 "Doubles accept NaN/Infinity/INF")
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?)"
)
_JAVA_INTEGER = re.compile(r"[+-]?\d+")  # Character.digit accepts any Unicode decimal digit; no spaces
_BIG_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT_RANGES = {"byte": 8, "short": 16, "integer": 32, "long": 64}


def java_double(text: str) -> float:
    """``Double.valueOf``: trims, accepts NaN/Infinity (and INF), rejects Python's nan/inf."""
    s = text.strip(_JAVA_TRIM)
    if not _JAVA_DECIMAL.fullmatch(s):
        raise ParseFailure(f"not a Java double: {text!r}")
    body = s.lstrip("+-")
    sign = -1.0 if s.startswith("-") else 1.0
    if body == "NaN":
        return math.nan
    if body in ("Infinity", "INF"):
        return sign * math.inf
    if body[-1] in "fFdD":  # the grammar leaves a suffix as the only possible last f/F/d/D
        body = body[:-1]
    value = float.fromhex(body) if body.lower().startswith("0x") else float(body)
    return sign * value


def float32(value: float) -> float:
    """The nearest float32, as Java's ``float`` keeps it (overflow -> infinity)."""
    if math.isnan(value) or math.isinf(value):
        return value
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def java_float(text: str) -> float:
    """``Float.parseFloat`` (rounded via double; differs from Java only on double-rounding ties)."""
    return float32(java_double(text))


def parse_weight(text: str) -> float:
    """Edge weight: ``Float.parseFloat(str.replace(',', '.'))`` (ref §1, IGML l.788-791)."""
    return java_float(text.replace(",", "."))


def java_boolean(text: str) -> bool:
    """``Boolean.valueOf`` (case-insensitive "true", anything else false) plus "1"/"0" (ref §1)."""
    if text == "1":
        return True
    if text == "0":
        return False
    return text.lower() == "true"


def parse_value(text: str, typ: str):
    """graphstore ``AttributeUtils.parse`` as the reference describes it (ref §1 "Values / missing").

    Returns None for "null" (any case, any type); raises ParseFailure where Java would throw.
    """
    if text.lower() == "null":  # l.374: if (str.equalsIgnoreCase("null")) return null;
        return None
    if typ.startswith("list"):
        inner = text.strip()
        if inner.startswith("[") and inner.endswith("]"):
            inner = inner[1:-1]
        return [parse_value(part.strip(), typ[4:]) for part in inner.split(",") if part.strip()]
    if typ == "string":
        return text
    if typ == "boolean":
        return java_boolean(text)
    if typ in _INT_RANGES:  # Long.valueOf / Integer.valueOf / Short / Byte: no trimming, no '_'
        if not _JAVA_INTEGER.fullmatch(text):
            raise ParseFailure(f"not a Java {typ}: {text!r}")
        value = int(text)
        bits = _INT_RANGES[typ]
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ParseFailure(f"out of range for a Java {typ}: {text!r}")
        return value
    if typ == "double":
        return java_double(text)
    if typ == "float":
        return java_float(text)
    if typ == "biginteger":
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ParseFailure(f"not a BigInteger: {text!r}")
        return int(text)
    if typ == "bigdecimal":
        if not _BIG_DECIMAL.fullmatch(text):
            raise ParseFailure(f"not a BigDecimal: {text!r}")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already refuses these
            raise ParseFailure(str(exc)) from exc
    if typ == "char":
        return text[0]
    raise ParseFailure(f"unknown type {typ!r}")  # pragma: no cover - types are checked on declaration


def normalise_type(declared: str) -> str | None:
    return _TYPES.get(declared.lower())


def _is_xml_whitespace(text: str) -> bool:
    return text.strip(" \t\r\n") == ""


# -------------------------------------------------------------- the import container (ref §1)


class _Container:
    """What Gephi's ImportContainerImpl and DefaultProcessor do with the drafts an importer reads."""

    def __init__(self, view: GephiView):
        self.view = view
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        self.edge_ids: set[str] = set()
        self.columns: dict[str, dict[str, Column]] = {"node": {}, "edge": {}}  # cls -> lower id -> column

    # -- columns

    def add_column(self, cls: str, cid: str, title: str, typ: str, default=None, dynamic=False) -> Column | None:
        low = cid.lower()
        if low in RESERVED_COLUMN_IDS:
            # ref §1: graphstore column ids are case-insensitive; id/label/timeset/weight are
            # reserved (TableImpl.checkValidId) and a colliding column is silently not added.
            self.view.silent.append(f"{cls} column id {cid!r} ({title!r}) is reserved: column not added, its values lost")
            return None
        if low in self.columns[cls]:
            self.view.silent.append(f"{cls} column id {cid!r} ({title!r}) collides (case-insensitively) with "
                                    f"{self.columns[cls][low].id!r}: column not added, its values lost")
            return None
        col = Column(cls, cid, title, typ, default, dynamic)
        self.columns[cls][low] = col
        self.view.columns.append(col)
        return col

    def column(self, cls: str, cid: str) -> Column | None:
        return self.columns[cls].get(cid.lower())

    # -- nodes

    @staticmethod
    def _draft(nid: str) -> dict:
        return {"id": nid, "label": None, "props": {}, "values": {}, "intervals": [], "dynamic": {}}

    def node(self, nid: str) -> dict:
        """A <node> element: a repeated id is silently merged into the first (ref §1 "Nodes", IGML l.245-255)."""
        if nid in self.nodes:
            self.view.silent.append(f"duplicate node id {nid!r}: merged into the first, later values overwrite")
            return self.nodes[nid]
        draft = self._draft(nid)
        self.nodes[nid] = draft
        return draft

    def endpoint(self, nid: str) -> dict:
        """An edge endpoint: an unknown one is created (INFO, ICI l.193-203)."""
        if nid not in self.nodes:
            self.view.report(INFO, f"Unknown node id {nid!r} in an edge: the node is created")
            self.nodes[nid] = self._draft(nid)
        return self.nodes[nid]

    # -- edges

    def new_edge(self, eid: str | None, source: str, target: str, directed: bool) -> dict:
        return {"id": eid, "source": source, "target": target, "type": None, "directed": directed,
                "weight": 1.0, "label": None, "props": {}, "values": {}, "intervals": [], "dynamic": {}}

    def add_edge(self, edge: dict) -> None:
        """A duplicate edge id: WARNING "Edge already exists", the edge is dropped (ICI l.261-266)."""
        eid = edge["id"]
        if eid is not None:
            if eid in self.edge_ids:
                self.view.report(WARNING, f"Edge already exists: id={eid!r} ({edge['source']} -> {edge['target']}); dropped")
                return
            self.edge_ids.add(eid)
        self.edges.append(edge)

    # -- closing: verify (ICI) then process (DefaultProcessor)

    def close(self) -> None:
        view = self.view
        kept = []
        for e in self.edges:  # ICI l.669-680
            if e["weight"] == 0:
                view.report(SEVERE, f"Edge weight is 0, the edge {e['id']!r} ({e['source']} -> {e['target']}) is ignored")
                continue
            if e["weight"] < 0:
                view.report(WARNING, f"Edge {e['id']!r} ({e['source']} -> {e['target']}) has a negative weight {e['weight']}")
            kept.append(e)
        # DefaultProcessor l.198-240: graph.getEdge(source, target, type); default strategy SUM.
        merged: dict[tuple, dict] = {}
        out = []
        for e in kept:
            ends = (e["source"], e["target"]) if e["directed"] else tuple(sorted((e["source"], e["target"])))
            key = (*ends, e["type"], e["directed"])
            first = merged.get(key)
            if first is None:
                merged[key] = e
                out.append(e)
                continue
            view.silent.append(
                f"parallel edge {e['id']!r} merged into {first['id']!r} ({e['source']} -> {e['target']}, "
                f"type {e['type']!r}): weights summed, attributes replaced")
            first["weight"] = first["weight"] + e["weight"]
            if e["label"] is not None:  # unspecified: the later edge's non-null values replace
                first["label"] = e["label"]
            first["props"].update(e["props"])
            first["values"].update({k: v for k, v in e["values"].items() if v is not None})
            first["intervals"].extend(e["intervals"])
            for col, items in e["dynamic"].items():
                first["dynamic"].setdefault(col, []).extend(items)
        self._publish(out)

    def _display_names(self, cls: str) -> dict[str, str]:
        cols = [c for c in self.view.columns if c.cls == cls]
        reserved = _NODE_FIELDS if cls == "node" else _EDGE_FIELDS
        titles = [c.title for c in cols]
        return {c.id: (c.title if titles.count(c.title) == 1 and c.title not in reserved else f"{c.title} [{c.id}]")
                for c in cols}

    def _values(self, draft: dict, cls: str, names: dict[str, str]) -> dict:
        out = {}
        for col in self.columns[cls].values():
            value = draft["values"].get(col.id, col.default)  # ref §1: <default> is honoured
            if value is not None:
                out[names[col.id]] = value
        return out

    def _publish(self, edges: list[dict]) -> None:
        view = self.view
        node_names, edge_names = self._display_names("node"), self._display_names("edge")
        for nid, d in self.nodes.items():
            label = d["label"] if d["label"] is not None else nid  # fillLabelWithId, ICI l.863-869
            view.nodes[nid] = {"label": label, **d["props"], **self._values(d, "node", node_names)}
            if d["intervals"]:
                view.node_intervals[nid] = d["intervals"]
            if d["dynamic"]:
                view.node_dynamic[nid] = {node_names.get(k, k): v for k, v in d["dynamic"].items()}
        for e in edges:
            item = {k: e[k] for k in ("id", "source", "target", "type", "directed", "weight", "label")}
            item.update(e["props"])
            item.update(self._values(e, "edge", edge_names))
            view.edges.append(item)
            if e["intervals"]:
                view.edge_intervals[e["id"]] = e["intervals"]
            if e["dynamic"]:
                view.edge_dynamic[e["id"]] = {edge_names.get(k, k): v for k, v in e["dynamic"].items()}


# -------------------------------------------------------------------------------- XML input


def _read(source) -> bytes | str:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, os.PathLike):
        return Path(source).read_bytes()
    if isinstance(source, str):
        return source if source.lstrip().startswith("<") else Path(source).read_bytes()
    raise TypeError(f"expected a path, bytes or XML text, not {type(source).__name__}")


def _parse(source, view: GephiView, root_name: str) -> ET.Element | None:
    """The XML, or None after a SEVERE report. ref §1 "Encoding": BOM, then the declared encoding
    (expat does both); XML-illegal characters make the file malformed, so nothing is imported."""
    try:
        root = ET.fromstring(_read(source))
    except ET.ParseError as exc:
        view.parseable = False
        view.report(SEVERE, f"The file is not well-formed XML and cannot be imported: {exc}")
        return None
    if _local(root.tag) != root_name:
        view.parseable = False
        view.report(SEVERE, f"Root element is <{_local(root.tag)}>, not <{root_name}>")
        return None
    return root


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: ET.Element, name: str):
    return [c for c in el if _local(c.tag) == name]


def _text(el: ET.Element) -> str:
    """The text Gephi keeps: chunks that are all whitespace are skipped (IGML l.304-308)."""
    text = "".join(el.itertext())
    return "" if _is_xml_whitespace(text) else text


# ----------------------------------------------------------------------------------- GraphML


@dataclass
class _Key:
    id: str
    cls: str  # node | edge | all | graph ...
    property: str | None = None  # a visual property instead of a column
    columns: dict[str, Column] = field(default_factory=dict)  # cls -> column


def import_graphml(source) -> GephiView:
    """What Gephi's GraphML importer (ref §1, IGML) makes of ``source`` (path, bytes or XML text)."""
    view = GephiView("graphml")
    root = _parse(source, view, "graphml")
    if root is None:
        return view
    box = _Container(view)
    keys: dict[str, _Key] = {}
    for el in _children(root, "key"):
        _graphml_key(el, keys, box)
    graphs = [g for g in root.iter() if _local(g.tag) == "graph"]  # nested graphs too
    if graphs:
        view.directed = graphs[0].get("edgedefault", "directed") != "undirected"
    for graph in graphs:
        directed = graph.get("edgedefault", "directed") != "undirected"
        for el in graph:
            tag = _local(el.tag)
            if tag == "node":
                _graphml_node(el, keys, box)
            elif tag == "edge":
                _graphml_edge(el, keys, box, directed)
    box.close()
    return view


def _graphml_key(el: ET.Element, keys: dict[str, _Key], box: _Container) -> None:
    view = box.view
    kid = el.get("id")
    if kid is None:
        view.report(SEVERE, "unspecified: <key> without an id is ignored")
        return
    cls = (el.get("for") or "all").lower()
    title = el.get("attr.name")
    # Property mapping first, by id then by attr.name; only for="node"/"edge" (ref §1, IGML l.617).
    if cls in _PROPERTIES:
        prop = _PROPERTIES[cls].get(kid) or (title is not None and _PROPERTIES[cls].get(title)) or None
        if prop:
            keys.setdefault(kid, _Key(kid, cls, property=prop))
            return
    declared = el.get("attr.type")
    if declared is None:  # IGML l.644-649: SEVERE, falls back to string
        view.report(SEVERE, f"Key {kid!r} ({title!r}) has no attr.type: read as string")
        declared = "string"
    if cls == "graph":  # IGML l.653-657
        view.report(WARNING, f"Key {kid!r} ({title!r}) is for the graph: graph attributes are not imported")
        return
    typ = normalise_type(declared)
    if typ is None:  # IGML l.692-736
        view.report(SEVERE, f"The type {declared!r} of key {kid!r} is not recognized. The attribute is ignored")
        return
    if kid in keys:  # IGML l.747-751: a repeated key id is skipped
        view.silent.append(f"repeated key id {kid!r} ({title!r}, {declared}): skipped, its <data> read with the first key")
        return
    if cls == "all" or cls not in ("node", "edge"):
        if cls != "all":
            view.silent.append(f"unspecified: key {kid!r} for={cls!r} ignored")
            return
        view.silent.append(f"unspecified: key {kid!r} for='all' read as a node and an edge column")
    key = _Key(kid, cls)
    default_el = _children(el, "default")
    for c in (("node", "edge") if cls == "all" else (cls,)):
        default = None
        if default_el and _text(default_el[0]):
            try:
                default = parse_value(_text(default_el[0]), typ)
            except ParseFailure as exc:
                view.report(SEVERE, f"Default value of key {kid!r} cannot be parsed: {exc}")
        # AbstractProcessor l.120-139: the column id is the key id, the title attr.name.
        col = box.add_column(c, kid, title if title is not None else kid, typ, default)
        if col is not None:
            key.columns[c] = col
    keys[kid] = key


def _set_data(draft: dict, cls: str, el: ET.Element, keys: dict[str, _Key], box: _Container) -> None:
    view = box.view
    kid = el.get("key")
    key = keys.get(kid)
    text = _text(el)
    if key is None:
        view.silent.append(f"unspecified: <data key={kid!r}> on {cls} {draft['id']!r} names no usable key: ignored")
        return
    if not text:  # empty or all-whitespace: no value (ref §1 "Values / missing")
        return
    if key.property is not None:
        if key.cls != cls:
            view.silent.append(f"unspecified: {key.cls} key {kid!r} used on {cls} {draft['id']!r}: ignored")
            return
        _set_property(draft, cls, key.property, text, view)
        return
    col = key.columns.get(cls)
    if col is None:
        if key.columns or key.cls not in (cls, "all"):
            view.silent.append(f"unspecified: key {kid!r} is not a {cls} column: value on {draft['id']!r} ignored")
        return  # a reserved/colliding column: already reported as silent loss
    _set_value(draft, col, text, view)


def _set_property(draft: dict, cls: str, prop: str, text: str, view: GephiView) -> None:
    where = f"{cls} {draft['id']!r}"
    try:
        if prop == "label":
            draft["label"] = text
        elif prop == "weight":
            draft["weight"] = parse_weight(text)
        elif prop == "color":
            draft["props"]["color"] = text
        else:  # x y z size r g b, as read: Gephi then rescales sizes and positions (DefaultScaler)
            draft["props"][prop] = java_float(text)
    except ParseFailure as exc:
        view.report(SEVERE, f"Cannot parse the {prop} of {where}: {exc}")


_UNPARSED = object()


def _column_value(view: GephiView, where: str, col: Column, text: str):
    """``parse_value`` as the import report sees it: SEVERE (value dropped) where Java throws,
    and a silent note where text quietly becomes null or false."""
    try:
        value = parse_value(text, col.type)
    except ParseFailure as exc:
        view.report(SEVERE, f"Cannot parse {where} column {col.title!r} ({col.type}): {exc}; value dropped")
        return _UNPARSED
    if value is None:
        view.silent.append(f"{where} column {col.title!r}: {text!r} read as null")
    elif col.type == "boolean" and text.lower() not in ("true", "false", "1", "0"):
        view.silent.append(f"{where} column {col.title!r}: {text!r} read as false")
    return value


def _set_value(draft: dict, col: Column, text: str, view: GephiView) -> None:
    value = _column_value(view, f"{col.cls} {draft['id']!r}", col, text)
    if value is not _UNPARSED:
        draft["values"][col.id] = value


def _desc(draft: dict, el: ET.Element) -> None:
    if _text(el):  # IGML l.388-411: <desc> sets the label
        draft["label"] = _text(el)


def _graphml_node(el: ET.Element, keys: dict[str, _Key], box: _Container) -> None:
    nid = el.get("id")
    if nid is None:
        box.view.report(SEVERE, "unspecified: <node> without an id is ignored")
        return
    draft = box.node(nid)
    for child in el:
        tag = _local(child.tag)
        if tag == "data":
            _set_data(draft, "node", child, keys, box)
        elif tag == "desc":
            _desc(draft, child)


def _graphml_edge(el: ET.Element, keys: dict[str, _Key], box: _Container, directed: bool) -> None:
    view = box.view
    source, target = el.get("source"), el.get("target")
    if source is None or target is None:
        view.report(SEVERE, f"unspecified: edge {el.get('id')!r} without source or target is ignored")
        return
    box.endpoint(source)
    box.endpoint(target)
    flag = el.get("directed")  # IGML l.209-225, 455-468
    if flag is not None:
        directed = flag.lower() == "true"
    edge = box.new_edge(el.get("id"), source, target, directed)
    edge["type"] = el.get("label")  # IGML l.90, 432-451: the XML attribute label is the edge TYPE
    for child in el:
        tag = _local(child.tag)
        if tag == "data":
            _set_data(edge, "edge", child, keys, box)
        elif tag == "desc":
            _desc(edge, child)
    box.add_edge(edge)


# -------------------------------------------------------------------------------------- GEXF

_TIMEFORMATS = {"double": "double", "float": "double", "date": "date", "datetime": "datetime", "timestamp": "double"}


def import_gexf(source) -> GephiView:
    """What Gephi's GEXF importer (ref §2, ImporterGEXF.java) makes of ``source``."""
    view = GephiView("gexf")
    root = _parse(source, view, "gexf")
    if root is None:
        return view
    graphs = _children(root, "graph")
    if not graphs:
        view.report(SEVERE, "unspecified: no <graph> element")
        return view
    graph = graphs[0]
    box = _Container(view)
    view.mode = graph.get("mode", "static")
    default_type = graph.get("defaultedgetype", "directed")
    if default_type not in ("directed", "undirected"):
        view.silent.append(f"unspecified: defaultedgetype {default_type!r} read as directed")
    view.directed = default_type != "undirected"
    declared = graph.get("timeformat")
    view.timeformat = _TIMEFORMATS.get(declared or "double")  # l.314-326
    if view.timeformat is None:  # ref §2: networkx's "long" is ignored, Gephi falls back to double
        view.silent.append(f"timeformat {declared!r} is not recognised: read as double")
        view.timeformat = "double"
    view.timerepresentation = graph.get("timerepresentation", "interval")
    if view.timerepresentation not in ("interval", "timestamp"):
        view.silent.append(f"unspecified: timerepresentation {view.timerepresentation!r} read as interval")
        view.timerepresentation = "interval"
    gexf = _Gexf(view, box)
    for block in _children(graph, "attributes"):
        gexf.attributes(block)
    for nodes in _children(graph, "nodes"):
        for el in _children(nodes, "node"):
            gexf.node(el)
    for edges in _children(graph, "edges"):
        for el in _children(edges, "edge"):
            gexf.edge(el)
    box.close()
    return view


class _Gexf:
    def __init__(self, view: GephiView, box: _Container):
        self.view, self.box = view, box

    def attributes(self, block: ET.Element) -> None:
        cls = block.get("class")
        if cls not in ("node", "edge"):
            self.view.silent.append(f"unspecified: <attributes class={cls!r}> ignored")
            return
        dynamic = block.get("mode", "static") == "dynamic"
        for el in _children(block, "attribute"):
            aid, title, declared = el.get("id"), el.get("title"), el.get("type")
            if aid is None:
                self.view.report(SEVERE, "unspecified: <attribute> without an id is ignored")
                continue
            if declared is None:  # as GraphML (ref §2 "The attribute types are as in GraphML")
                self.view.report(SEVERE, f"Attribute {aid!r} ({title!r}) has no type: read as string")
                declared = "string"
            if declared.lower() == "anyuri":  # ref §2, l.1076-1125
                self.view.report(SEVERE, f"Attribute {aid!r} ({title!r}) has type anyURI, which is not supported: ignored")
                continue
            typ = normalise_type(declared)
            if typ is None:
                self.view.report(SEVERE, f"The type {declared!r} of attribute {aid!r} is not recognized. The attribute is ignored")
                continue
            default = None
            for d in _children(el, "default"):
                if _text(d):
                    try:
                        default = parse_value(_text(d), typ)
                    except ParseFailure as exc:
                        self.view.report(SEVERE, f"Default value of attribute {aid!r} cannot be parsed: {exc}")
            self.box.add_column(cls, aid, title if title is not None else aid, typ, default, dynamic)

    # -- times (ref §2: start/end/startopen/endopen/timestamp(s)/intervals, <spells>, l.521-596)

    def time(self, text: str, where: str):
        fmt = self.view.timeformat
        try:
            if fmt == "double":
                return java_double(text)
            value = datetime.fromisoformat(text.strip())  # a date alone is midnight
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        except (ParseFailure, ValueError):
            self.view.report(SEVERE, f"Cannot parse the time {text!r} of {where} as {fmt}")
            return _BAD

    def bounds(self, el: ET.Element, where: str):
        """The interval or timestamps an element or attvalue carries: [(start, end)] or [t], or []."""
        view, out = self.view, []
        start = el.get("start", el.get("startopen"))
        end = el.get("end", el.get("endopen"))
        if el.get("startopen") is not None or el.get("endopen") is not None:
            view.silent.append(f"unspecified: open bound on {where} read as closed")
        stamps = [el.get("timestamp")] if el.get("timestamp") is not None else []
        if el.get("timestamps") is not None:
            stamps += [s for s in re.split(r"[,;\s]+", el.get("timestamps").strip("<>[]() ")) if s]
        intervals = []
        if start is not None or end is not None:
            intervals.append((start, end))
        if el.get("intervals") is not None:
            for part in re.findall(r"[\[(]([^\])]*)[\])]", el.get("intervals")):
                lo, _, hi = part.partition(",")
                intervals.append((lo.strip() or None, hi.strip() or None))
        if view.timerepresentation == "timestamp":
            if intervals:
                view.silent.append(f"unspecified: start/end on {where} in timestamp representation: ignored")
            for s in stamps:
                t = self.time(s, where)
                if t is not _BAD:
                    out.append(t)
            return out
        if stamps:
            view.silent.append(f"unspecified: timestamp on {where} in interval representation: ignored")
        for lo, hi in intervals:
            a = self.time(lo, where) if lo is not None else None
            b = self.time(hi, where) if hi is not None else None
            if a is _BAD or b is _BAD:
                continue
            if a is not None and b is not None and a > b:
                view.report(SEVERE, f"Interval [{lo}, {hi}] of {where} starts after it ends: ignored")
                continue
            out.append((a, b))
        return out

    def add_times(self, draft: dict, times: list, where: str) -> None:
        for t in times:
            if self.view.timerepresentation == "timestamp":
                if t not in draft["intervals"]:
                    draft["intervals"].append(t)
                continue
            clash = next((iv for iv in draft["intervals"] if _overlap(iv, t)), None)
            if clash is not None:  # ref §2: graphstore rejects overlapping intervals; touching pass
                self.view.report(SEVERE, f"Interval {_show(t)} of {where} overlaps {_show(clash)}: rejected")
                continue
            draft["intervals"].append(t)

    def element_times(self, draft: dict, el: ET.Element, where: str) -> None:
        self.add_times(draft, self.bounds(el, where), where)
        for spells in _children(el, "spells"):
            for spell in _children(spells, "spell"):
                self.add_times(draft, self.bounds(spell, where), where)

    # -- attribute values

    def attvalues(self, draft: dict, cls: str, el: ET.Element) -> None:
        where = f"{cls} {draft['id']!r}"
        for block in _children(el, "attvalues"):
            for av in _children(block, "attvalue"):
                aid = av.get("for", av.get("id"))
                text = av.get("value")
                if aid is None or text is None:
                    self.view.silent.append(f"unspecified: <attvalue> without for/value on {where}: ignored")
                    continue
                col = self.box.column(cls, aid)
                weight = cls == "edge" and col is None and aid == "weight"
                if col is None and not weight:
                    self.view.silent.append(f"unspecified: <attvalue for={aid!r}> on {where} names no column: ignored")
                    continue
                if _is_xml_whitespace(text):
                    continue
                if weight:  # ref §2: <attvalue for="weight"> sets the (dynamic) weight, float32
                    try:
                        value = parse_weight(text)
                    except ParseFailure as exc:
                        self.view.report(SEVERE, f"Cannot parse the weight of {where}: {exc}; value dropped")
                        continue
                else:
                    value = _column_value(self.view, where, col, text)
                    if value is _UNPARSED or value is None:
                        continue
                times = self.bounds(av, f"{where} attribute {aid!r}")
                timed = any(av.get(a) is not None for a in
                            ("start", "end", "startopen", "endopen", "timestamp", "timestamps", "intervals"))
                dynamic = weight or col.dynamic
                name = "weight" if weight else col.id
                if not timed or not dynamic:
                    if timed:
                        self.view.silent.append(f"unspecified: time on static attribute {aid!r} of {where}: ignored")
                    elif col is not None and col.dynamic:
                        self.view.silent.append(f"unspecified: no time on dynamic attribute {aid!r} of {where}: "
                                                f"read as a static value")
                    if weight:
                        draft["weight"] = value
                    else:
                        draft["values"][col.id] = value
                    continue
                self.dynamic_value(draft, name, value, times, f"{where} attribute {aid!r}")

    def dynamic_value(self, draft: dict, name: str, value, times: list, where: str) -> None:
        items = draft["dynamic"].setdefault(name, [])
        for t in times:
            if self.view.timerepresentation == "timestamp":
                old = next((i for i in items if i[0] == t), None)
                if old is not None:
                    self.view.silent.append(f"{where}: two values at {t}: the later replaces")
                    items.remove(old)
                items.append((t, value))
                continue
            clash = next((i for i in items if _overlap(i[:2], t)), None)
            if clash is not None:  # IntervalMap.putInner (ref §2)
                self.view.report(SEVERE, f"Value interval {_show(t)} of {where} overlaps {_show(clash[:2])}: rejected")
                continue
            items.append((*t, value))

    # -- viz (ref §1: visual properties; GEXF keeps them in the viz namespace)

    def viz(self, draft: dict, el: ET.Element) -> None:
        where = f"{draft['id']!r}"
        for child in el:
            tag = _local(child.tag)
            try:
                if tag == "color":
                    for c in ("r", "g", "b"):
                        if child.get(c) is not None:
                            draft["props"][c] = parse_value(child.get(c), "integer")
                elif tag == "position":
                    for c in ("x", "y", "z"):
                        if child.get(c) is not None:
                            draft["props"][c] = java_float(child.get(c))
                elif tag == "size" and child.get("value") is not None:
                    draft["props"]["size"] = java_float(child.get("value"))
            except ParseFailure as exc:
                self.view.report(SEVERE, f"Cannot parse viz:{tag} of {where}: {exc}")

    # -- elements

    def node(self, el: ET.Element) -> None:
        nid = el.get("id")
        if nid is None:
            self.view.report(SEVERE, "unspecified: <node> without an id is ignored")
            return
        draft = self.box.node(nid)
        if el.get("label") is not None:
            draft["label"] = el.get("label")
        self.element_times(draft, el, f"node {nid!r}")
        self.attvalues(draft, "node", el)
        self.viz(draft, el)
        for sub in _children(el, "nodes"):  # a hierarchy: the children are nodes as well
            self.view.silent.append(f"unspecified: nested nodes in {nid!r} read as plain nodes")
            for child in _children(sub, "node"):
                self.node(child)

    def edge(self, el: ET.Element) -> None:
        view = self.view
        source, target = el.get("source"), el.get("target")
        if source is None or target is None:
            view.report(SEVERE, f"unspecified: edge {el.get('id')!r} without source or target is ignored")
            return
        self.box.endpoint(source)
        self.box.endpoint(target)
        direction = el.get("type")
        directed = view.directed
        if direction is not None:  # ref §2: type is the direction
            if direction in ("directed", "undirected"):
                directed = direction == "directed"
            else:
                view.report(SEVERE, f"Edge {el.get('id')!r} type {direction!r} is not directed|undirected")
        edge = self.box.new_edge(el.get("id"), source, target, directed)
        edge["type"] = el.get("kind")  # l.913-915: kind is the edge type
        edge["label"] = el.get("label")
        where = f"edge {el.get('id')!r}"
        if el.get("weight") is not None:
            try:
                edge["weight"] = parse_weight(el.get("weight"))
            except ParseFailure as exc:
                view.report(SEVERE, f"Cannot parse the weight of {where}: {exc}")
        self.element_times(edge, el, where)
        self.attvalues(edge, "edge", el)
        self.viz(edge, el)
        self.box.add_edge(edge)


_BAD = object()


def _overlap(a: tuple, b: tuple) -> bool:
    """Closed intervals that share more than an end point; None is unbounded."""
    lo_a, hi_a = a
    lo_b, hi_b = b
    a_before_b = hi_a is not None and lo_b is not None and hi_a <= lo_b
    b_before_a = hi_b is not None and lo_a is not None and hi_b <= lo_a
    if a == b:  # the same interval twice (a point included) is a clash
        return True
    return not (a_before_b or b_before_a)


def _show(iv: tuple) -> str:
    lo, hi = iv
    return f"[{'-inf' if lo is None else lo}, {'+inf' if hi is None else hi}]"
