"""eurokg's own Gephi exports, opened with the Gephi oracle (tests/gephi_oracle.py).

For each export of the built project the oracle must report no SEVERE or WARNING issue and no
silent change (merge, lost column, null read from text ...), and show exactly the networkx
graph the exporter was given: every node with its label and typed columns, every edge with its
type, direction, label, float32 weight and columns, and (GEXF) every spell and dynamic value.
Nothing merged, nothing dropped.

Covered: GraphML of the ``full`` projection, and GraphML and GEXF of every named view in
``eurokg.views.VIEWS`` (with the metric columns the export adds). Another format is one more
``check_<format>(g, data)`` below and a line in ``GRAPH_WRITERS``.
"""

from __future__ import annotations

import importlib
import inspect
import io
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from eurokg.timespan import day_after
from rdflib import Dataset, Literal

from eurokg import Ontology
from eurokg import vocab as V  # via the module: pytest probes module-level names

from eurokg.exporters.graphml import graphml_bytes
from eurokg.exporters.projection import project
from gephi_oracle import SEVERE, WARNING, GephiView, float32, import_gexf, import_graphml

NMTOKEN = re.compile(r"[\w.\-:]+")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PY_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


# ------------------------------------------------------------------ what Gephi should show


def column_types(items) -> dict[str, str]:
    """The intended column type per attribute name: one Python type per name, int+float as double."""
    kinds: dict[str, set] = {}
    for data in items:
        for name, value in data.items():
            if value is not None:
                kinds.setdefault(name, set()).add(type(value))
    out = {}
    for name, ks in kinds.items():
        assert len(ks) == 1 or ks == {int, float}, f"column {name!r} mixes {ks}: the view is not exportable"
        out[name] = _PY_TYPES[next(iter(ks))] if len(ks) == 1 else "double"
    return out


def shown(value, typ: str):
    """The value Gephi keeps for ``value`` in a column of type ``typ``; None when it keeps none."""
    if value is None:
        return None
    if typ == "double":
        return float(value)
    if typ == "string":
        text = _XML_ILLEGAL.sub("", str(value))  # the writers strip what XML cannot hold (ref §0.1)
        return None if text.strip(" \t\r\n") == "" else text  # blank text is no value (ref §0.6)
    return value


def typed(d: dict) -> dict:
    """Values with their types, so 3 and 3.0 or "1" and 1 differ."""
    return {k: (type(v).__name__, v) for k, v in d.items()}


def expected_values(data: dict, types: dict[str, str], skip: set[str]) -> dict:
    out = {}
    for name, value in data.items():
        if name in skip:
            continue
        v = shown(value, types[name])
        if v is not None:
            out[name] = v
    return out


def when(text: str | None):
    """A GEXF date bound as the oracle holds it (timeformat="date")."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def assert_clean(view: GephiView) -> None:
    assert view.parseable
    assert view.problems() == [], "\n".join(view.problems()[:20])


def assert_columns(view: GephiView, cls: str, expected: dict[str, str]) -> None:
    cols = view.node_columns() if cls == "node" else view.edge_columns()
    assert sorted((c.title, c.type) for c in cols) == sorted(expected.items())
    assert len({c.title for c in cols}) == len(cols)  # one Data Laboratory column per name


def assert_same_edges(got: list[dict], want: list[dict]) -> None:
    key = lambda e: (e["source"], e["target"], str(e["type"]), repr(sorted(e.items(), key=str)))  # noqa: E731
    got, want = sorted(got, key=key), sorted(want, key=key)
    assert len(got) == len(want), f"{len(got)} edges in Gephi, {len(want)} in the view"
    for g_, w in zip(got, want):
        assert typed(g_) == typed(w), f"Gephi shows {g_}, the view has {w}"


# ------------------------------------------------------------------------------ GraphML


def check_graphml(g, data: bytes) -> GephiView:
    """Gephi's view of ``data`` is ``g``: ids are NMTOKENs mapped back through the ``iri`` column."""
    view = import_graphml(data)
    assert_clean(view)
    assert all(NMTOKEN.fullmatch(n) for n in view.nodes)  # ref §0.2
    by_iri = {d["iri"]: n for n, d in g.nodes(data=True) if "iri" in d}
    ids = {}  # view id -> g node
    for nid, d in view.nodes.items():
        ids[nid] = by_iri.get(d.get("iri"), nid)
    assert sorted(ids.values()) == sorted(g.nodes), "nodes added, lost or merged"
    back = {n: nid for nid, n in ids.items()}

    node_types = column_types(d for _, d in g.nodes(data=True))
    assert_columns(view, "node", {k: t for k, t in node_types.items() if k != "label"})
    for nid, n in ids.items():
        attrs = g.nodes[n]
        want = {"label": shown(attrs.get("label"), "string") or nid,
                **expected_values(attrs, node_types, {"label"})}
        assert typed(view.nodes[nid]) == typed(want), n

    edge_types = column_types(d for *_, d in g.edges(data=True))
    assert_columns(view, "edge", {k: t for k, t in edge_types.items() if k not in ("label", "weight")})
    directed = g.graph.get("directed", True)
    want = []
    for u, v, d in g.edges(data=True):
        want.append({"source": back[u], "target": back[v], "type": d.get("predicate"), "directed": directed,
                     "weight": float32(float(d.get("weight", 1.0))), "label": shown(d.get("label"), "string"),
                     **expected_values(d, edge_types, {"label", "weight"})})
    ids_ = [e.pop("id") for e in (dict(e) for e in view.edges)]
    assert None not in ids_ and len(set(ids_)) == len(ids_)  # ref §0.4
    assert_same_edges([{k: v for k, v in e.items() if k != "id"} for e in view.edges], want)
    return view


@pytest.fixture(scope="module")
def full_projection(built):
    _, result = built
    return project(result.dataset, result.ontology)


def test_graphml_of_the_full_projection_opens_in_gephi_as_projected(full_projection):
    g = full_projection
    view = check_graphml(g, graphml_bytes(g))
    assert len(view.nodes) == g.number_of_nodes() > 50
    assert len(view.edges) == g.number_of_edges() > 200
    assert view.issues == []  # not even INFO: no edge names an undeclared node


def test_the_full_projection_keeps_parallel_predicates_apart(full_projection):
    g = full_projection
    view = import_graphml(graphml_bytes(g))
    pairs = {}
    for u, v, d in g.edges(data=True):
        pairs.setdefault((u, v), set()).add(d["predicate"])
    multi = [p for p, preds in pairs.items() if len(preds) > 1]
    assert multi, "the data has a pair of entities linked by two predicates"
    for u, v in multi:
        got = sorted(e["type"] for e in view.edges
                     if view.nodes[e["source"]]["iri"] == g.nodes[u]["iri"]
                     and view.nodes[e["target"]]["iri"] == g.nodes[v]["iri"])
        assert got == sorted(pairs[(u, v)])


# ---------------------------------------------------------------------------------- GEXF


def check_gexf(g, data: bytes) -> GephiView:
    """Gephi's view of ``data`` is ``g``, with every start/end as a spell and every value of a
    dynamic column (an exact amount) carried over its element's spell."""
    view = import_gexf(data)
    assert_clean(view)
    assert sorted(view.nodes) == sorted(g.nodes), "nodes added, lost or merged"
    dated = any("start" in d or "end" in d for _, d in g.nodes(data=True)) or any(
        "start" in d or "end" in d for *_, d in g.edges(data=True))
    if dated:
        assert (view.mode, view.timeformat, view.timerepresentation) == ("dynamic", "date", "interval")
    spans = {"label", "start", "end"}

    def expected(d: dict, types: dict, dynamic: set[str], skip: set[str]):
        """(static values, [spell] or None, {dynamic column: [(start, end, value)]})"""
        values = expected_values(d, types, skip)
        # the writer ends an interval at the start of the day after the view's inclusive last day
        end = day_after(d["end"]) if d.get("end") else None
        span = (when(d.get("start")), when(end)) if ("start" in d or "end" in d) else None
        timed = {k: [(*span, values.pop(k))] for k in sorted(dynamic & set(values))} if span else {}
        return values, [span] if span else None, timed

    node_types = column_types(d for _, d in g.nodes(data=True))
    assert_columns(view, "node", {k: t for k, t in node_types.items() if k not in spans})
    node_dynamic = {c.title for c in view.node_columns() if c.dynamic}
    for n, attrs in g.nodes(data=True):
        values, span, timed = expected(attrs, node_types, node_dynamic, spans)
        assert typed(view.nodes[n]) == typed({"label": shown(attrs.get("label"), "string") or n, **values}), n
        assert (view.node_intervals.get(n), view.node_dynamic.get(n, {})) == (span, timed), n

    edge_types = column_types(d for *_, d in g.edges(data=True))
    assert_columns(view, "edge", {k: t for k, t in edge_types.items() if k not in spans | {"weight"}})
    edge_dynamic = {c.title for c in view.edge_columns() if c.dynamic}
    directed = g.graph.get("directed", True)
    want, want_times = [], []
    for u, v, d in g.edges(data=True):
        values, span, timed = expected(d, edge_types, edge_dynamic, spans | {"weight"})
        want.append({"source": u, "target": v, "type": d.get("predicate"), "directed": directed,
                     "weight": float32(float(d.get("weight", 1.0))), "label": shown(d.get("label"), "string"),
                     **values})
        want_times.append(((u, v, d.get("predicate")), span, timed))
    got_times = [((e["source"], e["target"], e["type"]), view.edge_intervals.get(e["id"]),
                  view.edge_dynamic.get(e["id"], {})) for e in view.edges]
    assert_same_edges([{k: v for k, v in e.items() if k != "id"} for e in view.edges], want)
    assert sorted(got_times, key=repr) == sorted(want_times, key=repr)
    return view


# ------------------------------------------------------------------------ named views

GRAPH_WRITERS = {  # format -> (module, function giving the bytes of a view, checker)
    "graphml": ("eurokg.exporters.graphml", "graphml_bytes", check_graphml),
    "gexf": ("eurokg.exporters.gexf", "gexf_bytes", check_gexf),
}


def graph_writer(fmt: str):
    module, fn, check = GRAPH_WRITERS[fmt]
    return getattr(pytest.importorskip(module), fn), check


@pytest.fixture(scope="module")
def views(built):
    """``name -> graph`` for every named view, with the metric columns the export adds."""
    views_mod = pytest.importorskip("eurokg.views")
    try:
        annotate = importlib.import_module("eurokg.metrics").annotate
    except (ImportError, AttributeError):  # metrics not there: the views as they are
        annotate = None
    _, result = built
    out = {}
    for name in views_mod.VIEWS:  # the views as exported (see test_the_export_api_writes_what_is_checked)
        g = views_mod.build_view(result.dataset, result.ontology, name)
        if annotate is not None:
            annotate(g)
        out[name] = g
    return out


VIEW_NAMES = ("full", "states-trade", "leaders-events", "routes")


@pytest.mark.parametrize("fmt", sorted(GRAPH_WRITERS))
@pytest.mark.parametrize("name", VIEW_NAMES)
def test_named_view_opens_in_gephi_as_built(views, name, fmt):
    if name not in views:
        pytest.skip(f"no view {name!r} yet")
    g = views[name]
    assert g.number_of_edges() > 0, f"view {name!r} is empty"
    write, check = graph_writer(fmt)
    check(g, write(g))


def test_every_registered_view_is_covered(views):
    assert set(views) <= set(VIEW_NAMES), "a new view: add it to VIEW_NAMES"


@pytest.mark.parametrize("fmt", sorted(GRAPH_WRITERS))
@pytest.mark.parametrize("name", VIEW_NAMES)
def test_the_export_api_writes_what_is_checked(built, views, name, fmt):
    """The files checked above are the files ``eurokg export --format F --view V`` writes."""
    from eurokg.exporters import FORMATS, export_to

    if fmt not in FORMATS or "view" not in inspect.signature(export_to).parameters or name not in views:
        pytest.skip(f"{fmt} or views not exported through export_to yet")
    _, result = built
    buf = io.BytesIO()
    export_to(result.dataset, result.ontology, fmt, buf, view=name)
    write, _ = graph_writer(fmt)
    assert buf.getvalue() == write(views[name])


# ------------------------------------------------- findings: values Gephi cannot receive as written

@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return Ontology.load(Path(__file__).resolve().parents[1] / "ontology" / "eurokg.ttl")


def small_dataset(*triples) -> Dataset:
    ds = Dataset()
    g = ds.graph(V.GRAPH["curated/oracle"])
    kz, cn = V.ID["kz"], V.ID["cn"]
    for s, label in ((kz, "Kazakhstan"), (cn, "China")):
        g.add((s, V.RDF.type, V.EK.State))
        g.add((s, V.RDFS.label, Literal(label, lang="en")))
    for t in triples:
        g.add(t)
    return ds


IMPORTERS = {"graphml": import_graphml, "gexf": import_gexf}


@pytest.mark.parametrize("fmt", sorted(GRAPH_WRITERS))
@pytest.mark.parametrize("text", ["NULL", "null", "Null"])
def test_text_null_is_reported_not_lost_without_a_word(ontology, fmt, text):
    """Gephi reads a text value "null" in any case as no value (graphstore AttributeUtils.parse,
    ref §1), and no escaping in either format avoids it: the writer warns, naming the node and
    column, and every other value arrives as written. (It was lost without a word.)"""
    import warnings

    from eurokg.errors import GephiValueLost

    ds = small_dataset((V.ID["kz"], V.EK.isoCode, Literal(text)), (V.ID["cn"], V.EK.isoCode, Literal("CHN")))
    g = project(ds, ontology)
    write, _ = graph_writer(fmt)
    with pytest.warns(GephiValueLost, match=r"1 text value\(s\) \"null\".*node id:kz column 'isoCode'") as caught:
        data = write(g)
    assert len([w for w in caught if issubclass(w.category, GephiValueLost)]) == 1
    view = IMPORTERS[fmt](data)
    assert [lv for lv, _ in view.issues if lv in (SEVERE, WARNING)] == []
    assert len(view.silent) == 1 and f"{text!r} read as null" in view.silent[0]
    codes = {d.get("iri"): d.get("isoCode") for d in view.nodes.values()}
    assert codes[str(V.ID["cn"])] == "CHN" and codes[str(V.ID["kz"])] is None

    # text that merely resembles it is kept, and nothing is said
    ds = small_dataset((V.ID["kz"], V.EK.isoCode, Literal(f" {text}")), (V.ID["cn"], V.EK.isoCode, Literal("nul")))
    g = project(ds, ontology)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GephiValueLost)
        graph_writer(fmt)[1](g, write(g))


def test_gexf_undated_amounts_in_a_dated_view(ontology):
    """An undated value in a dated view keeps the amount column static (no timeless dynamic value)."""
    views_mod = pytest.importorskip("eurokg.views")
    ID, EK, RDF, XSD = V.ID, V.EK, V.RDF, V.XSD
    triples = []
    for rec, value in ((ID["t-dated"], "100"), (ID["t-undated"], "50")):
        triples += [(rec, RDF.type, EK.TradeRelation), (rec, EK.reporter, ID["cn"]), (rec, EK.partner, ID["kz"]),
                    (rec, EK.tradeValue, Literal(value, datatype=XSD.decimal))]
    triples += [(ID["t-dated"], EK.periodStart, Literal("2024-01-01", datatype=XSD.date)),
                (ID["t-dated"], EK.periodEnd, Literal("2024-12-31", datatype=XSD.date))]
    g = views_mod.build_view(small_dataset(*triples), ontology, "states-trade")
    write, check = graph_writer("gexf")
    check(g, write(g))
