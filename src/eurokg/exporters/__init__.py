"""Stage 7: exports, registered by name.

``FORMATS`` maps a format name to ``"module:writer"``; the module is imported
on first use. RDF formats take the dataset: ``writer(dataset, ontology, out)``, and
those that write the union of its graphs also ``union=`` (that union, where the caller
has it already; :func:`eurokg.merge.union_graph` with its defaults).
Graph formats take a projected view (see :mod:`eurokg.views`), with the graph
metrics as node columns: ``writer(graph, out)``. Adding a format is adding a
module and a line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import BinaryIO, Callable

from ..errors import UsageError


@dataclass(frozen=True)
class FormatInfo:
    name: str
    target: str
    suffix: str
    description: str
    kind: str = "rdf"  # "rdf": the dataset; "graph": a projected view
    takes_union: bool = False  # an "rdf" writer that accepts union=


FORMATS: dict[str, FormatInfo] = {
    f.name: f
    for f in (
        FormatInfo("ttl", "eurokg.exporters.rdf:write_turtle", ".ttl", "Turtle: the union of all named graphs",
                   takes_union=True),
        FormatInfo("trig", "eurokg.exporters.rdf:write_trig", ".trig", "TriG: every named graph, with the provenance graph"),
        FormatInfo("nt", "eurokg.exporters.rdf:write_ntriples", ".nt", "N-Triples, sorted: the union", takes_union=True),
        FormatInfo("nq", "eurokg.exporters.rdf:write_nquads", ".nq", "N-Quads, sorted: every named graph"),
        FormatInfo("jsonld", "eurokg.exporters.rdf:write_jsonld", ".jsonld", "JSON-LD: the union, with the project's prefixes as context"),
        FormatInfo("quickstatements", "eurokg.exporters.quickstatements:write_quickstatements", ".qs",
                   "QuickStatements V1 commands for Wikidata (statements with references; CREATE blocks)"),
        FormatInfo("graphml", "eurokg.exporters.graphml:write_graphml_view", ".graphml",
                   "GraphML for Gephi: a view's nodes and edges, literals and metrics as typed columns", "graph"),
        FormatInfo("gexf", "eurokg.exporters.gexf:write_gexf", ".gexf",
                   "GEXF 1.3 for Gephi, with dates as spells for the timeline", "graph"),
        FormatInfo("csv-nodes", "eurokg.exporters.tables:write_nodes_csv", ".csv",
                   "node table for Gephi's spreadsheet importer", "graph"),
        FormatInfo("csv-edges", "eurokg.exporters.tables:write_edges_csv", ".csv",
                   "edge table for Gephi's spreadsheet importer", "graph"),
    )
}


def writer(name: str) -> Callable[..., None]:
    info = FORMATS.get(name)
    if info is None:
        raise UsageError(f"unknown export format {name!r}; known formats: {', '.join(sorted(FORMATS))}")
    module, _, attr = info.target.partition(":")
    return getattr(importlib.import_module(module), attr)


class GraphExport:
    """A graph format's export of a view, begun: the view is projected and its metrics
    are under way (:class:`eurokg.metrics.MetricsJob`; with ``background=True`` a large
    view's betweenness and communities run in a child process), so the caller can write
    other outputs before :meth:`write`. Use as a context manager (or :meth:`close`) so an
    export not written stops its child."""

    def __init__(self, dataset, ontology, name: str, *, view: str = "full", metrics: bool = True, union=None,
                 background: bool = False) -> None:
        from ..metrics import MetricsJob
        from ..views import build_view

        self._fn = writer(name)  # an unknown name raises UsageError here
        if FORMATS[name].kind != "graph":
            raise UsageError(f"{name} is not a graph format")
        self.graph = build_view(dataset, ontology, view, union=union)
        self._metrics = MetricsJob(self.graph, background=background) if metrics else None

    def write(self, out: BinaryIO) -> None:
        if self._metrics is not None:
            self._metrics.annotate()
        self._fn(self.graph, out)

    def close(self) -> None:
        if self._metrics is not None:
            self._metrics.close()

    def __enter__(self) -> "GraphExport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def export_to(dataset, ontology, name: str, out: BinaryIO, *, view: str = "full", metrics: bool = True,
              union=None) -> None:
    """Write ``dataset`` as format ``name``; graph formats write ``view`` (with metrics).
    ``union``: the dataset's union graph (:func:`eurokg.merge.union_graph`, defaults), where
    the caller has it already, so that the writer or the view does not copy it again."""
    fn = writer(name)
    info = FORMATS[name]
    if info.kind == "graph":
        with GraphExport(dataset, ontology, name, view=view, metrics=metrics, union=union) as export:
            export.write(out)
        return
    if view != "full":
        raise UsageError(f"--view applies to graph formats ({', '.join(n for n, f in FORMATS.items() if f.kind == 'graph')}), not to {name}")
    if info.takes_union and union is not None:
        fn(dataset, ontology, out, union=union)
    else:
        fn(dataset, ontology, out)
