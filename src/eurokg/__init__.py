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
    project = project or find_project()
    ontology, dataset = load(project)
    return _reason(ontology.graph, union_graph(dataset), timeout_s=timeout_s)


def export(dataset: Dataset, fmt: str, path: Path | str, *, ontology: Ontology | None = None,
           project: Project | None = None) -> str:
    """Write ``dataset`` as ``fmt`` to ``path`` atomically; returns the file's sha256."""
    from .exporters import export_to

    path = Path(path)
    if ontology is None:
        ontology = Ontology.load((project or find_project()).ontology)
    pub = Publication(path.parent)
    try:
        pub.add_with(path.name, lambda fh: export_to(dataset, ontology, fmt, fh))
    except BaseException:
        pub.abort()
        raise
    return pub.commit(manifest=False)[path.name]


__all__ = [
    "BuildResult", "EurokgError", "FORMATS", "InconsistentOntology", "InputError", "LimitExceeded",
    "Ontology", "Project", "QueryRefused", "QueryResult", "ReasonerError", "ReasoningReport", "Report",
    "Stats", "UsageError", "ValidationFailed", "build", "export", "find_project", "load", "open_built",
    "query", "reason", "render", "saved_queries", "stats", "union_graph", "validate",
]
