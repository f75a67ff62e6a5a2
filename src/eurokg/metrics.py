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

from .child import ChildProcess
from .vocab import EK, PREFIXES, XSD

SEED = 42
DIGITS = 12


EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_SOURCES = 1_000
BETWEENNESS_MIN_SOURCES = 100
BETWEENNESS_BUDGET = 25_000_000
"""Sources times nodes: above 25,000 nodes betweenness is estimated from fewer than
:data:`BETWEENNESS_SOURCES` sources (never fewer than :data:`BETWEENNESS_MIN_SOURCES`), so
that its breadth-first searches take about as long at any size. With 1,000 sources the
estimate took longer than the rest of the build's writing at a million triples (121,512
nodes: 205 sources now; ``docs/scale.md`` §2g)."""


def _sources(nodes: int) -> int | None:
    """How many source nodes betweenness is estimated from, or None where it is exact
    (module settings read at call time, so a caller may change them)."""
    if nodes <= EXACT_BETWEENNESS_MAX_NODES:
        return None
    k = min(BETWEENNESS_SOURCES, max(BETWEENNESS_MIN_SOURCES, BETWEENNESS_BUDGET // nodes))
    return k if k < nodes else None


def _edge_lists(undirected: nx.Graph) -> tuple[list, list[tuple[int, int]], list[float]]:
    """The nodes of ``undirected`` in order, and its edges as index pairs with their
    weights (self-loops left out: they lie on no shortest path and join no two
    communities). igraph builds the same graph from these in this process or another."""
    nodes = list(undirected.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    pairs, weights = [], []
    for a, b, w in undirected.edges(data="weight", default=1.0):
        if a != b:
            pairs.append((index[a], index[b]))
            weights.append(float(w))
    return nodes, pairs, weights


def raw_betweenness(n: int, pairs, sources: int | None) -> list[float]:
    """igraph's unnormalised betweenness of the undirected graph on ``n`` vertices, exact,
    or counted from ``sources`` vertices drawn with :data:`SEED`."""
    import random

    import igraph

    g = igraph.Graph(n=n, edges=pairs, directed=False)
    if sources is None:
        return g.betweenness(directed=False)
    return g.betweenness(directed=False, sources=sorted(random.Random(SEED).sample(range(n), sources)))


def membership(n: int, pairs, weights) -> list[int]:
    """igraph's Louvain (multilevel) community of each vertex, with a generator seeded with
    :data:`SEED`; igraph's default generator (Python's ``random``) is restored after."""
    import random

    import igraph

    g = igraph.Graph(n=n, edges=pairs, directed=False)
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        return g.community_multilevel(weights=list(weights) if len(pairs) else None).membership
    finally:
        igraph.set_random_number_generator(random)


def _scaled(nodes: list, raw: list[float], sources: int | None) -> dict:
    n = len(nodes)
    scale = 2.0 / ((n - 1) * (n - 2))
    if sources is not None:
        scale *= n / sources
    return {v: b * scale for v, b in zip(nodes, raw)}


def _grouped(nodes: list, member_of: list[int]) -> list[list]:
    groups: dict[int, list] = {}
    for v, c in zip(nodes, member_of):
        groups.setdefault(c, []).append(v)
    return sorted((sorted(c) for c in groups.values()), key=lambda c: (-len(c), c[0]))


def betweenness(undirected: nx.Graph) -> dict:
    """Normalised betweenness, as ``networkx.betweenness_centrality(G, normalized=True)``
    gives it, computed by igraph's C implementation: the same numbers (a test compares
    them), about 40 times faster.

    Exact costs a breadth-first search from every node (O(nodes x edges)): 15 s at 15k
    nodes, hours at a million triples. Above ``EXACT_BETWEENNESS_MAX_NODES`` nodes it is
    estimated from ``BETWEENNESS_SOURCES`` source nodes (fewer above 25,000 nodes: see
    :data:`BETWEENNESS_BUDGET`) drawn with a fixed seed, scaled by
    nodes/sources (Brandes and Pich 2007; what ``betweenness_centrality(G, k=...)`` does),
    so the numbers stay deterministic; :func:`betweenness_method` says which a graph gets."""
    nodes, pairs, _ = _edge_lists(undirected)
    if len(nodes) < 3:
        return {v: 0.0 for v in nodes}
    k = _sources(len(nodes))
    return _scaled(nodes, raw_betweenness(len(nodes), pairs, k), k)


def communities(undirected: nx.Graph) -> list[list]:
    """Louvain communities (Blondel et al. 2008) of the undirected weighted graph, each
    sorted, numbered by size and then by first member.

    igraph's ``community_multilevel`` in C: on the 300k-triple synthetic graph's full
    view (36,622 nodes) 0.6 s, where ``networkx.community.louvain_communities`` took
    14 s for a partition of the same modularity (0.333 and 0.331). Its random vertex
    order comes from a generator seeded with :data:`SEED` (:func:`membership`), so the
    partition is the same on every run."""
    nodes, pairs, weights = _edge_lists(undirected)
    if not nodes:
        return []
    return _grouped(nodes, membership(len(nodes), pairs, weights))


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
    """``g`` without parallel edges (and, unless ``directed``, without direction), the weights
    of the edges merged summed. The edges are read by source, then target (sorted), then in
    the order they were added, and each simple edge is added where it is first met: the
    sums and the edge order (which Louvain's result depends on) are those of sorting all
    edges by their ends, without networkx's edge view (7.5 s at a million triples)."""
    if not (g.is_directed() and g.is_multigraph()):
        raise TypeError(f"metrics are computed on a view, a networkx MultiDiGraph, not a {type(g).__name__}")
    out = nx.DiGraph() if directed else nx.Graph()
    out.add_nodes_from(sorted(g.nodes))
    weights: dict[tuple, float] = {}  # in the order first met
    adjacency = g.succ
    for u in sorted(adjacency):
        targets = adjacency[u]
        for v in sorted(targets):
            edge = (u, v) if directed or u <= v else (v, u)
            for d in targets[v].values():
                w = float(d.get("weight", 1.0))
                if edge in weights:
                    weights[edge] += w
                else:
                    weights[edge] = w
    out.add_edges_from((u, v, {"weight": w}) for (u, v), w in weights.items())
    return out


BACKGROUND_MIN_NODES = 5_000
"""Views of at least this many nodes get betweenness and communities in a child process
when the caller asks for it (``MetricsJob(g, background=True)``): from there on
betweenness is estimated from at most 1,000 breadth-first searches (seconds), against about a
second for starting the child."""


class MetricsJob(ChildProcess):
    """The metrics of a view (:func:`compute`), under way.

    igraph's C code holds the GIL, so a thread would not help: with ``background=True`` a
    view of at least :data:`BACKGROUND_MIN_NODES` nodes gets its betweenness and Louvain
    communities from a child process (``python -m eurokg._metrics_worker``) while the
    caller writes other outputs, and :meth:`result` waits for them. The child makes the
    same igraph calls on the same edge lists, so the numbers are the same as in process
    (a test compares them). Should the child fail, the metrics are computed here after a
    warning. Use as a context manager, or call :meth:`close`, to stop a child not waited for."""

    def __init__(self, g: nx.MultiDiGraph, *, background: bool = False) -> None:
        super().__init__()
        self._result: dict | None = None
        self._g = g
        if g.number_of_nodes() == 0:
            self._result = {}
            return
        self._directed = g.graph.get("directed", True)  # the view's, not the filtered copy's
        skip = set(g.graph.get("non_metric_predicates", ()))
        if skip:
            kept = nx.MultiDiGraph()
            kept.add_nodes_from(g.nodes)
            kept.add_edges_from((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
                                if d.get("predicate") not in skip)
            g = kept
        self._counted = g
        self._undirected = _simple(g, directed=False)
        self._nodes, self._pairs, self._weights = _edge_lists(self._undirected)
        n = len(self._nodes)
        self._k = _sources(n)
        if background and n >= BACKGROUND_MIN_NODES:
            self._start()

    def _start(self) -> None:
        import sys

        import numpy as np

        folder = self._make_folder("eurokg-metrics-")
        with open(folder / "input.npz", "wb") as fh:
            np.savez(fh, n=np.int64(len(self._nodes)),
                     pairs=np.array(self._pairs, dtype=np.int64).reshape(-1, 2),
                     weights=np.array(self._weights, dtype=np.float64),
                     sources=np.int64(-1 if self._k is None else self._k))
        self._launch([sys.executable, "-m", "eurokg._metrics_worker", str(folder / "input.npz"),
                      str(folder / "output.npz")])

    def _from_child(self) -> tuple[list[float], list[int]] | None:
        import warnings

        import numpy as np

        self._proc.wait()
        try:
            if self._proc.returncode != 0:
                raise RuntimeError(f"exit {self._proc.returncode}: {' | '.join(self._stderr_tail(3))}")
            with np.load(self._folder / "output.npz") as out:
                return out["betweenness"].tolist(), out["membership"].tolist()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            warnings.warn(f"the metrics worker failed ({exc}); computing the metrics in this process", RuntimeWarning,
                          stacklevel=3)
            return None
        finally:
            self.close()

    def result(self) -> dict[str, dict[str, float | int]]:
        """Metrics per node (keys of :data:`METRICS`), as :func:`compute` gives them."""
        if self._result is not None:
            return self._result
        nodes, n = self._nodes, len(self._nodes)
        # what needs no child first, so that it is done while the child works
        g = self._counted
        directed = _simple(g, directed=True) if self._directed else self._undirected
        pagerank = nx.pagerank(directed, weight="weight")
        del directed
        degree, weighted = dict(g.degree()), dict(g.degree(weight="weight"))
        found = self._from_child() if self._proc is not None else None
        if found is None:
            raw = raw_betweenness(n, self._pairs, self._k) if n >= 3 else None
            found = raw, membership(n, self._pairs, self._weights)
        raw, member_of = found
        between = _scaled(nodes, raw, self._k) if n >= 3 else {v: 0.0 for v in nodes}
        community = {v: i for i, members in enumerate(_grouped(nodes, member_of)) for v in members}
        out: dict[str, dict[str, float | int]] = {}
        for v in sorted(g.nodes):
            out[v] = {
                "degree": int(degree[v]),
                "weighted_degree": round(float(weighted[v]), DIGITS),
                "betweenness": round(float(between[v]), DIGITS),
                "pagerank": round(float(pagerank[v]), DIGITS),
                "community": int(community[v]),
            }
        self._result = out
        return out

    def annotate(self) -> nx.MultiDiGraph:
        """Write the metrics into the view's node attributes (waiting for them) and return it."""
        for v, values in self.result().items():
            self._g.nodes[v].update(values)
        return self._g


def compute(g: nx.MultiDiGraph) -> dict[str, dict[str, float | int]]:
    """Metrics per node (keys of :data:`METRICS`).

    Edges whose predicate the view lists in ``graph["non_metric_predicates"]`` (e.g.
    group membership) are left out. A view marked ``graph["directed"] = False`` gets
    PageRank on its undirected graph: its edge directions mean nothing."""
    return MetricsJob(g).result()


def annotate(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Write the metrics into the graph's node attributes (in place) and return it."""
    return MetricsJob(g).annotate()


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
