"""The main job: load -> merge -> reason -> validate -> write ``build/``.

Each stage is a function of the one before; :func:`build` strings them
together, reports progress through a callback, and publishes the outputs
together (or not at all) under a lock.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rdflib import Dataset, Graph

from .errors import ValidationFailed
from .exporters import FORMATS, GraphExport, export_to
from .exporters.rdf import background_rdf
from .iosafe import Publication, building, confined, locked, plain_name
from .limits import applied
from .merge import NamedGraphs, Origins, add_ontology, entailed_types, materialize_types, merge, release, union_graph, union_size, union_triples
from .ontology import Ontology
from .project import Project
from .rdfwrite import shared_terms
from .reason import ReasonerRun, ReasoningReport, check as check_reasoning
from .sources import curated_files, load_files
from .validate import Report, load_shapes, validate_graph
from .vocab import PROVENANCE_GRAPH

if TYPE_CHECKING:
    from .shacl_store import StoreCopy
    from .validate import ValidationJob

Progress = Callable[[str], None]

OUTPUTS = {
    "eurokg.ttl": "ttl",
    "eurokg.trig": "trig",
    "eurokg.graphml": "graphml",
}
REPORTS = ("validation.ttl", "validation.txt", "reasoning.txt", "claims.jsonl", "claims.txt")
"""The reports a build may write beside :data:`OUTPUTS` (and the manifest)."""
BUILD_FILES = (*OUTPUTS, *REPORTS, Publication.MANIFEST)
"""Every file a build writes into ``build/`` (whose leftover staging files it sweeps)."""


@dataclass
class BuildResult:
    named: NamedGraphs
    """The built named graphs as the build held them (see :class:`eurokg.merge.NamedGraphs`)."""
    ontology: Ontology
    report: Report
    reasoning: ReasoningReport | None
    outputs: dict[str, str] = field(default_factory=dict)  # name -> sha256
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage, in order. Where a child process validated beside the writing,
    "validate (SHACL)" is the hand-over to it, and "wait for validation" (its report read
    and located, after any wait) is part of "write outputs", not a stage of its own."""
    claims: "ClaimsStage | None" = None
    size: int | None = field(default=None, repr=False)  # ``triples``, where the build counted it
    _dataset: Dataset | None = field(default=None, repr=False)

    @property
    def dataset(self) -> Dataset:
        """The built graph as an rdflib ``Dataset`` (SPARQL's default graph the union of the named
        graphs), made on first use: the build itself does not need it."""
        if self._dataset is None:
            self._dataset = self.named.to_dataset()
        return self._dataset

    @property
    def triples(self) -> int:
        """Triples in the union of the named graphs without provenance (asserted and inferred)."""
        if self.size is None:
            self.size = union_size(self.named, include_provenance=False)
        return self.size

    @property
    def graphs(self) -> int:
        return sum(1 for g in self.named.graphs() if len(g))


@dataclass
class Loaded:
    ontology: Ontology
    dataset: NamedGraphs
    origins: Origins
    copy: "StoreCopy | None" = None
    """(``load_all(..., store_copy=True)``) the Oxigraph copy begun while reading, for validation."""


def load_all(project: Project, files: list[Path] | None = None, *, store_copy: bool = False) -> Loaded:
    """Load the ontology and the curated files (all by default), merge them, and keep
    where every entity was written (to locate validation results). ``store_copy``: also
    begin the Oxigraph copy the store engine validates (:class:`eurokg.shacl_store.StoreCopy`)."""
    copy = None
    if store_copy:
        from .shacl_store import StoreCopy

        copy = StoreCopy()
    with applied(project.limits()):
        ontology = project_ontology(project)
        paths = files if files is not None else confined(curated_files(project.curated), project.root, project.relpath)
        contributions = load_files(paths, ontology, display=project.relpath, copy=copy)
    merged = merge(contributions)
    if copy is not None:
        copy.describe(contributions)
    return Loaded(ontology, merged, Origins.from_contributions(contributions), copy)


def project_ontology(project: Project) -> Ontology:
    """The project's ontology (``ontology/eurokg.ttl``), read under the project's limits."""
    with applied(project.limits()):
        return Ontology.load(project.ontology, display=project.relpath(project.ontology))


def load(project: Project, files: list[Path] | None = None) -> tuple[Ontology, Dataset]:
    """Load the ontology and the curated files (all of them by default) and merge them into
    an rdflib ``Dataset``."""
    loaded = load_all(project, files)
    return loaded.ontology, loaded.dataset.to_dataset()


def _noop(_: str) -> None:
    pass


@contextmanager
def _fewer_collections():
    """Run Python's cyclic garbage collector less often while building. rdflib holds a
    graph as millions of small long-lived objects, and with CPython 3.11's default (a
    young-generation pass every 700 net allocations, an older one every ten of those) the
    collector took about a quarter of a 100k-triple build; a young pass every 50,000
    allocations keeps peak memory where it was (``docs/scale.md`` §2b). Left alone when
    the collector is off (threshold 0) or already set as high. The setting is the
    process's: builds in two threads at once may leave the higher threshold behind."""
    before = gc.get_threshold()
    if before[0] == 0 or before[0] >= 50_000:
        yield
        return
    gc.set_threshold(50_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _return_free_memory() -> None:
    """Hand the memory the validation freed back to the operating system. The SHACL engine's
    Oxigraph store lives in memory taken with ``malloc``; freed, it stays with the process
    (Python's own allocator cannot reuse it for small objects), and the Gephi view and the
    writers would take more on top: at a million triples ``malloc_trim`` gave back about
    500 MB, the build's peak fell by as much (``docs/scale.md`` §2f). glibc only; elsewhere
    nothing happens."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return
    trim(0)


def _copy_file(path: Path, out) -> None:
    import shutil

    with open(path, "rb") as fh:
        shutil.copyfileobj(fh, out, 1 << 20)


def build(
    project: Project,
    *,
    strict: bool = False,
    run_reasoner: bool = True,
    reasoner_timeout_s: float = 120.0,
    write: bool = True,
    progress: Progress = _noop,
    extract: bool = True,
    min_sources: int | None = None,
) -> BuildResult:
    """Run the whole pipeline; raise :class:`ValidationFailed` (nothing written) when it fails."""
    from contextlib import nullcontext

    # a second build of the same project fails at once instead of after all its work (the
    # lock is on the project folder: a failed build leaves build/ as it was)
    with _fewer_collections(), (building(project.root) if write else nullcontext()), applied(project.limits()):
        return _build(project, strict=strict, run_reasoner=run_reasoner, reasoner_timeout_s=reasoner_timeout_s,
                      write=write, progress=progress, extract=extract, min_sources=min_sources)


def _build(project: Project, **options) -> BuildResult:
    from contextlib import ExitStack

    with ExitStack() as jobs:  # child processes still running when the build ends or fails are stopped
        return _stages(project, jobs=jobs, **options)


def _stages(project: Project, *, strict: bool, run_reasoner: bool, reasoner_timeout_s: float, write: bool,
            progress: Progress, extract: bool, min_sources: int | None, jobs) -> BuildResult:
    timings: dict[str, float] = {}

    def step(name: str):
        progress(name)
        timings[name] = time.perf_counter()

    def done(name: str):
        timings[name] = round(time.perf_counter() - timings[name], 3)

    step("load and merge")
    loaded = load_all(project, store_copy=_may_use_the_store(project))
    ontology, dataset = loaded.ontology, loaded.dataset
    # The union of the named graphs, copied once (rdflib adds about 100k triples a second)
    # and grown with each stage's additions: first the asserted data, for the extraction;
    # then with the facts the articles corroborate, for the type hierarchy; then with the
    # provenance graph, where pySHACL or the reasoner reads it; then with the inferred
    # types, for the Gephi view.
    data = union_graph(dataset, include_provenance=False)
    done("load and merge")

    claims = None
    if extract:
        step("extract claims from articles")
        claims = extract_stage(project, loaded, min_sources=min_sources, curated=data)
        for t in claims.corroboration.asserted:  # as add_claims put them in graph:corroborated
            data.add(t)
        done("extract claims from articles")

    asserted = len(data)  # the union without provenance; the inferred types come on top
    step("validate (SHACL)")
    entailed = entailed_types(data, ontology)  # from the data alone, before the provenance joins it
    provenance = dataset.graph(PROVENANCE_GRAPH)
    engine = _engine(project, asserted + len(provenance))
    if run_reasoner or engine != "oxigraph":
        # (Oxigraph's copy for validation is made from the curated Turtle and the named
        # graphs, and the Gephi view leaves the provenance out: 360,000 additions at a
        # million triples saved)
        for t in provenance:
            data.add(t)
    # HermiT works in a child process, on its own copy of the data, while SHACL runs here.
    # SHACL's verdict still comes first: its messages say what is wrong with a value; the
    # reasoner only says "inconsistent". The reasoner's time is its input's preparation
    # here plus the wait after validation.
    reasoner, preparing = None, 0.0
    if run_reasoner:
        begun = time.perf_counter()
        reasoner = ReasonerRun(ontology.graph, data, timeout_s=reasoner_timeout_s)
        preparing = time.perf_counter() - begun
    reasoning = None
    # Without the reasoner the report changes no output: at scale a child process validates
    # while this one writes, and the outputs are published only once the report passes
    # (eurokg.validate.ValidationJob). Otherwise validation runs here, first.
    background = None
    if (write and reasoner is None and engine == "oxigraph" and loaded.copy is not None
            and asserted + len(provenance) >= BACKGROUND_VALIDATION_TRIPLES):
        background = _validate_in_background(project, loaded, jobs)
    report: Report | None = None
    try:
        if background is None:
            report = _validate(project, loaded, data, engine=engine)
            # The engine's Oxigraph store is garbage now, but rdflib's SPARQL parser (pyparsing)
            # leaves exceptions in reference cycles whose frames reach back to the callers that
            # held the store (see eurokg.validate.release_parser_frames): it is freed by a full
            # collection, not when validation returns (at a million triples, 300 MB more for the
            # rest of the build). Then its memory goes back. (A child's validation leaves nothing
            # here: the collection, 1-1.5 s at a million triples, is saved.)
            gc.collect()
            _return_free_memory()
        done("validate (SHACL)")
        timings["validate (SHACL)"] = round(timings["validate (SHACL)"] - preparing, 3)
        if report is not None and not report.passes(strict=strict):
            raise ValidationFailed(report)
        if reasoner is not None:
            step("reason (HermiT)")
            reasoning = reasoner.result()
            done("reason (HermiT)")
            timings["reason (HermiT)"] = round(timings["reason (HermiT)"] + preparing, 3)
            check_reasoning(reasoning)
    finally:
        if reasoner is not None:
            reasoner.close()

    step("materialize inferred types")
    from .vocab import expand

    extra = {}
    if reasoning is not None:
        extra = {expand(k): [expand(t) for t in v] for k, v in reasoning.inferred_types.items()}
    # every inferred type is one the asserted union does not state (see materialize_types)
    inferred = materialize_types(dataset, ontology, extra, asserted=data, entailed=entailed, into=data)
    add_ontology(dataset, ontology)
    done("materialize inferred types")

    result = BuildResult(named=dataset, ontology=ontology, report=report, reasoning=reasoning, timings=timings,
                         claims=claims, size=asserted + inferred)
    if write:
        step("write outputs")
        with locked(project.build_dir):
            pub = Publication(project.build_dir)
            pub.sweep(BUILD_FILES)  # what a build killed while writing left behind
            graphs: dict[str, GraphExport] = {}
            asked = False  # whether the child's report was asked for (it raises what it raises, once)
            try:
                staged: list[str] = []

                def validated(wait: bool) -> None:
                    """With validation in a child: its report, once there (or waited for),
                    stops the writing where it fails; the report's files are staged."""
                    nonlocal report, asked
                    if background is None or report is not None or not (wait or background.finished()):
                        return
                    asked = True
                    begun = time.perf_counter()
                    report = result.report = background.report()
                    timings["wait for validation"] = round(time.perf_counter() - begun, 3)
                    background.close()
                    if not report.passes(strict=strict):
                        raise ValidationFailed(report)
                    for name, text in _report_files(report).items():
                        pub.add(name, text())
                        staged.append(name)

                # the Gephi views first: a large view's metrics run in a child process while
                # this one writes everything else (see eurokg.metrics.MetricsJob); at a million
                # triples the child's betweenness is the longest part of the writing
                for name, fmt in OUTPUTS.items():
                    if FORMATS[fmt].kind == "graph":
                        graphs[name] = GraphExport(dataset, ontology, fmt, union=data, background=True)
                validated(wait=False)
                # the union graph has served its last stage (the views are projected); its
                # indexes go before the reports and the RDF are written (docs/scale.md §2f);
                # the Turtle reads the named graphs instead
                if not release(data):
                    gc.collect()  # (rdflib's own store: its graphs hold reference cycles)
                data = None
                # the reports, each staged as it is made
                reports = _report_files(report) if background is None else {}  # (else staged by validated())
                if reasoning is not None:
                    reports["reasoning.txt"] = reasoning.text
                if claims is not None:
                    reports["claims.jsonl"] = claims.jsonl
                    reports["claims.txt"] = claims.text
                for name, text in reports.items():
                    pub.add(name, text())
                    staged.append(name)
                # the Turtle and the TriG rank and convert their terms once between them; at
                # scale a child serializes them from those ranks while the Gephi views are
                # written here (the table goes first: the child has what it needs)
                rdf = [(name, fmt) for name, fmt in OUTPUTS.items() if name not in graphs]
                rdf_job = None
                try:
                    with shared_terms(t for g in dataset.graphs() for t in g) as table:
                        rdf_job = background_rdf(dataset, table)
                        if rdf_job is None:
                            for name, fmt in rdf:
                                pub.add_with(name, lambda fh, fmt=fmt: export_to(dataset, ontology, fmt, fh))
                                staged.append(name)
                    for name, export in graphs.items():
                        validated(wait=False)
                        pub.add_with(name, export.write)
                        staged.append(name)
                    if rdf_job is not None:
                        for name, fmt in rdf:
                            made = rdf_job.file(fmt) if fmt in rdf_job.FORMATS else None
                            if made is not None:
                                pub.add_with(name, lambda fh, made=made: _copy_file(made, fh))
                            else:  # the child failed: the same bytes, written here
                                pub.add_with(name, lambda fh, fmt=fmt: export_to(dataset, ontology, fmt, fh))
                            staged.append(name)
                finally:
                    if rdf_job is not None:
                        rdf_job.close()
                validated(wait=True)
                stale = _previous_outputs(project.build_dir) - set(staged)
                result.outputs = pub.commit(extra={
                    "inputs": input_digest(project, strict=strict, run_reasoner=run_reasoner, extract=extract,
                                           min_sources=min_sources),
                    "summary": summary_lines(result)})
                for name in sorted(stale):  # e.g. reasoning.txt from an earlier build with the reasoner
                    old = project.build_dir / name
                    if old.is_file() or old.is_symlink():
                        old.unlink(missing_ok=True)
            except BaseException as exc:
                pub.abort()
                if background is not None and not asked and isinstance(exc, Exception):
                    # validation's verdict comes first, as it does where validation runs before the writing
                    failed = background.report()  # (shapes it cannot use raise here)
                    if not failed.passes(strict=strict):
                        raise ValidationFailed(failed) from exc
                raise
            finally:
                for export in graphs.values():
                    export.close()
        done("write outputs")
    return result


def _report_files(report: Report) -> dict:
    """The validation report's outputs: name -> function making its text."""
    return {"validation.ttl": report.turtle, "validation.txt": report.text}


def summary_lines(result: BuildResult) -> list[str]:
    """What ``eurokg build`` reports about a build (kept in the manifest for an unchanged rebuild)."""
    lines = [result.report.summary()]
    if result.reasoning is not None:
        r = result.reasoning
        lines.append(f"reasoning: consistent, {len(r.unsatisfiable)} unsatisfiable classes, "
                     f"{sum(len(v) for v in r.inferred_types.values())} inferred types")
    lines.append(f"{result.triples} triples in {result.graphs} named graphs")
    return lines


def input_files(project: Project) -> list[Path]:
    """Every file a build reads: ontology, shapes, curated data, gazetteer, articles, settings."""
    from .extract import article_files

    files = [project.ontology, project.shapes,
             *confined([*curated_files(project.curated), *article_files(project.articles)], project.root, project.relpath)]
    files += gazetteer_files(project)
    settings = project.root / "pyproject.toml"
    if settings.exists():
        files.append(settings)
    return files


def gazetteer_files(project: Project) -> list[Path]:
    """The gazetteer's CSV files, each inside the project (see :func:`eurokg.iosafe.confined`)."""
    if not project.gazetteer.is_dir():
        return []
    return confined(sorted(p for p in project.gazetteer.iterdir() if p.is_file() and p.suffix == ".csv"),
                    project.root, project.relpath)


def load_gazetteer(project: Project, ontology: Ontology):
    """The project's gazetteer (``data/gazetteer/``), its files confined to the project as
    :func:`gazetteer_files` has them, its ``type`` values checked against the ontology's classes.
    Every command that links (build, extract, link and their evaluations) reads it here."""
    from .link.gazetteer import Gazetteer

    gazetteer_files(project)
    with applied(project.limits()):
        return Gazetteer.load(project.gazetteer, display=project.relpath,
                              types=set(ontology.class_names))


def input_digest(project: Project, **options) -> str:
    """SHA-256 over the eurokg version, the build options and every input file (path and bytes)."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("eurokg")
    except PackageNotFoundError:  # running from a source tree
        release = "source"
    digest = hashlib.sha256(f"eurokg {release}\n{sorted(options.items())!r}\n".encode())
    for path in input_files(project):
        digest.update(f"{project.relpath(path)}\0".encode())
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def _sha256_of(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None where it cannot be read (gone, a folder...)."""
    import hashlib

    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def up_to_date(project: Project, **options) -> list[str] | None:
    """The stored summary when ``build/`` was made from exactly these inputs and options and
    its files are intact; None when a build is needed.

    The outputs are hashed in threads while the inputs are (hashlib and file reads let go
    of the GIL): at a million triples that is 370 MB of outputs beside 50 MB of inputs."""
    import json
    import os
    from concurrent.futures import ThreadPoolExecutor

    manifest = project.build_dir / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    files = data.get("files") or {}
    if not isinstance(files, dict) or not all(plain_name(name) for name in files):
        return None  # (checked before any of them is opened)
    pool = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)))
    try:
        digests = {name: pool.submit(_sha256_of, project.build_dir / name) for name in files}
        fresh = (data.get("inputs") == input_digest(project, **options)
                 and all(future.result() == files[name] for name, future in digests.items()))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # (what is not hashed yet, once a build is needed)
    return list(data.get("summary") or []) if fresh else None


def sweep_staging(project: Project) -> list[str]:
    """Remove the staging files a build killed while writing left in ``build/`` (what a
    build does first; a rebuild answered by :func:`up_to_date` writes nothing, so it calls
    this instead). Left alone while another build is writing there. Returns the names removed."""
    from .errors import BuildLocked

    if not project.build_dir.is_dir():
        return []
    try:
        with locked(project.build_dir):
            return Publication(project.build_dir).sweep(BUILD_FILES)
    except BuildLocked:
        return []  # a build is writing: its staging files are live


def _previous_outputs(folder: Path) -> set[str]:
    """Names listed in the manifest of the build already in ``folder``."""
    import json

    try:
        names = set(json.loads((folder / Publication.MANIFEST).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    # never a path elsewhere, nor the manifest itself, whatever the manifest says
    return {name for name in names if plain_name(name) and name != Publication.MANIFEST}


def validate_files(project: Project, files: list[Path] | None = None, *, engine: str | None = None) -> Report:
    """Validate the curated data plus ``files`` (extra sheets or Turtle), without reasoning or writing."""
    with applied(project.limits()):  # the shapes are read here too
        paths = confined(curated_files(project.curated), project.root, project.relpath)
        for extra in files or []:
            if Path(extra).resolve() not in {p.resolve() for p in paths}:
                paths.append(Path(extra))
        loaded = load_all(project, paths, store_copy=_may_use_the_store(project, engine))
        return _validate(project, loaded, union_graph(loaded.dataset), engine=engine)


@dataclass
class ClaimsStage:
    extractions: list
    corroboration: object
    min_sources: int
    count: int

    def jsonl(self) -> str:
        return "".join(e.jsonl() for e in self.extractions)

    def text(self) -> str:
        from .extract.claims import report_text

        return report_text(self.extractions, self.corroboration, self.min_sources)


def extract_stage(project: Project, loaded: Loaded, *, min_sources: int | None = None,
                  files: list[Path] | None = None, curated: Graph | None = None) -> ClaimsStage:
    """Extract claims from the project's articles (``data/articles``), corroborate them
    against each other and the curated data, and add them to the dataset. ``curated``:
    the dataset's union without provenance, where the caller has it already."""
    from .extract import Extractor, article_files, distinct_ids
    from .extract.claims import DEFAULT_MIN_SOURCES, add_claims, corroborate
    from .extract.kb import KnowledgeBase

    threshold = min_sources if min_sources is not None else project.setting("min-sources", DEFAULT_MIN_SOURCES)
    paths = files if files is not None else confined(article_files(project.articles), project.root, project.relpath)
    if curated is None:
        curated = union_graph(loaded.dataset, include_provenance=False)
    if not paths:
        return ClaimsStage([], corroborate([], curated, loaded.ontology, min_sources=threshold), threshold, 0)
    gaz = load_gazetteer(project, loaded.ontology)
    kb = KnowledgeBase(loaded.ontology, gaz, curated)
    extractor = Extractor(kb)
    extractions = distinct_ids([extractor.extract_file(p, display=project.relpath(p)) for p in paths])
    corroboration = corroborate(extractions, curated, loaded.ontology, min_sources=threshold)
    count = add_claims(loaded.dataset, extractions, corroboration, kb)
    kb.forget_graph()  # the claims outlive the union they were checked against (docs/scale.md §2f)
    return ClaimsStage(extractions, corroboration, threshold, count)


def _asked_engine(project: Project, engine: str | None = None) -> str:
    """The SHACL engine asked for, else ``[tool.eurokg] validator``, else "auto"."""
    return engine or project.setting("validator", "auto")


def _may_use_the_store(project: Project, engine: str | None = None) -> bool:
    """Whether validation may run on Oxigraph (asked for, or "auto" and the graph large):
    then its copy is begun as the files are read (:func:`load_all`)."""
    return _asked_engine(project, engine) in ("auto", "oxigraph")


def _engine(project: Project, size: int, engine: str | None = None) -> str:
    """The engine :func:`_asked_engine` names; "auto" is pySHACL for graphs of ``size``
    triples up to :data:`eurokg.validate.AUTO_TRIPLES`, Oxigraph above."""
    from .validate import choose_engine

    return choose_engine(_asked_engine(project, engine), size)


def _shapes(project: Project) -> tuple[Graph, str]:
    """The project's shapes graph, and the name its errors give (relative to the project)."""
    shapes_name = project.relpath(project.shapes)
    return load_shapes(project.shapes, display=shapes_name), shapes_name


BACKGROUND_VALIDATION_TRIPLES = 100_000
"""A build without the reasoner validates in a child process, beside the writing, from this
many triples (with the provenance graph) on; below, the child's start costs more than it saves."""


def _validate_in_background(project: Project, loaded: Loaded, jobs) -> ValidationJob | None:
    """Start validating ``loaded``'s store copy in a child (:class:`eurokg.validate.ValidationJob`),
    entered into ``jobs``; None where it could not start (``loaded.copy`` is then intact)."""
    from .validate import ValidationJob

    shapes, shapes_name = _shapes(project)
    job = ValidationJob.start(loaded.copy, union_triples(loaded.dataset, exclude=loaded.copy.graphs), shapes,
                              loaded.ontology.graph, locate=loaded.origins.locate, shapes_name=shapes_name)
    if job is None:
        return None
    loaded.copy = None  # (handed over)
    return jobs.enter_context(job)


def _validate(project: Project, loaded: Loaded, data: Graph, *, engine: str | None = None) -> Report:
    """SHACL with the engine asked for or set (:func:`_engine`). ``data``: the union of
    ``loaded``'s named graphs, the provenance graph included; with the Oxigraph engine it
    is only counted (for "auto"), and may leave the provenance graph out."""
    shapes, shapes_name = _shapes(project)
    if engine is None or engine == "auto":
        engine = _engine(project, len(data), engine)
    if engine == "oxigraph":
        # Oxigraph's copy holds the same triples as ``data`` (a triple in two graphs is stored
        # once): the curated Turtle as parsed (begun by load_all), the other named graphs
        # copied from their sets, which is cheaper than from rdflib's indexes
        from .shacl_store import StoreCopy

        copy, loaded.copy = loaded.copy or StoreCopy(), None  # (used once: it gains the RDFS closure)
        data = copy.complete(union_triples(loaded.dataset, exclude=copy.graphs))
    return validate_graph(data, shapes, loaded.ontology.graph, locate=loaded.origins.locate,
                          shapes_name=shapes_name, engine=engine)
