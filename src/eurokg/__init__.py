"""eurokg: a knowledge graph of Eurasian geopolitics.

The public API; the command line (``eurokg``) is a thin layer over it::

    import eurokg
    project = eurokg.find_project()
    result = eurokg.build(project)            # load, merge, reason, validate, write build/
    rows = eurokg.query(result.dataset, "SELECT ?s WHERE { ?s a ek:Treaty }")
    eurokg.export(result.dataset, "graphml", "out.graphml")
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from .build import BuildResult, build, load, validate_files
from .errors import (
    EurokgError,
    InconsistentOntology,
    InputError,
    LimitExceeded,
    QueryRefused,
    ReasonerError,
    UsageError,
    ValidationFailed,
)
from .exporters import FORMATS
from .iosafe import Publication
from .merge import union_graph
from .ontology import Ontology
from .project import Project, find_project
from .query import QueryResult, render, run_query, saved_queries
from .reason import ReasoningReport, reason as _reason
from .stats import Stats, stats
from .store import open_built
from .validate import Report

__version__ = "0.1.0"


def api_errors() -> tuple[type[BaseException], ...]:
    """Third-party exceptions bad input can still raise past eurokg's own checks."""
    return (OSError, ValueError)


def query(graph: Graph | Dataset, text: str, **options) -> QueryResult:
    """Run a SPARQL query under eurokg's policy (see :func:`eurokg.query.run_query`)."""
    return run_query(graph, text, **options)


def validate(project: Project | None = None, files: list[Path] | None = None) -> Report:
    """Validate the curated data (plus extra ``files``) against the shapes."""
    return validate_files(project or find_project(), files)


def reason(project: Project | None = None, *, timeout_s: float = 120.0) -> ReasoningReport:
    """Load the ontology with the curated data and run HermiT on it."""
    from .build import load_all

    project = project or find_project()
    loaded = load_all(project)
    return _reason(loaded.ontology.graph, union_graph(loaded.dataset), timeout_s=timeout_s)


def open_build(project: Project | None = None, *, data: Path | str | None = None, store: str | None = None):
    """The dataset of the last build (``build/eurokg.trig``), or of a TriG/N-Quads file ``data``,
    in the store named by ``store`` (``memory``, ``oxigraph`` or ``auto``; default: the
    project's ``[tool.eurokg] store`` setting, else ``memory``). Read under the project's
    ``[tool.eurokg.limits]`` (``data`` without a project: the limits in force); the build's own
    output has no size cap, since it holds every input file at once."""
    from dataclasses import replace

    from .limits import MAX_COUNT, applied, current

    if data is not None:
        with applied(project.limits() if project is not None else current()):
            return open_built(Path(data), store=store or "memory")
    project = project or find_project()
    with applied(replace(project.limits(), max_input_bytes=MAX_COUNT)):
        return open_built(project.build_dir / "eurokg.trig", store=store or project.setting("store", "memory"))


def query_build(
    project: Project | None = None,
    *,
    text: str | None = None,
    file: Path | str | None = None,
    bind: dict | list | tuple = (),
    data: Path | str | None = None,
    store: str | None = None,
    **options,
) -> QueryResult:
    """Run a query — ``text``, or a saved ``.rq`` ``file`` — on the last build.

    ``bind`` maps variable names to values, or lists ``"NAME=VALUE"`` strings as
    on the command line; other options go to :func:`eurokg.query.run_query`. The time limit
    and row cap default to the project's ``[tool.eurokg.limits]`` (without a project, with
    ``data`` only: to eurokg's defaults)."""
    from .query import load_query_file, parse_binding

    if (text is None) == (file is None):
        raise UsageError("give a query text or a query file (exactly one)")
    source = str(file) if file is not None else "<-e>"
    if file is not None:
        text = load_query_file(file).text
    if isinstance(bind, dict):
        bindings = dict(bind)
    else:
        bindings = dict(parse_binding(b) for b in bind)
    if data is None or project is not None:
        project = project or find_project()
        limits = project.limits()
        options.setdefault("timeout_s", limits.query_timeout_s)
        options.setdefault("max_rows", limits.max_rows)
    dataset = open_build(project, data=data, store=store)
    return run_query(dataset, text, bindings=bindings, source=source, **options)


def _project_ontology(project: Project) -> Ontology:
    from .build import project_ontology

    return project_ontology(project)


def export_build(fmt: str, path: Path | str, *, project: Project | None = None,
                 data: Path | str | None = None, view: str = "full") -> str:
    """Export the last build (or ``data``) as ``fmt`` to ``path``; returns the file's sha256.
    Graph formats (graphml, gexf, csv-nodes, csv-edges) write ``view``."""
    from .exporters import writer
    from .limits import applied

    writer(fmt)  # an unknown format is a usage error before any work
    project = project or find_project()
    with applied(project.limits()):  # a .rq view's time limit
        return export(open_build(project, data=data), fmt, path, ontology=_project_ontology(project), view=view)


def view(name: str | Path = "full", *, project: Project | None = None, data: Path | str | None = None,
         metrics: bool = True):
    """A projected view of the last build as a networkx ``MultiDiGraph`` (with metric columns)."""
    from .limits import applied
    from .metrics import annotate
    from .views import build_view

    project = project or find_project()
    with applied(project.limits()):  # a .rq view's time limit
        g = build_view(open_build(project, data=data), _project_ontology(project), name)
    return annotate(g) if metrics else g


def analyze(name: str | Path = "full", *, project: Project | None = None, data: Path | str | None = None,
            top: int = 10, by: str = "pagerank", rdf: Path | str | None = None):
    """The ``top`` nodes of a view by a metric (see :mod:`eurokg.metrics`); with ``rdf``,
    every node's metrics are also written there as TriG (atomically)."""
    from .iosafe import write_atomic
    from .metrics import compute, table, to_rdf

    if rdf is not None and not Path(rdf).parent.is_dir():
        raise UsageError(f"{Path(rdf).parent}: no such folder to write {Path(rdf).name} into")
    g = view(name, project=project, data=data, metrics=False)
    metrics = compute(g)
    if rdf is not None:
        write_atomic(rdf, to_rdf(g, str(name), metrics).serialize(format="trig"))
    return table(g, top=top, by=by, metrics=metrics)


def draw(path: Path | str, name: str | Path = "full", *, project: Project | None = None,
         data: Path | str | None = None) -> str:
    """Draw a view to ``path`` (.png or .svg) atomically; returns the file's sha256."""
    from .draw import format_for, render

    fmt = format_for(path)
    path = Path(path)
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder to write {path.name} into")
    g = view(name, project=project, data=data, metrics=False)
    pub = Publication(path.parent)
    pub.add(path.name, render(g, fmt, title=f"eurokg — {Path(str(name)).stem if str(name).endswith('.rq') else name}"))
    return pub.commit(manifest=False)[path.name]


def linker(project: Project | None = None, *, review: bool = True):
    """A :class:`eurokg.link.Linker` over the project's gazetteer (``data/gazetteer/``),
    with its review file (``review.csv``) unless ``review=False``."""
    from .build import load_gazetteer
    from .limits import applied
    from .link import Linker, ReviewFile

    project = project or find_project()
    ontology = _project_ontology(project)
    gazetteer = load_gazetteer(project, ontology)
    with applied(project.limits()):  # the review file's size
        review_file = ReviewFile(project.gazetteer / "review.csv", gazetteer,
                                 display=project.relpath(project.gazetteer / "review.csv")) if review else None
    return Linker(gazetteer, ontology, review=review_file)


def export(dataset: Dataset, fmt: str, path: Path | str, *, ontology: Ontology | None = None,
           project: Project | None = None, view: str | Path = "full") -> str:
    """Write ``dataset`` as ``fmt`` to ``path`` atomically; returns the file's sha256."""
    from .exporters import export_to, writer
    from .limits import applied, current

    writer(fmt)
    path = Path(path)
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder to write {path.name} into")
    if ontology is None:
        project = project or find_project()
        ontology = _project_ontology(project)
    pub = Publication(path.parent)
    try:
        with applied(project.limits() if project is not None else current()):  # a .rq view's time limit
            pub.add_with(path.name, lambda fh: export_to(dataset, ontology, fmt, fh, view=str(view)))
    except BaseException:
        pub.abort()
        raise
    return pub.commit(manifest=False)[path.name]


__all__ = [
    "BuildResult", "EurokgError", "analyze", "draw", "linker", "view", "FORMATS", "InconsistentOntology", "InputError", "LimitExceeded",
    "Ontology", "Project", "QueryRefused", "QueryResult", "ReasonerError", "ReasoningReport", "Report",
    "Stats", "UsageError", "ValidationFailed", "build", "export", "export_build", "find_project", "load",
    "open_build", "open_built", "query", "query_build", "reason", "render", "run_query", "saved_queries",
    "stats", "union_graph", "validate",
]
