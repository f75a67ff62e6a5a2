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
from .exporters.projection import _column_value, preferred_label, project
from .merge import union_graph
from .timespan import interval, intersect
from .vocab import EK, ID, RDF, curie

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
    build: Callable[[Dataset, object], nx.MultiDiGraph]


def _span(graph: Graph, node: URIRef) -> tuple[str | None, str | None] | None:
    """When an entity holds, from its dates (start/end, period, signing, a point date)."""
    for start_p, end_p in _SPAN_PROPERTIES:
        start = graph.value(node, start_p)
        if start is None:
            continue
        first = interval(start) if isinstance(start, Literal) else None
        if first is None:
            continue
        end = graph.value(node, end_p) if end_p is not None else None
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
    return preferred_label(graph, node) or str(node).rsplit("/", 1)[-1]


def _data(dataset: Dataset) -> Graph:
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

def full_view(dataset: Dataset, ontology) -> nx.MultiDiGraph:
    """Every entity, every object property between two of them; spells from the entities' dates."""
    g = project(dataset, ontology)
    graph = _data(dataset)
    spans = {}
    for key, attrs in g.nodes(data=True):
        span = _span(graph, URIRef(attrs["iri"]))
        if span:
            spans[key] = span
            _set_span(attrs, span)
    for u, v, k, attrs in g.edges(keys=True, data=True):
        a, b = spans.get(u), spans.get(v)
        span = intersect(a, b) if a and b else (a or b)
        _set_span(attrs, span)
    return g


# ---------------------------------------------------------------- states-trade

def states_trade_view(dataset: Dataset, ontology) -> nx.MultiDiGraph:
    """Reporter -> partner trade edges, one per trade record (i.e. per period).

    A record with one partner is a state -> state edge weighted by its value.
    A record with several partners (China's trade with the five states) is not
    split, which would invent per-country figures: it goes to a node for the
    group, linked to its members. Records that give only a balance have weight 1
    and the balance (surplus/deficit) as a column."""
    graph = _data(dataset)
    g = nx.MultiDiGraph()
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
        span = _span(graph, rec) or (_as_of(graph, rec))
        _set_span(attrs, span)
        period = f"{attrs.get('start', '')}/{attrs.get('end', '')}".strip("/") or "undated"
        kind = "trade" if "value" in attrs else "trade balance"
        attrs["predicate"] = f"{kind} {period}"
        attrs["label"] = _label(graph, rec)
        g.add_edge(src, dst, key=curie(rec), **attrs)
    return g


def _as_of(graph: Graph, rec: URIRef):
    as_of = graph.value(rec, EK.asOf)
    return interval(as_of) if isinstance(as_of, Literal) else None


# -------------------------------------------------------------- leaders-events

def leaders_events_view(dataset: Dataset, ontology) -> nx.MultiDiGraph:
    """People, the states they led (with the term as a spell), and the summits and
    treaties they took part in."""
    graph = _data(dataset)
    g = nx.MultiDiGraph()
    for office in sorted(graph.subjects(RDF.type, EK.Office)):
        person, state = graph.value(office, EK.holder), graph.value(office, EK.officeOf)
        if person is None or state is None:
            continue
        p = _entity_node(g, graph, ontology, person)
        s = _entity_node(g, graph, ontology, state)
        attrs = {"predicate": "ek:holder", "label": str(graph.value(office, EK.title) or "leads"),
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
    for a, b in sorted(graph.subject_objects(EK.coincidesWith)):
        if curie(a) in g and curie(b) in g:
            g.add_edge(curie(a), curie(b), key="ek:coincidesWith", predicate="ek:coincidesWith",
                       label="coincides with", weight=1.0)
    return g


# ---------------------------------------------------------------------- routes

def routes_view(dataset: Dataset, ontology) -> nx.MultiDiGraph:
    """States and places linked by railways, pipelines and corridors: one edge per route
    and pair of places it connects (its kind is the edge type), with what it bypasses."""
    graph = _data(dataset)
    g = nx.MultiDiGraph(directed=False)  # a route links places both ways; writers mark edges undirected
    for route in sorted(set(graph.subjects(RDF.type, EK.Route)) | {
            r for c in ontology.subclasses(EK.Route) for r in graph.subjects(RDF.type, c)}):
        places = sorted(set(graph.objects(route, EK.connects)))
        types = set(graph.objects(route, RDF.type))
        kind = ontology.label(ontology.most_specific(types)[0]) if ontology.most_specific(types) else "route"
        common = {"route": curie(route), "route_label": _label(graph, route), "weight": 1.0,
                  "predicate": kind, "label": _label(graph, route)}
        status = graph.value(route, EK.routeStatus)
        if status is not None:
            common["status"] = ontology.label(status)
        bypassed = sorted(_label(graph, b) for b in graph.objects(route, EK.bypasses))
        if bypassed:
            common["bypasses"] = " | ".join(bypassed)
        first = graph.value(route, EK.firstProposed)
        if isinstance(first, Literal):
            common["firstProposed"] = str(first)
        span = _span(graph, route)
        for i, a in enumerate(places):
            for b in places[i + 1:]:
                u = _entity_node(g, graph, ontology, a)
                v = _entity_node(g, graph, ontology, b)
                attrs = dict(common)
                _set_span(attrs, span)
                g.add_edge(u, v, key=curie(route), **attrs)
    return g


# ------------------------------------------------------------------ user views

def query_view(dataset: Dataset, ontology, path: Path) -> nx.MultiDiGraph:
    """A view from a ``.rq`` file: CONSTRUCT (projected like ``full``) or SELECT ?source ?target."""
    from .query import load_query_file, run_query

    saved = load_query_file(path)
    result = run_query(dataset, saved.text, timeout_s=None, source=str(path), max_rows=1_000_000)
    graph = _data(dataset)
    if result.kind == "graph":
        ds = Dataset()
        part = ds.graph(URIRef(str(ID) + "view"))
        for t in result.graph:
            part.add(t)
        # keep the entities' labels and types so the projection can name them
        for s in set(result.graph.subjects()) | {o for o in result.graph.objects() if isinstance(o, URIRef)}:
            for t in graph.triples((s, None, None)):
                if t[1] in (RDF.type,) or t[1] == URIRef("http://www.w3.org/2000/01/rdf-schema#label"):
                    part.add(t)
        return project(ds, ontology)
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
                key = f"value:{term}"
                if key not in g:
                    g.add_node(key, label=str(term), type="value")
                ends.append(key)
        if len(ends) != 2:
            continue
        attrs: dict = {"predicate": "view", "label": str(values.get("label") or ""), "weight": 1.0}
        weight = values.get("weight")
        if isinstance(weight, Literal):
            w = _column_value(weight)
            if isinstance(w, (int, float)) and w > 0:
                attrs["weight"] = float(w)
                attrs["value"] = float(w)
        for bound in ("start", "end"):
            lit = values.get(bound)
            if isinstance(lit, Literal) and interval(lit):
                attrs[bound] = interval(lit)[0 if bound == "start" else 1]
        for col in extra_cols:
            term = values.get(col)
            if isinstance(term, Literal):
                attrs[col] = _column_value(term)
            elif term is not None:
                attrs[col] = curie(term)
        g.add_edge(ends[0], ends[1], key=f"row-{n + 1}", **attrs)
    return _unify_columns(g)


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
        View("routes", "places linked by railways, pipelines and corridors, with what they bypass", routes_view),
    )
}


def build_view(dataset: Dataset, ontology, view: str | Path = "full") -> nx.MultiDiGraph:
    """The named view, or a user view from a ``.rq`` file."""
    text = str(view)
    if text.endswith(".rq"):
        path = Path(text)
        if not path.is_file():
            raise UsageError(f"{path}: no such view query")
        return distinct_edge_types(query_view(dataset, ontology, path))
    info = VIEWS.get(text)
    if info is None:
        raise UsageError(f"unknown view {text!r}; known views: {', '.join(VIEWS)} (or a .rq file)")
    return distinct_edge_types(info.build(dataset, ontology))


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
