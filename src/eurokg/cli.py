"""The ``eurokg`` command: parse arguments, call the API, render. Nothing else.

Exit codes: 0 ok, 1 data or validation failure, 2 usage, 3 a limit or
timeout was hit. Library errors become one-line messages; ``-v`` shows the
traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import api_errors
from .errors import EurokgError, UsageError, ValidationFailed
from .limits import MAX_SECONDS
from .query import RENDERERS


class Context:
    def __init__(self, verbose: bool, project: str | None) -> None:
        self.verbose = verbose
        self._project_arg = project

    @property
    def project(self):
        from .project import find_project

        # an explicit --project is taken as given; otherwise look up from the current folder
        return find_project(self._project_arg, walk_up=self._project_arg is None)


def _fail(ctx_obj: Context, exc: EurokgError) -> None:
    if ctx_obj.verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, ValidationFailed):
        click.echo(exc.report.text(), err=True, nl=False)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _run(ctx_obj: Context, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except EurokgError as exc:
        _fail(ctx_obj, exc)
    except api_errors() as exc:  # third-party failures the user can cause; traceback only with -v
        if ctx_obj.verbose:
            raise
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


def _query_limits(obj: Context, timeout: float | None, max_rows: int | None) -> tuple[float, int]:
    """``--timeout`` and ``--max-rows`` where given, else the project's ``[tool.eurokg.limits]``
    (the defaults outside a project, e.g. with ``--data`` elsewhere)."""
    from .limits import Limits

    if timeout is not None and max_rows is not None:
        return timeout, max_rows
    project = _project_if_any(obj)
    limits = _run(obj, project.limits) if project is not None else Limits()
    return (timeout if timeout is not None else limits.query_timeout_s,
            max_rows if max_rows is not None else limits.max_rows)


def _project_if_any(obj: Context):
    """The project, for its settings, where a command can also work without one (``--data``
    given): None when there is no project here."""
    try:
        return obj.project
    except UsageError:
        return None


def _progress(enabled: bool):
    if not enabled:
        return lambda _msg: None

    def report(msg: str) -> None:
        click.echo(f"· {msg}", err=True)

    return report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
@click.option("--project", type=click.Path(file_okay=False), default=None,
              help="Project folder (default: the one containing the current folder).")
@click.version_option(package_name="eurokg")
@click.pass_context
def main(ctx: click.Context, verbose: bool, project: str | None) -> None:
    """eurokg — build, validate, query and export the Eurasian geopolitics knowledge graph."""
    ctx.obj = Context(verbose, project)
    _show_warnings_plainly()


def _show_warnings_plainly() -> None:
    """eurokg's own warnings (:class:`eurokg.errors.EurokgWarning`) as ``warning: …`` lines
    on stderr, each time; other libraries' warnings as Python shows them."""
    import warnings

    from .errors import EurokgWarning

    shown = warnings.showwarning
    if getattr(shown, "eurokg", False):
        return

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, EurokgWarning):
            click.echo(f"warning: {message}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    show.eurokg = True  # type: ignore[attr-defined]
    warnings.showwarning = show
    # after the user's own filters (-W, PYTHONWARNINGS): they may still silence or escalate them
    warnings.filterwarnings("always", category=EurokgWarning, append=True)


@main.command()
@click.option("--strict", is_flag=True, help="Fail on SHACL warnings too.")
@click.option("--no-reason", is_flag=True, help="Skip the OWL reasoner (HermiT).")
@click.option("--reasoner-timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True, help="Seconds before the reasoner is stopped.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
@click.option("--force", is_flag=True, help="Rebuild even when no input changed since the last build.")
@click.pass_obj
def build(obj: Context, strict: bool, no_reason: bool, reasoner_timeout: float, quiet: bool, force: bool) -> None:
    """Load, merge, reason, validate and write build/ (Turtle, TriG, GraphML, reports)."""
    from .build import build as run_build, summary_lines, sweep_staging, up_to_date

    project = _run(obj, lambda: obj.project)
    options = dict(strict=strict, run_reasoner=not no_reason, extract=True, min_sources=None)
    if not force:
        summary = _run(obj, up_to_date, project, **options)
        if summary is not None:
            _run(obj, sweep_staging, project)
            for line in summary:
                click.echo(line)
            click.echo(f"{project.relpath(project.build_dir)}/ is up to date: inputs unchanged since it was built "
                       "(--force rebuilds)")
            return
    result = _run(obj, run_build, project, strict=strict, run_reasoner=not no_reason,
                  reasoner_timeout_s=reasoner_timeout, progress=_progress(not quiet))
    for line in summary_lines(result):
        click.echo(line)
    for name in [*sorted(result.outputs), "manifest.json"]:
        click.echo(f"wrote {project.relpath(project.build_dir / name)}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "oxigraph"]), default=None,
              help="pyshacl (the reference), oxigraph (same report, faster) or auto (oxigraph for large "
                   "graphs); default: [tool.eurokg] validator, else auto.")
@click.pass_obj
def validate(obj: Context, files: tuple[str, ...], strict: bool, engine: str | None) -> None:
    """Validate the curated data (plus extra FILES) against the SHACL shapes."""
    from .build import validate_files

    project = _run(obj, lambda: obj.project)
    report = _run(obj, validate_files, project, [Path(f) for f in files], engine=engine)
    click.echo(report.text(), nl=False)
    if not report.passes(strict=strict):
        sys.exit(1)


@main.command()
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds before HermiT is stopped.")
@click.pass_obj
def reason(obj: Context, timeout: float) -> None:
    """Run HermiT on the ontology with the data: consistency, unsatisfiable classes, inferred types."""
    from . import reason as api_reason

    project = _run(obj, lambda: obj.project)
    report = _run(obj, api_reason, project, timeout_s=timeout)
    click.echo(report.text(), nl=False)
    if not report.consistent or report.unsatisfiable:
        sys.exit(1)


def _dataset(obj: Context, data: str | None):
    from . import open_build

    project = _run(obj, lambda: obj.project) if data is None else _project_if_any(obj)
    return _run(obj, open_build, project, data=data)


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("-e", "--expr", "text", help="Query text instead of a FILE.")
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="table", show_default=True,
              help="Format of SELECT results (ASK prints true/false; CONSTRUCT and DESCRIBE print Turtle).")
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE: <iri>, prefix:local, \"text\", \"text\"@lang, \"v\"^^xsd:type, "
                   "number, YYYY-MM-DD, YYYY-MM. Repeatable.")
@click.option("--data", type=click.Path(dir_okay=False), help="TriG/N-Quads file to query (default: build/eurokg.trig).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=MAX_SECONDS), default=None,
              help="Seconds before the query is stopped (exit 3); default: [tool.eurokg.limits] "
                   "query-timeout-s, else 30.")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Row cap; more rows exit 3 after printing. Default: [tool.eurokg.limits] max-rows, else 10000.")
@click.option("--allow-remote", is_flag=True, help="Permit SERVICE and FROM <http...> (off by default: no network).")
@click.option("--endpoint", metavar="URL", help="Ask this SPARQL endpoint instead of the local build (online).")
@click.option("--user", help="User name for the endpoint (password from $EUROKG_PASSWORD).")
@click.option("--store", type=click.Choice(["memory", "oxigraph", "auto"]), default=None,
              help="Where the built graph is queried: rdflib in memory, a persistent Oxigraph store "
                   "(build/eurokg.oxigraph/, loaded once), or auto by size (default: [tool.eurokg] store, else memory).")
@click.pass_obj
def query(obj: Context, file, text, fmt, binds, data, timeout, max_rows, allow_remote, endpoint, user, store) -> None:
    """Run a SPARQL query (FILE.rq or -e TEXT) on the built graph, or at --endpoint."""
    import os

    from . import query_build
    from .query import load_query_file, parse_binding, render

    if bool(file) == bool(text):
        _fail(obj, UsageError("give a query FILE or -e TEXT (exactly one)"))
    timeout, max_rows = _query_limits(obj, timeout, max_rows)
    if endpoint:
        from .remote import remote_query

        if data:
            _fail(obj, UsageError("--data and --endpoint exclude each other"))
        query_text = text if text else _run(obj, lambda: load_query_file(file).text)
        bindings = dict(_run(obj, parse_binding, b) for b in binds)
        result = _run(obj, remote_query, endpoint, query_text, bindings=bindings, timeout_s=timeout, max_rows=max_rows,
                      user=user, password=os.environ.get("EUROKG_PASSWORD"), source=file or "<-e>")
    else:
        project = _run(obj, lambda: obj.project) if data is None else _project_if_any(obj)
        result = _run(obj, query_build, project, text=text, file=file, bind=binds, data=data, store=store,
                      allow_remote=allow_remote, timeout_s=timeout, max_rows=max_rows)
    click.echo(render(result, fmt), nl=False)
    if result.truncated:
        click.echo(f"warning: more than {max_rows} rows; output truncated", err=True)
        sys.exit(3)


@main.command()
@click.option("--format", "fmt", required=True,
              help="Export format: ttl, trig, nt, nq, jsonld (RDF); graphml, gexf, csv-nodes, csv-edges (a view).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write (atomically).")
@click.option("--view", default="full", show_default=True, metavar="NAME|FILE.rq",
              help="For graph formats: full, states-trade, leaders-events, routes, or a .rq file "
                   "(CONSTRUCT, or SELECT ?source ?target [?weight ?label ?start ?end ...]).")
@click.option("--data", type=click.Path(dir_okay=False), help="Built TriG to export (default: build/eurokg.trig).")
@click.pass_obj
def export(obj: Context, fmt: str, output: str, view: str, data: str | None) -> None:
    """Export the built graph in a registered format (RDF, or a Gephi view with metric columns)."""
    from . import export_build

    project = _run(obj, lambda: obj.project)
    _run(obj, export_build, fmt, output, project=project, data=data, view=view)
    click.echo(f"wrote {output}")


_VIEW_HELP = "full, states-trade, leaders-events, routes, or a .rq file."


@main.command()
@click.option("--view", default="full", show_default=True, metavar="NAME|FILE.rq", help=_VIEW_HELP)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many nodes to list.")
@click.option("--by", type=click.Choice(["pagerank", "betweenness", "degree", "weighted_degree"]), default="pagerank",
              show_default=True, help="Metric to rank by.")
@click.option("--rdf", "rdf_out", type=click.Path(dir_okay=False),
              help="Also write every node's metrics as TriG here, in the named graph graph:metrics/<view>.")
@click.option("--data", type=click.Path(dir_okay=False), help="Built TriG (default: build/eurokg.trig).")
@click.pass_obj
def analyze(obj: Context, view: str, top: int, by: str, rdf_out: str | None, data: str | None) -> None:
    """Graph metrics of a view: degree, weighted degree, betweenness, PageRank, Louvain community."""
    from . import analyze as api_analyze

    project = _run(obj, lambda: obj.project)
    rows = _run(obj, api_analyze, view, project=project, data=data, top=top, by=by, rdf=rdf_out)
    click.echo(render_metrics(rows), nl=False)
    if getattr(rows, "betweenness", "exact") != "exact":
        click.echo(f"betweenness: {rows.betweenness}")
    if rdf_out:
        click.echo(f"wrote {rdf_out}")


def render_metrics(rows) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(header_style="bold")
    for col in ("node", "label", "type", "degree", "weighted degree", "betweenness", "PageRank", "community"):
        table.add_column(col, justify="right" if col not in ("node", "label", "type") else "left")
    for r in rows:
        table.add_row(r.node, r.label, r.type, str(r.degree), f"{r.weighted_degree:g}", f"{r.betweenness:.4f}",
                      f"{r.pagerank:.4f}", str(r.community))
    console = Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False)
    console.print(table)
    return console.file.getvalue()


@main.command()
@click.option("--view", default="full", show_default=True, metavar="NAME|FILE.rq", help=_VIEW_HELP)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.png or FILE.svg.")
@click.option("--data", type=click.Path(dir_okay=False), help="Built TriG (default: build/eurokg.trig).")
@click.pass_obj
def draw(obj: Context, view: str, output: str, data: str | None) -> None:
    """Draw a view: deterministic layout, labels, colours by type, size by PageRank."""
    from . import draw as api_draw

    project = _run(obj, lambda: obj.project)
    _run(obj, api_draw, output, view, project=project, data=data)
    click.echo(f"wrote {output}")


@main.command()
@click.option("--data", type=click.Path(dir_okay=False), help="Built TriG (default: build/eurokg.trig).")
@click.pass_obj
def stats(obj: Context, data: str | None) -> None:
    """Counts of triples, entities, classes and properties in the built graph."""
    from .stats import stats as compute

    click.echo(compute(_dataset(obj, data)).text(), nl=False)


@main.command()
@click.argument("mentions", nargs=-1, required=True)
@click.option("--type", "type_", metavar="CLASS", help="Class the entity must be (or specialise), e.g. City, Person, State.")
@click.option("--context", metavar="TEXT", help="Text around the mention (a country named there adds weight).")
@click.option("--date", "when", metavar="YYYY-MM-DD", help="When the text was written: names and terms of office are checked against it.")
@click.option("--no-review", is_flag=True, help="Do not read or write data/gazetteer/review.csv.")
@click.option("--online", is_flag=True,
              help="Also ask Wikidata (wbsearchentities) for mentions the gazetteer leaves NIL; answers are cached "
                   "in data/wikidata-cache so later runs reproduce offline.")
@click.option("--api", default=None, metavar="URL", help="Wikidata API endpoint (default: Wikidata's; for tests and mirrors).")
@click.pass_obj
def link(obj: Context, mentions, type_, context, when, no_review, online, api) -> None:
    """Link MENTIONS to gazetteer entities and Wikidata ids, offline: ranked candidates with scores."""
    import datetime as dt

    from . import linker as make_linker

    project = _run(obj, lambda: obj.project)
    date = None
    if when:
        try:
            date = dt.date.fromisoformat(when)
        except ValueError:
            _fail(obj, UsageError(f"--date {when!r}: write YYYY-MM-DD"))
    lk = _run(obj, make_linker, project, review=not no_review)
    if type_ and type_ not in lk.ontology.class_names:
        _fail(obj, UsageError(f"--type {type_!r} is not a class of the ontology"))
    client = None
    if online:
        from .link.wikidata import API, WikidataClient

        client = WikidataClient(project.root / "data" / "wikidata-cache", api=api or API)
    for mention in mentions:
        result = _run(obj, lk.link, mention, type=type_, context=context, date=date)
        click.echo(render_link(result, review=None if no_review else project.relpath(project.gazetteer / "review.csv")))
        if client is not None and result.status == "nil":
            hits = _run(obj, client.search, mention)
            click.echo(f"  Wikidata: {len(hits)} candidate(s)" + ("" if hits else " — none"))
            for rank, hit in enumerate(hits, start=1):
                click.echo(f"  w{rank}. {hit.get('id')}\t{hit.get('label', '')}\t{hit.get('description', '')}")


@main.command()
@click.option("--data", type=click.Path(dir_okay=False), help="Built TriG to serve (default: build/eurokg.trig).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=MAX_SECONDS), default=None,
              help="Seconds before a query is stopped (503); default: [tool.eurokg.limits] query-timeout-s, else 30.")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Rows (or triples) per answer; more are cut and the cut reported. "
                   "Default: [tool.eurokg.limits] max-rows, else 10000.")
@click.option("--cors", metavar="ORIGIN", default=None, help="Send CORS headers for this origin (or *); off by default.")
@click.pass_obj
def serve(obj: Context, data, host, port, timeout, max_rows, cors) -> None:
    """A read-only SPARQL 1.1 Protocol endpoint on the built graph (GET/POST /sparql, page at /)."""
    from .serve import Endpoint, make_server

    project = _run(obj, lambda: obj.project) if data is None else None
    path = Path(data) if data else project.build_dir / "eurokg.trig"
    timeout, max_rows = _query_limits(obj, timeout, max_rows)
    endpoint = _run(obj, Endpoint, path, timeout_s=timeout, max_rows=max_rows, cors=cors)
    try:
        server = make_server(endpoint, host, port)
    except OSError as exc:
        _fail(obj, UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"))
    bound = server.server_address
    click.echo(f"serving {endpoint.size} quads read-only at http://{bound[0]}:{bound[1]}/sparql (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL (e.g. http://127.0.0.1:7878/store), or the update URL with --protocol update.")
@click.option("--graph", metavar="IRI", default=None,
              help="Target named graph (default: graph:eurokg in the project namespace); with --named-graphs, "
                   "the index graph listing the graphs pushed (default: graph:pushed).")
@click.option("--named-graphs", is_flag=True,
              help="Keep the named graphs: each goes to the store's graph of the same name, so provenance "
                   "questions (GRAPH ?g) answer remotely; graphs a previous push left and this build lacks are removed.")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="SPARQL 1.1 Graph Store HTTP Protocol, or SPARQL 1.1 Update for stores without it.")
@click.option("--data", type=click.Path(dir_okay=False),
              help="Graph to push (default: build/eurokg.trig; every graph flattened into the target graph unless --named-graphs).")
@click.option("--user", help="User name (password from $EUROKG_PASSWORD).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True)
@click.option("--batch", type=click.IntRange(min=1), default=50_000, show_default=True, help="Triples per request.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True)
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True)
@click.pass_obj
def push(obj: Context, endpoint, graph, named_graphs, protocol, data, user, auth, batch, timeout, retries) -> None:
    """Replace a named graph of an existing triple store with the built graph (online)."""
    import os

    from .remote import push as run_push

    path = Path(data) if data else _run(obj, lambda: obj.project).build_dir / "eurokg.trig"
    report = _run(obj, run_push, path, endpoint, graph=graph, protocol=protocol, user=user,
                  password=os.environ.get("EUROKG_PASSWORD"), auth=auth, batch_size=batch, timeout_s=timeout,
                  retries=retries, named_graphs=named_graphs)
    if not named_graphs:
        click.echo(f"pushed {report.triples} triples in {report.batches} request(s) to <{report.graph}> "
                   f"({report.protocol})")
        return
    click.echo(f"pushed {report.triples} triples in {report.graphs} named graphs ({report.batches} request(s), "
               f"{report.protocol}); index <{report.graph}>")
    if report.protocol == "gsp" and report.removed:
        click.echo(f"removed {report.removed} graph(s) of the previous push that this build no longer has")
    elif report.protocol == "update":
        click.echo("graphs of the previous push that this build no longer has were emptied (SPARQL Update cannot "
                   "count them)")


def _extractor(obj: Context):
    from .extract import Extractor

    project = _run(obj, lambda: obj.project)
    return project, _run(obj, Extractor.for_project, project)


def _article_paths(obj: Context, project, articles, suffix: str | None = None) -> list[Path]:
    from .extract import article_files
    from .iosafe import confined

    if articles:
        return [Path(a) for a in articles]
    paths = _run(obj, confined, article_files(project.articles), project.root, project.relpath)
    if suffix:
        paths = [p for p in paths if (project.articles / f"{p.stem}{suffix}").exists()]
    if not paths:
        _fail(obj, UsageError(f"no articles given and none in {project.relpath(project.articles)}"))
    return paths


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "trig"]), default="jsonl", show_default=True,
              help="JSON Lines (one fact per line) or TriG (one named graph of claims per article).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (atomically; default: stdout).")
@click.option("--published", help="Publication date (YYYY-MM-DD) for plain text without known metadata.")
@click.option("--title", help="Title for plain text without known metadata.")
@click.option("--min-sources", type=click.IntRange(min=1), default=None,
              help="Independent sources that corroborate a claim (default: [tool.eurokg] min-sources, else 2).")
@click.pass_obj
def extract(obj: Context, articles, fmt, output, published, title, min_sources) -> None:
    """Extract facts (claims with evidence) from ARTICLES: Markdown with front matter, or text."""
    from .extract import claims_dataset, extract_paths
    from .extract.claims import DEFAULT_MIN_SOURCES
    from .iosafe import write_atomic

    project, extractor = _extractor(obj)
    meta = {"published": published, "title": title, "language": "en" if (published or title) else None}
    extractions = _run(obj, extract_paths, extractor, [Path(a) for a in articles], display=project.relpath,
                       metadata={k: v for k, v in meta.items() if v})
    if fmt == "jsonl":
        data = "".join(e.jsonl() for e in extractions)
    else:
        from .exporters.rdf import write_trig
        import io

        threshold = min_sources or _run(obj, project.setting, "min-sources", DEFAULT_MIN_SOURCES)
        ds, _ = claims_dataset(extractions, extractor.kb, min_sources=threshold)
        buf = io.BytesIO()
        write_trig(ds, extractor.kb.ontology, buf)
        data = buf.getvalue().decode("utf-8")
    if output:
        write_atomic(Path(output), data)
        click.echo(f"{sum(len(e.facts) for e in extractions)} facts from {len(extractions)} article(s); wrote {output}",
                   err=True)
    else:
        click.echo(data, nl=False)


@main.command("eval-extract")
@click.argument("articles", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--errors", is_flag=True, help="List the missed and the spurious facts.")
@click.pass_obj
def eval_extract(obj: Context, articles, errors) -> None:
    """Precision, recall and F1 of extraction against gold files (<stem>.gold.jsonl)."""
    from .extract.evaluate import evaluate_extraction

    project, extractor = _extractor(obj)
    paths = _article_paths(obj, project, articles, ".gold.jsonl")
    scores, total = _run(obj, evaluate_extraction, project, extractor, paths)
    click.echo(render_scores(scores, total, errors))


@main.command("eval-link")
@click.argument("articles", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--errors", is_flag=True, help="List the mentions linked wrongly.")
@click.pass_obj
def eval_link(obj: Context, articles, errors) -> None:
    """Linking accuracy and NIL precision on gold mentions (<stem>.mentions.jsonl)."""
    from .extract.evaluate import evaluate_linking

    project, extractor = _extractor(obj)
    paths = _article_paths(obj, project, articles, ".mentions.jsonl")
    scores, total = _run(obj, evaluate_linking, project, extractor, paths)
    lines = [f"{'article':34} {'mentions':>8} {'accuracy':>8} {'NIL pred':>8} {'NIL prec':>8} {'NIL rec':>8}"]
    for s in scores + [total]:
        lines.append(f"{s.name:34} {s.total:8} {s.accuracy:8.3f} {s.nil_predicted:8} {s.nil_precision:8.3f} "
                     f"{s.nil_recall:8.3f}")
        if errors and s is not total:
            lines.extend(f"    {text!r}: gold {want}, linked {got}" for text, want, got in s.errors)
    click.echo("\n".join(lines))


def render_scores(scores, total, errors: bool) -> str:
    lines = [f"{'article':34} {'gold':>5} {'found':>5} {'right':>5} {'P':>6} {'R':>6} {'F1':>6} {'time':>7}"]
    for s in scores + [total]:
        time = f"{s.times_agree}/{s.times_compared}" if s.times_compared else "-"
        lines.append(f"{s.name:34} {s.gold:5} {s.predicted:5} {s.correct:5} {s.precision:6.3f} {s.recall:6.3f} "
                     f"{s.f1:6.3f} {time:>7}")
        if errors and s is not total:
            for g in s.missed:
                lines.append(f"    missed   {g['subject']} {g['predicate']} {g['object']}")
            for r in s.spurious:
                obj = r["object"].get("iri") or r["object"].get("value")
                lines.append(f"    spurious {r['subject']['iri'].rsplit('/', 1)[-1]} {r['predicate']['label']} {obj}"
                             f"  [{r['rule']}]")
    return "\n".join(lines)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Turtle file to write (default: data/curated/wikidata-enrichment.ttl, read by the build).")
@click.option("--sparql", "endpoint", default=None, metavar="URL", help="SPARQL endpoint (default: Wikidata's query service).")
@click.option("--offline", is_flag=True, help="Answer from data/wikidata-cache only (no network).")
@click.pass_obj
def enrich(obj: Context, output: str | None, endpoint: str | None, offline: bool) -> None:
    """Fetch population, coordinates, inception and ISO codes from Wikidata for linked entities (online)."""
    from rdflib import URIRef

    from .iosafe import write_atomic
    from .link.enrich import enrich as run_enrich
    from .link.wikidata import SPARQL, WikidataClient
    from .vocab import EK

    project = _run(obj, lambda: obj.project)
    from . import load

    _ontology, ds = _run(obj, load, project)
    entities = {s: str(q) for s, _, q in ds.triples((None, EK.wikidataId, None))}
    client = WikidataClient(project.root / "data" / "wikidata-cache", sparql_endpoint=endpoint or SPARQL, offline=offline)
    graph = _run(obj, run_enrich, {URIRef(s): q for s, q in entities.items()}, client)
    target = Path(output) if output else project.curated / "wikidata-enrichment.ttl"
    if not target.parent.is_dir():
        _fail(obj, UsageError(f"{target.parent}: no such folder to write {target.name} into"))
    header = "# Facts from Wikidata's query service for the linked entities (eurokg enrich); each cites id:wikidata.\n"
    write_atomic(target, header + graph.serialize(format="turtle"))
    click.echo(f"{len(set(graph.subjects()))} entities enriched; wrote {project.relpath(target)}")


def render_link(result, *, review: str | None) -> str:
    verdicts = {
        "linked": lambda r: f"linked: {r.chosen.id}" + (f" ({r.chosen.qid})" if r.chosen.qid else " (no Wikidata item)"),
        "reviewed": lambda r: ("reviewed: " + (f"{r.chosen.id}" + (f" ({r.chosen.qid})" if r.chosen.qid else "")
                                               if r.chosen else "NIL")),
        "nil": lambda r: "NIL: no entity fits",
        "ambiguous": lambda r: "ambiguous" + (f": recorded in {review} for a decision" if review else ""),
    }
    lines = [f"{result.mention!r} → {verdicts[result.status](result)}"]
    for i, c in enumerate(result.candidates[:5], start=1):
        lines.append(f"  {i}. {c.id}\t{c.qid or '-'}\t{c.type}\t{c.score:.2f}\t{'; '.join(c.reasons)}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
