"""Graph metrics with networkx, as node columns Gephi shows in its data laboratory.

On a view (a ``MultiDiGraph``): ``degree`` (edges in and out), ``weighted_degree``
(sum of their weights), ``betweenness`` (normalised, on the undirected simple
graph, unweighted: weights here are amounts, not distances), ``pagerank`` (on
the directed graph, weights summed over parallel edges) and ``community``
(Louvain on the undirected weighted graph, fixed seed; communities numbered by
size, then by their first member, so numbers are stable). Betweenness is the
exact networkx definition and Louvain the multilevel method of Blondel et al.,
both computed with igraph's C implementation for speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from pathlib import Path

from rdflib import Dataset, Literal, URIRef

from .vocab import EK, PREFIXES, XSD

SEED = 42
DIGITS = 12


EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_SOURCES = 1_000


def _sources(nodes: int) -> int | None:
    """How many source nodes betweenness is estimated from, or None where it is exact
    (module settings read at call time, so a caller may change them)."""
    return BETWEENNESS_SOURCES if nodes > EXACT_BETWEENNESS_MAX_NODES and BETWEENNESS_SOURCES < nodes else None


def betweenness(undirected: nx.Graph) -> dict:
    """Normalised betweenness, as ``networkx.betweenness_centrality(G, normalized=True)``
    gives it, computed by igraph's C implementation: the same numbers (a test compares
    them), about 40 times faster.

    Exact costs a breadth-first search from every node (O(nodes x edges)): 15 s at 15k
    nodes, hours at a million triples. Above ``EXACT_BETWEENNESS_MAX_NODES`` nodes it is
    estimated from ``BETWEENNESS_SOURCES`` source nodes drawn with a fixed seed, scaled by
    nodes/sources (Brandes and Pich 2007; what ``betweenness_centrality(G, k=...)`` does),
    so the numbers stay deterministic; :func:`betweenness_method` says which a graph gets."""
    import random

    nodes = list(undirected.nodes)
    n = len(nodes)
    if n < 3:
        return {v: 0.0 for v in nodes}
    g = _igraph(undirected)
    scale = 2.0 / ((n - 1) * (n - 2))
    k = _sources(n)
    if k is None:
        values = g.betweenness(directed=False)
    else:
        scale *= n / k
        values = g.betweenness(directed=False, sources=sorted(random.Random(SEED).sample(range(n), k)))
    return {v: b * scale for v, b in zip(nodes, values)}


def _igraph(undirected: nx.Graph, weighted: bool = False):
    """``undirected`` as an igraph graph whose vertex i is ``list(undirected.nodes)[i]``
    (self-loops left out: they lie on no shortest path and join no two communities)."""
    import igraph

    nodes = list(undirected.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(a, b, w) for a, b, w in undirected.edges(data="weight", default=1.0) if a != b]
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b, _ in edges], directed=False)
    if weighted:
        g.es["weight"] = [float(w) for _, _, w in edges]
    return g


def communities(undirected: nx.Graph) -> list[list]:
    """Louvain communities (Blondel et al. 2008) of the undirected weighted graph, each
    sorted, numbered by size and then by first member.

    igraph's ``community_multilevel`` in C: on the 300k-triple synthetic graph's full
    view (36,622 nodes) 0.6 s, where ``networkx.community.louvain_communities`` took
    14 s for a partition of the same modularity (0.333 and 0.331). Its random vertex
    order comes from a generator seeded with :data:`SEED`, so the partition is the same
    on every run; igraph's default generator (Python's ``random``) is restored after."""
    import random

    import igraph

    nodes = list(undirected.nodes)
    if not nodes:
        return []
    g = _igraph(undirected, weighted=True)
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        membership = g.community_multilevel(weights="weight" if g.ecount() else None).membership
    finally:
        igraph.set_random_number_generator(random)
    groups: dict[int, list] = {}
    for v, c in zip(nodes, membership):
        groups.setdefault(c, []).append(v)
    return sorted((sorted(c) for c in groups.values()), key=lambda c: (-len(c), c[0]))


def betweenness_method(nodes: int) -> str:
    """"exact", or "estimated from K of N source nodes (seed S)" for a graph of ``nodes`` nodes."""
    k = _sources(nodes)
    return "exact" if k is None else f"estimated from {k} of {nodes} source nodes (seed {SEED})"


METRICS = ("degree", "weighted_degree", "betweenness", "pagerank", "community")


@dataclass(frozen=True)
class NodeMetrics:
    node: str
    label: str
    type: str
    degree: int
    weighted_degree: float
    betweenness: float
    pagerank: float
    community: int


def _simple(g: nx.MultiDiGraph, directed: bool) -> nx.Graph:
    out = nx.DiGraph() if directed else nx.Graph()
    out.add_nodes_from(sorted(g.nodes))
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
        w = float(d.get("weight", 1.0))
        if out.has_edge(u, v):
            out[u][v]["weight"] += w
        else:
            out.add_edge(u, v, weight=w)
    return out


def compute(g: nx.MultiDiGraph) -> dict[str, dict[str, float | int]]:
    """Metrics per node (keys of :data:`METRICS`).

    Edges whose predicate the view lists in ``graph["non_metric_predicates"]`` (e.g.
    group membership) are left out. A view marked ``graph["directed"] = False`` gets
    PageRank on its undirected graph: its edge directions mean nothing."""
    if g.number_of_nodes() == 0:
        return {}
    skip = set(g.graph.get("non_metric_predicates", ()))
    if skip:
        kept = nx.MultiDiGraph()
        kept.add_nodes_from(g.nodes)
        kept.add_edges_from((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True) if d.get("predicate") not in skip)
        g = kept
    undirected = _simple(g, directed=False)
    directed = _simple(g, directed=True) if g.graph.get("directed", True) else undirected
    between = betweenness(undirected)
    pagerank = nx.pagerank(directed, weight="weight")
    community = {n: i for i, members in enumerate(communities(undirected)) for n in members}
    out: dict[str, dict[str, float | int]] = {}
    for n in sorted(g.nodes):
        out[n] = {
            "degree": int(g.degree(n)),
            "weighted_degree": round(float(g.degree(n, weight="weight")), DIGITS),
            "betweenness": round(float(between[n]), DIGITS),
            "pagerank": round(float(pagerank[n]), DIGITS),
            "community": int(community[n]),
        }
    return out


def annotate(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Write the metrics into the graph's node attributes (in place) and return it."""
    for n, values in compute(g).items():
        g.nodes[n].update(values)
    return g


class MetricsTable(list):
    """Rows of :class:`NodeMetrics`; ``betweenness`` says how that column was computed
    (:func:`betweenness_method`)."""

    def __init__(self, rows, betweenness: str) -> None:
        super().__init__(rows)
        self.betweenness = betweenness


def table(g: nx.MultiDiGraph, *, top: int = 10, by: str = "pagerank", metrics: dict | None = None) -> MetricsTable:
    """The ``top`` nodes by one metric (ties broken by node id); ``metrics`` if already computed."""
    if by not in METRICS:
        raise ValueError(f"unknown metric {by!r}; known: {', '.join(METRICS)}")
    metrics = compute(g) if metrics is None else metrics
    rows = [
        NodeMetrics(n, str(g.nodes[n].get("label", n)), str(g.nodes[n].get("type", "")), **metrics[n])
        for n in metrics
    ]
    rows.sort(key=lambda r: (-getattr(r, by), r.node))
    return MetricsTable(rows[:top], betweenness_method(g.number_of_nodes()))


_PROPS = {
    "degree": (EK.degree, XSD.integer),
    "weighted_degree": (EK.weightedDegree, XSD.double),
    "betweenness": (EK.betweenness, XSD.double),
    "pagerank": (EK.pagerank, XSD.double),
    "community": (EK.community, XSD.integer),
}


def to_rdf(g: nx.MultiDiGraph, view: str, metrics: dict | None = None) -> Dataset:
    """The metrics as RDF, in a named graph of their own per view
    (``graph:metrics/<view>``): metrics of several views can live side by side, and
    asserted facts stay apart. The graph itself names its view (``ek:metricsView``)."""
    import re

    from .vocab import GRAPH

    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(view).stem if view.endswith(".rq") else view)
    part = ds.graph(GRAPH[f"metrics/{name}"])
    part.add((part.identifier, EK.metricsView, Literal(view)))
    for n, values in (compute(g) if metrics is None else metrics).items():
        iri = g.nodes[n].get("iri")
        if not iri:
            continue  # nodes the view made up (state groups) have no IRI
        subject = URIRef(iri)
        for metric, (prop, datatype) in _PROPS.items():
            part.add((subject, prop, Literal(values[metric], datatype=datatype)))
    return ds
