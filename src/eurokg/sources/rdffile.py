"""Read RDF files (Turtle, TriG, N-Triples, N-Quads) with positioned errors.

Parsing goes through pyoxigraph, whose syntax errors carry line and column
(rdflib's do not, and some of its parser failures surface as ``IndexError``);
the triples are then handed over as rdflib terms. Plain strings come back from
pyoxigraph as ``xsd:string`` literals; they are turned back into plain
literals so they compare equal to rdflib's own.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from ..errors import InputError
from ..limits import Limits, current
from .text import check_utf8
from ..vocab import XSD

MAX_INPUT_BYTES = Limits.max_input_bytes
"""Files larger than this are refused before parsing (rdflib and pyoxigraph read whole streams);
the default of ``max-input-bytes`` in ``[tool.eurokg.limits]`` (see :mod:`eurokg.limits`)."""

MAX_LITERAL_CHARS = Limits.max_literal_chars
"""The longest literal an RDF input may hold, in characters, by default: the same as the longest
CSV cell. A quote or a label never comes near it; a literal over it is a file glued into a
value, refused with its subject and predicate (``max-literal-chars``)."""

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}

_UNDECLARED = re.compile(r"The prefix (\S*): has not been declared")
_PREFIX_DECL = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:", re.I | re.M)


class _IllTypedLiteralFilter(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal it builds ("abc"^^xsd:decimal);
    eurokg reports those itself, with the file, at merge (see eurokg.merge)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


_rdflib_term_logger = logging.getLogger("rdflib.term")
if not any(isinstance(f, _IllTypedLiteralFilter) for f in _rdflib_term_logger.filters):
    _rdflib_term_logger.addFilter(_IllTypedLiteralFilter())

_POSITION = re.compile(r"^Parser error (?:at line \d+ between columns \d+ and \d+|between line \d+ column \d+ and line \d+ column \d+|at line \d+ column \d+|at line \d+): ?")


def rdf_format_for(path: Path) -> ox.RdfFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unsupported RDF file type {path.suffix!r} (use one of {', '.join(sorted(_FORMATS))})",
            path,
        )
    return fmt


def to_rdflib(term):
    """Convert one pyoxigraph term to rdflib."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported term {term!r}")


def _check_size(path: Path, limit: int, shown: str) -> None:
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"file is {size} bytes, over the {limit}-byte input limit", shown)


def iter_quads(path: Path | str, *, display: str | None = None, limit: int | None = None,
               max_literal: int | None = None, copy=None) -> Iterator[tuple]:
    """Yield ``(s, p, o, g)`` rdflib terms (``g`` is None for the default graph).

    ``copy``: an Oxigraph copy (:class:`eurokg.shacl_store.StoreCopy`) that is handed the
    file's bytes once they have parsed without error, to load them itself, with the literals
    rdflib holds in another form than written (``"01"^^xsd:integer`` as ``"1"``).

    Raises :class:`InputError` with ``display:line:col`` on any syntax error, and naming the
    subject and predicate for a literal longer than ``max_literal`` characters. ``limit`` and
    ``max_literal`` default to the limits in force (:func:`eurokg.limits.current`).
    """
    path = Path(path)
    shown = display or str(path)
    if not path.is_file():
        raise InputError("no such file", shown)
    _check_size(path, current().max_input_bytes if limit is None else limit, shown)
    fmt = rdf_format_for(path)
    data = path.read_bytes()
    check_utf8(data, shown)  # even in comments, which the parser skips undecoded
    # Each distinct term becomes one rdflib object, shared by every triple that uses it:
    # predicates, classes and entities recur on many lines, and rdflib keeps the objects it is
    # given (a 100k-triple file loaded 30% faster, into 17% less memory; docs/scale.md §2e).
    terms: dict = {}
    get = terms.get
    default = ox.DefaultGraph()
    longest = current().max_literal_chars if max_literal is None else max_literal
    rewritten: dict = {}  # (with a copy) parsed literal -> the rdflib literal, where they differ
    try:
        for q in ox.parse(data, format=fmt):
            # (the look-ups are written out: a helper function per term cost a tenth of the load)
            s, p, o, graph = q.subject, q.predicate, q.object, q.graph_name
            rs = get(s)
            if rs is None:
                rs = terms[s] = to_rdflib(s)
            rp = get(p)
            if rp is None:
                rp = terms[p] = to_rdflib(p)
            ro = get(o)
            if ro is None:
                if isinstance(o, ox.Literal) and len(o.value) > longest:
                    raise InputError(f"a literal of {len(o.value)} characters (value of {p} on {s}) "
                                     f"is over the {longest}-character limit", shown)
                ro = terms[o] = to_rdflib(o)
                if copy is not None and isinstance(o, ox.Literal) and str(ro) != o.value:
                    rewritten[o] = ro
            if graph == default:
                yield rs, rp, ro, None
            else:
                rg = get(graph)
                if rg is None:
                    rg = terms[graph] = to_rdflib(graph)
                yield rs, rp, ro, rg
        if copy is not None:
            copy.load(data, fmt, rewritten)
    except SyntaxError as exc:
        message = _POSITION.sub("", exc.msg or str(exc))
        if _UNDECLARED.search(message):
            message += f" (declared: {_declared_prefixes(path)})"
        raise InputError(message, shown, exc.lineno, exc.offset) from None
    except (UnicodeDecodeError, ValueError) as exc:  # defensive: reported without position
        raise InputError(f"cannot read as RDF: {exc}", shown) from None
    except MemoryError as exc:  # pyoxigraph's parser caps one token (a literal, an IRI) at 16 MiB
        raise InputError(f"a term in this file is too large to read ({exc})", shown) from None



def _declared_prefixes(path: Path) -> str:
    """The prefixes a Turtle/TriG file declares, for an 'undeclared prefix' message."""
    text = path.read_bytes().decode("utf-8", "replace")
    names = sorted({f"{m.group(1) or ''}:" for m in _PREFIX_DECL.finditer(text)})
    return ", ".join(names) if names else "none"


def parse_rdf_file(path: Path | str, *, display: str | None = None) -> Graph:
    """Parse a Turtle or N-Triples file into a new rdflib ``Graph`` (default graph only)."""
    graph = Graph()
    for s, p, o, g in iter_quads(path, display=display):
        if g is not None:
            raise InputError(f"named graph {g} in a file that should hold one graph", display or str(path))
        graph.add((s, p, o))
    return graph


def parse_dataset_file(path: Path | str, *, display: str | None = None) -> Dataset:
    """Parse a TriG or N-Quads file into an rdflib ``Dataset``."""
    ds = Dataset()
    # rdflib >= 7.2 names it default_graph (default_context is deprecated); 7.1 has only the old name
    default = ds.default_graph if hasattr(Dataset, "default_graph") else ds.default_context
    for s, p, o, g in iter_quads(path, display=display):
        target = ds.graph(g) if g is not None else default
        target.add((s, p, o))
    return ds
