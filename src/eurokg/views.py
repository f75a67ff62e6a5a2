"""Named projections of the graph for Gephi and for analysis, registered in ``VIEWS``.

Every view gives a networkx ``MultiDiGraph`` with the same conventions:
node keys are CURIEs; nodes carry ``label``, ``iri``, ``type`` and typed
columns; edges carry ``predicate`` (the edge *type* Gephi keeps apart),
``label`` and a ``weight`` > 0 (exact amounts go in their own ``value``
column). Nodes and edges that hold for a time carry ``start``/``end`` ISO
dates (open where absent), which the GEXF writer turns into spells.

Views: ``full`` (every entity), ``states-trade``, ``leaders-events``,
``routes``; or a user view from a ``.rq`` file (CONSTRUCT, or SELECT
``?source ?target`` with optional ``?weight ?label ?start ?end`` and extra
columns).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef

from .errors import InputError, UsageError
from .exporters.projection import _column_value, preferred_label, project, readable_label
from .merge import properties_of, union_graph
from .timespan import cover, interval, interval_of_text
from .vocab import EK, ID, RDF, RDFS, XSD, curie

_CONTEXT_PROPERTIES = (
    RDF.type, RDFS.label, EK.title, EK.holder,
    EK.quote, EK.paraphrase, EK.claim, EK.startDate, EK.endDate, EK.periodStart, EK.periodEnd,
    EK.signingDate, EK.date, EK.constructionStart,
)
"""What a CONSTRUCT view borrows from the data for each entity it mentions: type, label
and dates (so it is named and placed on the timeline like the ``full`` view)."""

_SPAN_PROPERTIES = (
    (EK.startDate, EK.endDate),
    (EK.periodStart, EK.periodEnd),
    (EK.signingDate, None),
    (EK.date, EK.date),
    (EK.constructionStart, None),
)


@dataclass(frozen=True)
class View:
    name: str
    description: str
    build: Callable[..., nx.MultiDiGraph]  # (dataset, ontology, union=None)


def _span(graph: Graph, node: URIRef, properties=None) -> tuple[str | None, str | None] | None:
    """When an entity holds, from its dates (start/end, period, signing, a point date).
    ``properties``: :func:`eurokg.merge.properties_of` for ``graph``, where the caller reads
    many nodes."""
    props = (properties or properties_of(graph))(node)

    def value(p):  # Graph.value's choice: the first object the store holds
        objects = props.get(p)
        return next(iter(objects)) if objects else None

    for start_p, end_p in _SPAN_PROPERTIES:
        start = value(start_p)
        if start is None:
            continue
        first = interval(start) if isinstance(start, Literal) else None
        if first is None:
            continue
        end = value(end_p) if end_p is not None else None
        last = interval(end) if isinstance(end, Literal) else None
        return first[0], (last[1] if last else None) if end_p is not None else None
    return None


def _set_span(attrs: dict, span) -> None:
    if span:
        if span[0]:
            attrs["start"] = span[0]
        if span[1]:
            attrs["end"] = span[1]


def _label(graph: Graph, node: URIRef) -> str:
    """The same name the ``full`` view gives (label, else a readable one)."""
    return preferred_label(graph, node) or readable_label(graph, node)


def _data(dataset: Dataset, union: Graph | None = None) -> Graph:
    """What the named views read: the dataset's union. ``union``: that union where the
    caller has it already, with or without the provenance graph (its subjects are graph:
    IRIs, and the named views make nodes only of entities they reach from ``id:`` ones)."""
    if union is not None:
        return union
    return union_graph(dataset, include_provenance=False, include_ontology=False)


def _entity_node(g: nx.MultiDiGraph, graph: Graph, ontology, node: URIRef, **extra) -> str:
    key = curie(node)
    if key not in g:
        types = set(graph.objects(node, RDF.type))
        specific = ontology.most_specific(types)
        attrs = {"label": _label(graph, node), "iri": str(node),
                 "type": ontology.label(specific[0]) if specific else ""}
        qid = graph.value(node, EK.wikidataId)
        if qid is not None:
            attrs["wikidataId"] = str(qid)
        attrs.update(extra)
        g.add_node(key, **attrs)
    return key


# ------------------------------------------------------------------------ full

def full_view(dataset: Dataset, ontology, union: Graph | None = None) -> nx.MultiDiGraph:
    """Every entity, every object property between two of them; spells from the entities' dates."""
    graph = _data(dataset, union)
    g = project(dataset, ontology, graph)
    spans = {}
    properties = properties_of(graph)
    for key, attrs in g.nodes(data=True):
        span = _span(graph, URIRef(attrs["iri"]), properties)
        if span:
            spans[key] = span
            _set_span(attrs, span)
    for u, v, k, attrs in g.edges(keys=True, data=True):
        a, b = spans.get(u), spans.get(v)
        # the edge lasts as long as either end is dated: from the earliest start to the
        # latest end (an intersection would leave e.g. ek:follows between two summits timeless)
        span = cover(a, b) if a and b else (a or b)
        _set_span(attrs, span)
    return g


# ---------------------------------------------------------------- states-trade

def states_trade_view(dataset: Dataset, ontology, union: Graph | None = None) -> nx.MultiDiGraph:
    """Reporter -> partner trade edges, one per trade record (i.e. per period).

    A record with one partner is a state -> state edge weighted by its value.
    A record with several partners (China's trade with the five states) is not
    split, which would invent per-country figures: it goes to a node for the
    group, linked to its members (those ``member`` edges are left out of the
    metrics). Weighted degree here sums trade values (in the record's currency)
    and counts 1 for each balance-only edge. Records that give only a balance have weight 1, the balance
    (surplus/deficit) as a column, and no period (``asOf`` says when it was reported)."""
    graph = _data(dataset, union)
    g = nx.MultiDiGraph(non_metric_predicates=["member"])  # group membership is structure, not trade
    for rec in sorted(graph.subjects(RDF.type, EK.TradeRelation)):
        reporter = graph.value(rec, EK.reporter)
        partners = sorted(graph.objects(rec, EK.partner))
        if reporter is None or not partners:
            continue
        src = _entity_node(g, graph, ontology, reporter)
        if len(partners) == 1:
            dst = _entity_node(g, graph, ontology, partners[0])
        else:
            names = sorted(_label(graph, p) for p in partners)
            dst = "group:" + "-".join(curie(p).split(":", 1)[1] for p in partners)
            if dst not in g:
                g.add_node(dst, label=f"{', '.join(names)} ({len(names)} states)",
                           type="state group", members=len(partners))
            for p in partners:
                member = _entity_node(g, graph, ontology, p)
                g.add_edge(dst, member, key="member", predicate="member", label="member of group", weight=1.0)
        attrs: dict = {"record": curie(rec), "record_iri": str(rec)}
        value = graph.value(rec, EK.tradeValue)
        if isinstance(value, Literal) and isinstance(_column_value(value), float) and _column_value(value) > 0:
            attrs["value"] = _column_value(value)
            attrs["weight"] = _column_value(value)
            currency = graph.value(rec, EK.currency)
            if currency is not None:
                code = graph.value(currency, EK.isoCode)
                attrs["currency"] = str(code) if code is not None else curie(currency)
        else:
            attrs["weight"] = 1.0
        change = graph.value(rec, EK.changePercent)
        if isinstance(change, Literal):
            attrs["changePercent"] = _column_value(change)
        for prop, column in ((EK.balance, "balance"), (EK.flow, "flow")):
            val = graph.value(rec, prop)
            if val is not None:
                attrs[column] = ontology.label(val)
        driver = graph.value(rec, EK.balanceDrivenBy)
        if driver is not None:
            attrs["drivenBy"] = _label(graph, driver)
        _set_span(attrs, _span(graph, rec))
        as_of = graph.value(rec, EK.asOf)
        if isinstance(as_of, Literal):
            attrs["asOf"] = str(as_of)  # when the source reported the balance, not a period it covers
        period = f"{attrs.get('start', '')}/{attrs.get('end', '')}".strip("/") or "undated"
        kind = "trade" if "value" in attrs else "trade balance"
        attrs["predicate"] = f"{kind} {period}"
        attrs["label"] = _label(graph, rec)
        g.add_edge(src, dst, key=curie(rec), **attrs)
    return g


# -------------------------------------------------------------- leaders-events

def leaders_events_view(dataset: Dataset, ontology, union: Graph | None = None) -> nx.MultiDiGraph:
    """People, the states they led (``leads`` edges, the term of office as a spell), the
    summits they attended and the treaties they signed, and the events those summits
    coincided with (e.g. G7 summits)."""
    graph = _data(dataset, union)
    g = nx.MultiDiGraph()
    for office in sorted(graph.subjects(RDF.type, EK.Office)):
        person, state = graph.value(office, EK.holder), graph.value(office, EK.officeOf)
        if person is None or state is None:
            continue
        p = _entity_node(g, graph, ontology, person)
        s = _entity_node(g, graph, ontology, state)
        attrs = {"predicate": "leads", "label": str(graph.value(office, EK.title) or "leads"),
                 "weight": 1.0, "office": curie(office)}
        _set_span(attrs, _span(graph, office))
        g.add_edge(p, s, key=curie(office), **attrs)
    for event_class, person_prop, verb in ((EK.Summit, EK.attendee, "attended"), (EK.Treaty, EK.signedBy, "signed")):
        for event in sorted(set(graph.subjects(RDF.type, event_class))):
            people = sorted(graph.objects(event, person_prop))
            if not people:
                continue
            span = _span(graph, event)
            extra = {}
            _set_span(extra, span)
            e = _entity_node(g, graph, ontology, event, **extra)
            for person in people:
                p = _entity_node(g, graph, ontology, person)
                attrs = {"predicate": curie(person_prop), "label": verb, "weight": 1.0}
                _set_span(attrs, span)
                g.add_edge(p, e, key=curie(person_prop), **attrs)
    done: set[frozenset] = set()
    for a, b in sorted(graph.subject_objects(EK.coincidesWith)):
        if frozenset((a, b)) in done:
            continue  # symmetric: one edge per pair
        done.add(frozenset((a, b)))
        if curie(a) in g or curie(b) in g:  # the other event (e.g. a G7 summit) joins the view
            ends = []
            for e in (a, b):
                extra = {}
                _set_span(extra, _span(graph, e))
                ends.append(_entity_node(g, graph, ontology, e, **extra))
            g.add_edge(ends[0], ends[1], key="ek:coincidesWith", predicate="ek:coincidesWith",
                       label="coincides with", weight=1.0)
    return g


# ---------------------------------------------------------------------- routes

def routes_view(dataset: Dataset, ontology, union: Graph | None = None) -> nx.MultiDiGraph:
    """Routes and the states and places they concern, as a two-mode graph: a node per
    railway, pipeline or corridor, with ``connects``, ``passes through`` and
    ``bypasses`` edges to places. (Linking every pair of places a route connects would
    invent links, e.g. Turkmenistan–China for each pipeline stop, and inflate metrics.)"""
    graph = _data(dataset, union)
    g = nx.MultiDiGraph(directed=False)  # a route and a place are linked both ways
    routes = set(graph.subjects(RDF.type, EK.Route))
    for c in ontology.subclasses(EK.Route):
        routes |= set(graph.subjects(RDF.type, c))
    for route in sorted(routes):
        extra: dict = {}
        status = graph.value(route, EK.routeStatus)
        if status is not None:
            extra["status"] = ontology.label(status)
        first = graph.value(route, EK.firstProposed)
        if isinstance(first, Literal):
            extra["firstProposed"] = str(first)
        span = _span(graph, route)
        _set_span(extra, span)
        r = _entity_node(g, graph, ontology, route, **extra)
        for prop, verb in ((EK.connects, "connects"), (EK.passesThrough, "passes through"), (EK.bypasses, "bypasses")):
            for place in sorted(set(graph.objects(route, prop))):
                p = _entity_node(g, graph, ontology, place)
                attrs = {"predicate": curie(prop), "label": verb, "weight": 1.0}
                _set_span(attrs, span)
                g.add_edge(r, p, key=curie(prop), **attrs)
    return g


# ------------------------------------------------------------------ user views

def query_view(dataset: Dataset, ontology, path: Path, *, timeout_s: float | None = None) -> nx.MultiDiGraph:
    """A view from a ``.rq`` file.

    CONSTRUCT: the constructed triples projected like ``full`` (entities under ``id:``
    become nodes, named, typed and dated from the data). SELECT ``?source ?target``
    with optional ``?weight`` (a number; kept exact in ``value``, and the Gephi weight
    when > 0), ``?label``, ``?start``/``?end`` (dates) and any other columns; a
    literal source or target becomes a node keyed by the whole literal. The query is
    stopped after ``timeout_s`` seconds (default: ``query-timeout-s`` of the limits in force,
    as for ``eurokg query``): a view is a researcher's own query, and may never end."""
    from .limits import current
    from .query import load_query_file, run_query

    saved = load_query_file(path)
    result = run_query(dataset, saved.text, timeout_s=current().query_timeout_s if timeout_s is None else timeout_s,
                       source=str(path), max_rows=1_000_000)
    graph = _data(dataset)  # not a given union: a SELECT may return graph: IRIs, typed by provenance
    if result.kind == "graph":
        # project the constructed triples like `full`, with what the projection needs to
        # name, type and date each entity taken from the data
        ds = Dataset()
        part = ds.graph(URIRef(str(ID) + "view"))
        for t in result.graph:
            part.add(t)
        nodes = set(result.graph.subjects()) | {o for o in result.graph.objects() if isinstance(o, URIRef)}
        for node in nodes:
            for prop in _CONTEXT_PROPERTIES:
                for o in graph.objects(node, prop):
                    part.add((node, prop, o))
        return full_view(ds, ontology)
    if result.kind != "select":
        raise InputError("a view query must be a CONSTRUCT or a SELECT ?source ?target", str(path))
    missing = {"source", "target"} - set(result.vars)
    if missing:
        raise InputError(f"a SELECT view needs ?source and ?target (missing: {', '.join(sorted('?' + m for m in missing))})",
                         str(path))
    g = nx.MultiDiGraph()
    extra_cols = [v for v in result.vars if v not in ("source", "target", "weight", "label", "start", "end")]
    for n, row in enumerate(result.rows):
        values = dict(zip(result.vars, row))
        ends = []
        for end in ("source", "target"):
            term = values[end]
            if isinstance(term, URIRef):
                ends.append(_entity_node(g, graph, ontology, term))
            elif term is not None:
                key = f"value:{term.n3()}"  # "China"@en and "China"@de, 83 and "83" stay apart
                if key not in g:
                    g.add_node(key, label=str(term), type="value")
                ends.append(key)
        if len(ends) != 2:
            continue
        attrs: dict = {"predicate": "view", "label": str(values.get("label") or ""), "weight": 1.0}
        weight = values.get("weight")
        if weight is not None:
            w = _column_value(weight) if isinstance(weight, Literal) else None
            if not isinstance(w, (int, float)) or isinstance(w, bool):
                raise InputError(f"row {n + 1}: ?weight must be a number, got {weight.n3()}", str(path))
            attrs["value"] = float(w)  # exact, whatever Gephi does with the weight
            if w > 0:
                attrs["weight"] = float(w)  # else weight stays 1: Gephi drops 0 and warns on negatives
        for bound in ("start", "end"):
            term = values.get(bound)
            if term is None:
                continue
            span = _as_interval(term)
            if span is None:
                raise InputError(f"row {n + 1}: ?{bound} is not a date ({term.n3()}); give an xsd:date, "
                                 "xsd:dateTime, xsd:gYearMonth, xsd:gYear or YYYY-MM-DD text", str(path))
            attrs[bound] = span[0 if bound == "start" else 1]
        for col in extra_cols:
            term = values.get(col)
            if isinstance(term, Literal):
                attrs[col] = _column_value(term)
            elif term is not None:
                attrs[col] = curie(term)
        g.add_edge(ends[0], ends[1], key=f"row-{n + 1}", **attrs)
    return _unify_columns(g)


def _as_interval(term) -> tuple[str, str] | None:
    """A SELECT view's ?start/?end as days: dates at any precision, a dateTime's day, or
    ISO date text."""
    if not isinstance(term, Literal):
        return None
    if term.datatype == XSD.dateTime:
        return interval_of_text(str(term)[:10])
    if term.datatype is None and term.language is None:
        return interval_of_text(str(term))
    return interval(term)


def _unify_columns(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """One type per edge column (mixed values become text)."""
    kinds: dict[str, set] = defaultdict(set)
    for _, _, d in g.edges(data=True):
        for k, v in d.items():
            kinds[k].add(type(v))
    for _, _, d in g.edges(data=True):
        for k, v in list(d.items()):
            if len(kinds[k]) > 1 and not kinds[k] <= {int, float}:
                d[k] = str(v)
            elif kinds[k] == {int, float}:
                d[k] = float(v)
    return g


VIEWS: dict[str, View] = {
    v.name: v
    for v in (
        View("full", "every entity and every object property between two entities", full_view),
        View("states-trade", "reporter -> partner trade edges per period, weighted by value", states_trade_view),
        View("leaders-events", "leaders, the states they led, the summits and treaties they took part in", leaders_events_view),
        View("routes", "railways, pipelines and corridors and the places they connect, cross or bypass", routes_view),
    )
}


def build_view(dataset: Dataset, ontology, view: str | Path = "full", *, union: Graph | None = None) -> nx.MultiDiGraph:
    """The named view, or a user view from a ``.rq`` file. ``union``: the dataset's union
    graph where the caller has it already (see :func:`eurokg.merge.union_graph`), for the
    named views; a ``.rq`` view reads the union without provenance itself."""
    text = str(view)
    if text.endswith(".rq"):
        path = Path(text)
        if not path.is_file():
            raise UsageError(f"{path}: no such view query")
        return distinct_edge_types(query_view(dataset, ontology, path))
    info = VIEWS.get(text)
    if info is None:
        raise UsageError(f"unknown view {text!r}; known views: {', '.join(VIEWS)} (or a .rq file)")
    return distinct_edge_types(info.build(dataset, ontology) if union is None else info.build(dataset, ontology, union))


def distinct_edge_types(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Gephi merges parallel edges that share source, target *and* type (summing weights,
    keeping the later edge's columns). Where a view has such edges, their types are made
    distinct with the edge key, so each one reaches Gephi."""
    seen: dict[tuple, int] = defaultdict(int)
    for u, v, d in g.edges(data=True):
        seen[(u, v, d.get("predicate"))] += 1
    for u, v, k, d in g.edges(keys=True, data=True):
        if seen[(u, v, d.get("predicate"))] > 1:
            d["predicate"] = f"{d.get('predicate')} [{k}]"
    return g
