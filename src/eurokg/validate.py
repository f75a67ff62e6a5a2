"""Stage 5b: SHACL validation with pySHACL, as a typed report.

The ontology's class and property hierarchy is passed as ``ont_graph`` with
RDFS inference, so a shape targeting ``ek:Route`` also sees ``ek:Railway``
instances and a subproperty's values count for its parent. Each finding is
located in the curated input (``file:row:column``) where the data came from.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, ConjunctiveGraph, Graph, Literal, URIRef

from .child import ChildJob, ChildProcess
from .errors import InputError
from .sources.rdffile import parse_rdf_file
from .vocab import PREFIXES, RDF, RDFS, REPORT, SH, curie

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One SHACL result: severity, focus node, path, message, offending value, and where
    in the curated files the focus node's data was written (``origin``)."""

    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    value: str = ""
    shape: str = ""
    component: str = ""
    origin: str = ""
    terms: tuple = field(default=(), compare=False, hash=False, repr=False)
    """The RDF terms behind focus, path, value, component and shape (for the Turtle report)."""

    def sort_key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 9), self.focus, self.path, self.message, self.value)

    def line(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value and self.value != self.focus else ""
        prefix = f"{self.origin}: " if self.origin else ""
        return f"{prefix}{self.severity.upper()}: {where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of validation: findings sorted by severity, focus node and path."""

    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0

    def passes(self, *, strict: bool = False) -> bool:
        return self.conforms and (not strict or self.count("Warning") == 0)

    def summary(self) -> str:
        v, w, i = self.count("Violation"), self.count("Warning"), self.count("Info")
        state = "conforms" if self.conforms else "does not conform"
        return f"validation {state}: {v} violation(s), {w} warning(s), {i} info"

    def text(self) -> str:
        return "\n".join([self.summary(), *(f.line() for f in self.findings)]) + "\n"

    def triples(self):
        """The triples of :meth:`graph`, each once."""
        report = REPORT["validation"]
        yield report, RDF.type, SH.ValidationReport
        yield report, SH.conforms, Literal(self.conforms)
        for n, f in enumerate(self.findings, start=1):
            r = REPORT[f"result-{n}"]
            focus, path, value, component, shape = (f.terms + (None,) * 5)[:5]
            yield report, SH.result, r
            yield r, RDF.type, SH.ValidationResult
            yield r, SH.resultSeverity, SH[f.severity]
            yield r, SH.resultMessage, Literal(f.message)
            if isinstance(focus, (URIRef, Literal)):
                yield r, SH.focusNode, focus
            if isinstance(path, URIRef):
                yield r, SH.resultPath, path
            if isinstance(value, (URIRef, Literal)):
                yield r, SH.value, value
            if isinstance(component, URIRef):
                yield r, SH.sourceConstraintComponent, component
            if isinstance(shape, URIRef):
                yield r, SH.sourceShape, shape
            if f.origin:
                yield r, RDFS.comment, Literal(f"written at {f.origin}")

    def graph(self) -> Graph:
        """A SHACL validation report with the real terms (focus nodes and paths are IRIs,
        values keep their datatypes); results are numbered IRIs, so output is stable."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        for t in self.triples():
            g.add(t)
        return g

    def turtle(self) -> str:
        """:meth:`graph` as Turtle: the bytes of ``rdfwrite.turtle(self.triples())`` (a test
        compares them), written from pyoxigraph terms made here in that writer's order
        (subjects by IRI, ``rdf:type`` first, then predicates by IRI, objects by their N3
        form). Each result is one subject with one value per predicate, so the order is
        known without ranking every term: 100,000 findings took 13 s through rdflib terms."""
        import pyoxigraph as ox

        from .rdfwrite import oxigraph_bytes, oxigraph_term

        N, T, made = ox.NamedNode, ox.Triple, {}

        def term(t):  # an rdflib term of the data (focus node, value, path...), converted once
            known = made.get(id(t))  # by identity: rdflib's Literal equality ignores a language tag's case
            if known is None:
                known = made[id(t)] = (t, oxigraph_term(t))  # the term kept: its id stays its own
            return known[1]

        a = N(str(RDF.type))
        # a result's predicates after rdf:type, in the writer's order (by IRI)
        comment, focus_p, message_p, path_p, severity_p, component_p, shape_p, value_p = [
            N(str(p)) for p in (RDFS.comment, SH.focusNode, SH.resultMessage, SH.resultPath, SH.resultSeverity,
                                SH.sourceConstraintComponent, SH.sourceShape, SH.value)]
        result_class, severities = N(str(SH.ValidationResult)), {}
        results = sorted((f"{REPORT}result-{n}", f) for n, f in enumerate(self.findings, start=1))

        def result_triples(iri: str, f: Finding):
            r = N(iri)
            focus, path, value, component, shape = (f.terms + (None,) * 5)[:5]
            severity = severities.get(f.severity)
            if severity is None:
                severity = severities[f.severity] = N(str(SH[f.severity]))
            yield T(r, a, result_class)
            if f.origin:
                yield T(r, comment, ox.Literal(f"written at {f.origin}"))
            if isinstance(focus, (URIRef, Literal)):
                yield T(r, focus_p, term(focus))
            yield T(r, message_p, ox.Literal(f.message))
            if isinstance(path, URIRef):
                yield T(r, path_p, term(path))
            yield T(r, severity_p, severity)
            if isinstance(component, URIRef):
                yield T(r, component_p, term(component))
            if isinstance(shape, URIRef):
                yield T(r, shape_p, term(shape))
            if isinstance(value, (URIRef, Literal)):
                yield T(r, value_p, term(value))

        def report_triples():
            report = N(str(REPORT["validation"]))
            yield T(report, a, N(str(SH.ValidationReport)))
            yield T(report, N(str(SH.conforms)), term(Literal(self.conforms)))
            result_p = N(str(SH.result))
            for iri in sorted((iri for iri, _ in results), key=lambda iri: f"<{iri}>"):  # objects by N3
                yield T(report, result_p, N(iri))

        def triples():
            report_iri = str(REPORT["validation"])
            pending = True
            for iri, f in results:
                if pending and report_iri < iri:
                    pending = False
                    yield from report_triples()
                yield from result_triples(iri, f)
            if pending:
                yield from report_triples()

        return oxigraph_bytes(triples(), "turtle").decode("utf-8")


def _term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term)
    if isinstance(term, BNode):
        return "[]"
    return str(term)


def _path_text(graph: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return curie(node)
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    return "[complex path]"


_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`,;()]+[^\s<>\"{}|\\^`,;().]")


def _finding(severity, focus, path, value, component, shape, messages, locate, path_graph) -> Finding:
    text = " / ".join(sorted(messages)) or "constraint not met"
    # pySHACL fills {?var} with full IRIs; show them as CURIEs like the rest of the report
    text = _IRI.sub(lambda m: curie(m.group(0)), text)
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus=_term_text(focus),
        path=_path_text(path_graph, path),
        message=text,
        value=_term_text(value),
        shape=_term_text(shape) if isinstance(shape, URIRef) else "",
        component=_term_text(component),
        origin=locate(focus, path) if locate else "",
        terms=(focus, path if isinstance(path, URIRef) else None, value, component, shape),
    )


def findings_from_results(results: Graph, locate=None) -> list[Finding]:
    """Findings from a pySHACL results graph: deduplicated, sorted."""
    out: dict[Finding, None] = {}
    for r in results.subjects(RDF.type, SH.ValidationResult):
        finding = _finding(results.value(r, SH.resultSeverity), results.value(r, SH.focusNode),
                           results.value(r, SH.resultPath), results.value(r, SH.value),
                           results.value(r, SH.sourceConstraintComponent), results.value(r, SH.sourceShape),
                           [str(m) for m in results.objects(r, SH.resultMessage)], locate, results)
        out.setdefault(finding, None)  # pySHACL may report one result twice (once per inferred type)
    return sorted(out, key=Finding.sort_key)


def findings_from_store_results(results, shapes: Graph, locate=None) -> list[Finding]:
    """Findings from :mod:`eurokg.shacl_store` results, built exactly like pySHACL's."""
    from .shacl_store import from_ox

    out: dict[Finding, None] = {}
    for r in results:
        finding = _finding(r.severity, from_ox(r.focus), r.path,
                           from_ox(r.value) if r.value is not None else None, r.component, r.shape,
                           r.messages, locate, shapes)
        out.setdefault(finding, None)
    return sorted(out, key=Finding.sort_key)


def load_shapes(path: Path | str, *, display: str | None = None) -> Graph:
    return parse_rdf_file(path, display=display)


def hierarchy_only(ontology: Graph) -> Graph:
    """The ontology without ``rdfs:domain``/``rdfs:range``.

    With them, RDFS inference would *type* a wrong value to fit (a person given as
    ``ek:signatory`` would be inferred an ``ek:State``) and every ``sh:class`` check
    would pass vacuously. Subclass and subproperty entailment is what validation
    needs; domains and ranges are the reasoner's business."""
    from rdflib.collection import Collection

    from .vocab import OWL

    g = Graph()
    for t in ontology:
        if t[1] not in (RDFS.domain, RDFS.range):
            g.add(t)
    # spell owl:AllDisjointClasses out as owl:disjointWith pairs: a SHACL rule can then
    # check disjointness with one triple pattern instead of walking RDF lists per node
    for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(ontology, ontology.value(group, OWL.members)))
        for a in members:
            for b in members:
                if a != b:
                    g.add((a, OWL.disjointWith, b))
    return g


PYSHACL_OPTIONS = dict(abort_on_first=False, allow_infos=True, allow_warnings=True, meta_shacl=False,
                       advanced=True, js=False, do_owl_imports=False)
"""How eurokg runs pySHACL, besides the graphs and the inference: every result, SHACL-AF
(SPARQL-based constraints) on, no SHACL-JS, never a fetched ``owl:imports``."""


@lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: tuple):
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces), base=base)


class PreparedQueries(Graph):
    """An rdflib graph that parses and translates each distinct SPARQL text once.

    pySHACL asks a SPARQL-based constraint once per focus node, with ``$this`` pre-bound
    (``initBindings``) and the same text every time, and rdflib parses the text anew on
    every call: 177 parses of a dozen texts took about nine tenths of validating the
    shipped data. A prepared query (:func:`rdflib.plugins.sparql.prepareQuery`) evaluated
    with bindings is rdflib's documented way to ask one query many times, on any graph;
    the cache's key holds everything the translation depends on (text, base, namespaces),
    and it is shared by every validation in the process."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: N803
              use_store_provided=True, **kwargs):
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = initNs or dict(self.namespaces())  # as Graph.query would pass them
            query_object = _prepared(query_object, kwargs.get("base"),
                                     tuple(sorted((str(k), str(v)) for k, v in namespaces.items())))
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def _pyshacl(data: Graph, shapes: Graph, hierarchy: Graph, inference: str, locate, shapes_name: str) -> Report:
    import pyshacl

    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    # pySHACL would copy the data anyway (to add the hierarchy and the RDFS closure); this
    # copy is one whose queries are prepared once, and pySHACL works on it in place. A
    # dataset (several graphs) is left to pySHACL's own copy.
    target, inplace = data, False
    if not isinstance(data, ConjunctiveGraph):
        target, inplace = PreparedQueries(), True
        for prefix, namespace in data.namespaces():
            target.bind(prefix, namespace, override=True, replace=True)
        target += data
    try:
        _conforms, results, _text = pyshacl.validate(target, inplace=inplace, shacl_graph=shapes,
                                                     ont_graph=hierarchy, inference=inference, **PYSHACL_OPTIONS)
    except Exception as exc:  # pySHACL raises many types for a malformed shapes graph
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"the shapes cannot be used: {type(exc).__name__}: {first}", shapes_name) from None
    if not isinstance(results, Graph):  # a ValidationFailure (e.g. SERVICE in a SPARQL constraint), returned
        first = (str(getattr(results, "message", results)).strip().splitlines() or ["validation failure"])[0]
        raise InputError(f"the shapes cannot be used: {first}", shapes_name)
    return Report(findings=findings_from_results(results, locate))


def _oxigraph(data, shapes: Graph, hierarchy: Graph, inference: str, locate, shapes_name: str) -> Report:
    """``data`` is an rdflib graph (copied into an in-memory store) or a pair
    ``(pyoxigraph.Store, Originals)`` (validated in place: it gains the RDFS closure)."""
    from .shacl_store import Originals, graph_to_store

    if isinstance(data, Graph):
        originals = Originals()
        store = graph_to_store(data, originals=originals)
    else:  # (store, originals) from eurokg.shacl_store.load_file
        store, originals = data
    graph_to_store(hierarchy, store, originals)
    results = _store_results(store, originals, shapes, inference, shapes_name)
    return Report(findings=findings_from_store_results(results, shapes, locate))


def _store_results(store, originals, shapes: Graph, inference: str, shapes_name: str) -> list:
    from .shacl_store import ShapesError, validate_store

    try:
        return validate_store(store, shapes, inference="rdfs" if inference == "rdfs" else "none",
                              shapes_name=shapes_name, originals=originals)
    except ShapesError:
        raise
    except ValueError as exc:  # e.g. sh:minCount "two"
        raise InputError(f"the shapes cannot be used: {type(exc).__name__}: {exc}", shapes_name) from None


class ValidationJob(ChildJob):
    """Validation on Oxigraph in a child process (``python -m eurokg._validate_worker``)
    while the caller goes on: a build without the reasoner writes its outputs meanwhile
    and publishes them only once the report passes. Without the reasoner the report
    changes no output, and the validation copy is built from the curated files' bytes and
    the other named graphs, not from rdflib, so the child needs nothing the caller holds:
    :meth:`eurokg.shacl_store.StoreCopy.hand_over` writes it all to the child's folder.
    At a million triples the engine's 18 s then overlap the writing on the other core: the
    build took 5-10 s less on two cores, and the caller no longer holds the engine's 800 MB,
    but the child does meanwhile (``docs/scale.md`` §2j).

    The report is the one :func:`validate_graph` gives on the same copy: the child returns
    the engine's results and the caller makes the findings (located in the caller's input).
    Shapes the engine cannot use raise here as they would in-process. If the child fails
    otherwise (killed, out of memory), :meth:`report` warns and validates here from the
    same folder. Use as a context manager, or call :meth:`close`."""

    RESULTS = "results.pickle"
    ERROR = "error.json"

    def __init__(self, copy, other_triples, shapes: Graph, ontology: Graph, *, locate=None,
                 shapes_name: str = "ontology/shapes.ttl", inference: str = "rdfs") -> None:
        import itertools
        import pickle
        import sys

        check_shapes_offline(shapes, shapes_name)
        self._shapes, self._locate, self._report = shapes, locate, None
        self._child = ChildProcess()
        folder = self._child._make_folder("eurokg-validate-")
        try:
            # the shapes as they are here (blank nodes keep their ids: the results name them)
            with open(folder / "shapes.pickle", "wb") as fh:
                pickle.dump({"triples": list(shapes), "shapes_name": shapes_name, "inference": inference}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            copy.hand_over(folder, itertools.chain(other_triples, hierarchy_only(ontology)))
            self._child._launch([sys.executable, "-m", "eurokg._validate_worker", str(folder)])
        except BaseException:  # nothing left behind: no folder, no child; the copy is whole
            self._child.close()
            raise
        copy.release()  # (the child has it)

    @classmethod
    def start(cls, copy, other_triples, shapes: Graph, ontology: Graph, **options) -> "ValidationJob | None":
        """The job, or None (after a warning) where the child's input could not be written
        (a full temporary folder...) or the child could not be started: the caller then
        validates in-process, ``copy`` intact."""
        try:
            return cls(copy, other_triples, shapes, ontology, **options)
        except OSError as exc:
            import warnings

            warnings.warn(f"the validation process could not be started ({exc}); validating in this process",
                          RuntimeWarning, stacklevel=2)
            return None

    def finished(self) -> bool:
        """Whether the child has ended (its report is then ready without waiting)."""
        proc = self._child._proc
        return proc is None or proc.poll() is not None

    def report(self) -> Report:
        """Wait for the child; its report (made once). Raises what validation in this
        process would raise for unusable shapes."""
        import json
        import pickle
        import warnings

        if self._report is not None:
            return self._report
        proc, folder = self._child._proc, self._child._folder
        assert proc is not None and folder is not None, "the job was closed"
        proc.wait()
        error = folder / self.ERROR
        if proc.returncode == 0 and error.is_file():
            from .shacl_store import ShapesError

            e = json.loads(error.read_text(encoding="utf-8"))
            kind = ShapesError if e["kind"] == "shapes" else InputError
            raise kind(e["message"], e["path"], e["line"], e["col"])
        done = folder / self.RESULTS
        if proc.returncode == 0 and done.is_file():
            with open(done, "rb") as fh:
                results = pickle.load(fh)
        else:
            tail = " | ".join(self._child._stderr_tail(3)) if (folder / "stderr.txt").is_file() else ""
            warnings.warn(f"the validation process failed (exit {proc.returncode}: {tail}); validating in this "
                          "process", RuntimeWarning, stacklevel=2)
            results = validate_handed_over(folder)
        self._report = Report(findings=findings_from_store_results(results, self._shapes, self._locate))
        return self._report


def validate_handed_over(folder) -> list:
    """The engine's results on what :class:`ValidationJob` wrote into ``folder`` (the
    child's work; the caller's too, if the child failed)."""
    import pickle

    from .shacl_store import StoreCopy

    with open(Path(folder) / "shapes.pickle", "rb") as fh:
        given = pickle.load(fh)
    shapes = Graph()
    for t in given["triples"]:
        shapes.add(t)
    store, originals = StoreCopy.restore(folder)
    return _store_results(store, originals, shapes, given["inference"], given["shapes_name"])


ENGINES = {"pyshacl": _pyshacl, "oxigraph": _oxigraph}
"""Validation engine name -> ``fn(data, shapes, hierarchy, inference, locate, shapes_name) -> Report``.
pySHACL is the reference; ``oxigraph`` (:mod:`eurokg.shacl_store`) gives the same report faster."""

AUTO_TRIPLES = 20_000
"""With ``engine="auto"``, graphs of more triples than this are validated on Oxigraph."""


def choose_engine(engine: str, size: int) -> str:
    if engine == "auto":
        return "oxigraph" if size > AUTO_TRIPLES else "pyshacl"
    if engine not in ENGINES:
        from .errors import UsageError

        raise UsageError(f"unknown validation engine {engine!r}; known: auto, {', '.join(sorted(ENGINES))}")
    return engine


def validate_graph(
    data,
    shapes: Graph,
    ontology: Graph,
    *,
    inference: str = "rdfs",
    locate=None,
    shapes_name: str = "ontology/shapes.ttl",
    engine: str = "pyshacl",
) -> Report:
    """Validate ``data`` (an rdflib graph, or for ``engine="oxigraph"`` also a pyoxigraph store)
    against ``shapes`` with the ontology's class hierarchy; never fetches ``owl:imports``,
    never runs SHACL-JS.

    ``engine`` is "pyshacl" (the reference), "oxigraph" or "auto" (Oxigraph above
    :data:`AUTO_TRIPLES` triples). ``locate(focus, path) -> "file:row:col"`` places each
    finding in the input. A broken shapes graph (bad SPARQL, a malformed constraint) is
    an :class:`InputError` naming the shapes file, not a traceback."""
    name = choose_engine(engine, len(data) if isinstance(data, Graph) else len(data[0]))
    check_shapes_offline(shapes, shapes_name)
    try:
        return ENGINES[name](data, shapes, hierarchy_only(ontology), inference, locate, shapes_name)
    finally:
        release_parser_frames()


def release_parser_frames() -> None:
    """Let go of what rdflib's SPARQL parser keeps of its last parse. Once pyparsing's packrat
    cache is on (matplotlib's mathtext turns it on for the whole process), the parser keeps
    the exceptions of its last parse, whose tracebacks keep every frame up the stack that
    parsed, locals included: after validation, the data and the engine's copy of it, until
    some other SPARQL text is parsed. Even cleared, they sit in reference cycles that only a
    full collection frees (which the build makes after validation)."""
    from pyparsing import ParserElement

    ParserElement.reset_cache()


def check_shapes_offline(shapes: Graph, shapes_name: str = "shapes") -> None:
    """Refuse shapes whose SPARQL (constraints, validators, SPARQL targets, SHACL-AF rules:
    every ``sh:select``, ``sh:ask`` and ``sh:construct``) would reach the network with
    ``SERVICE`` or read a dataset with ``FROM``: validation is offline. pySHACL refuses
    SERVICE in constraints only, and runs targets and rules as written."""
    from rdflib.plugins.sparql import prepareQuery

    from .query import one_line_ending, reaches_out
    from .shacl_store import might_reach_out
    from .vocab import SH

    declared = {}  # every prefix the shapes declare anywhere (sh:prefixes picks among them)
    for decl in shapes.objects(None, SH.declare):
        prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
        if prefix is not None and namespace is not None:
            declared[str(prefix)] = str(namespace)
    for predicate in (SH.select, SH.ask, SH.construct):
        for holder, raw in sorted(shapes.subject_objects(predicate), key=lambda so: (str(so[0]), str(so[1]))):
            text = one_line_ending(str(raw))  # Oxigraph ends a comment at CR too, rdflib at LF only
            if not might_reach_out(text):
                continue  # cannot reach out (parsing every text would cost 25-50 ms each)
            named = holder if isinstance(holder, URIRef) else f"a {predicate.n3(shapes.namespace_manager)} of the shapes"
            try:
                algebra = prepareQuery(text, initNs=declared).algebra
            except Exception:
                # its own engine reports the syntax error; here only the keyword can be judged
                if might_reach_out(text, "SERVICE"):
                    raise InputError(f"the SPARQL of {named} calls SERVICE: validation never reaches the network",
                                     shapes_name) from None
                continue
            if reaches_out(algebra):
                raise InputError(f"the SPARQL of {named} uses SERVICE or FROM: validation never reaches the network "
                                 "or reads other datasets", shapes_name)

