"""Stage 6: SPARQL queries — parse, check policy, bind values, run bounded, type the result.

Policy (deny by default), checked before anything runs: SPARQL Update
(``LOAD``, ``INSERT``, ``DROP``...) is always refused, ``allow_remote`` or
not — queries are read-only. ``SERVICE`` and ``FROM``/``FROM NAMED`` are
refused unless the caller opts in with ``allow_remote``. Values are bound
with ``initBindings``, never pasted into the query text, and only to
variables the query has.

Results are rendered by the functions of ``RENDERERS`` (format name -> function).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import multiprocessing as mp
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import InputError, LimitExceeded, QueryRefused
from .limits import Limits
from .sources.values import parse_date, parse_temporal
from .vocab import EK, PREFIXES, XSD, curie, expand

DEFAULT_TIMEOUT_S = Limits.query_timeout_s
DEFAULT_MAX_ROWS = Limits.max_rows


@dataclass
class QueryResult:
    """Rows of a SELECT (``vars``/``rows``), the answer of an ASK, or a CONSTRUCT graph."""

    kind: str  # "select" | "ask" | "graph"
    vars: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False

    def values(self) -> list[tuple[str, ...]]:
        """Rows as tuples of display strings (CURIEs for IRIs, lexical forms for literals)."""
        return [tuple(display(v) for v in row) for row in self.rows]


def display(term) -> str:
    """A value as shown in tables and CSV: CURIEs for IRIs, lexical forms for literals
    (decimals without a trailing '.0', which Turtle's shorthand adds)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.datatype == XSD.decimal and not term.ill_typed:
        text = format(term.toPython(), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(term)


def _header_comment(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            lines.append(line.lstrip("#").strip())
        elif line.strip():
            break
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class SavedQuery:
    """A ``.rq`` file: its name, the question its header comment asks, and the text."""

    name: str
    path: Path
    text: str
    description: str


def load_query_file(path: Path | str) -> SavedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such query file", path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"query file is not UTF-8 (byte offset {exc.start})", path) from None
    return SavedQuery(name=path.stem, path=path, text=text, description=_header_comment(text))


def saved_queries(folder: Path) -> list[SavedQuery]:
    return [load_query_file(p) for p in sorted(folder.glob("*.rq"))]


_POS = re.compile(r"at char (\d+)|\(at char (\d+)\)")


def _locate(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _walk(node):
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)


def reaches_out(algebra) -> str | None:
    """What in a parsed query would reach beyond the graph it runs on: ``"SERVICE"`` (a
    request to another server) or ``"FROM"`` (a dataset named by IRI, which rdflib may
    fetch); None when nothing does. Shared by the query policy and the shapes check."""
    if any(node.name == "ServiceGraphPattern" for node in _walk(algebra)):
        return "SERVICE"
    if "datasetClause" in algebra and algebra["datasetClause"]:
        return "FROM"
    return None


def check_policy(text: str, *, allow_remote: bool = False, source: str = "<query>", remedies: bool = True):
    """Parse ``text``; refuse updates, SERVICE and FROM unless ``allow_remote``. Returns the prepared query.
    ``remedies``: whether a refusal names the command line's way out (``--allow-remote``)."""
    try:
        prepared = prepareQuery(text, initNs={p: ns for p, ns in PREFIXES.items()})
    except Exception as exc:  # pyparsing errors, unknown prefixes...
        try:
            parseUpdate(text)
        except Exception:
            pass
        else:
            raise QueryRefused(f"{source}: SPARQL Update (INSERT, DELETE, LOAD, DROP...) is refused: queries are read-only") from None
        message = str(exc)
        m = re.search(r"line:(\d+), col:(\d+)", message) or None
        if m:
            raise InputError(f"SPARQL syntax error: {message.splitlines()[0]}", source, int(m.group(1)), int(m.group(2))) from None
        raise InputError(f"SPARQL syntax error: {message.splitlines()[0]}", source) from None
    outward = None if allow_remote else reaches_out(prepared.algebra)
    if outward == "SERVICE":
        raise QueryRefused(f"{source}: SERVICE is refused (it would send a request to another server)"
                           + ("; pass --allow-remote to permit it" if remedies else ""))
    if outward == "FROM":
        raise QueryRefused(f"{source}: FROM / FROM NAMED is refused (it may fetch remote data); query the built graph"
                           + (", or pass --allow-remote" if remedies else ""))
    return prepared


_BIND_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUOTED = re.compile(r'^"(?P<text>.*)"(?:@(?P<lang>\S*)|\^\^(?P<datatype>\S*))?$', re.S)
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_CURIE = re.compile(r"^[a-z][a-z0-9]*:[^\s]*$")
_INTEGER = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEAR_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
_DATE_LIKE = re.compile(r"^[0-9]+-[0-9]+(?:-[0-9]+)?(?:T.*)?$", re.S)
_TEMPORAL_TYPES = frozenset({XSD.date, XSD.gYearMonth, XSD.gYear, EK.Decade})


class _Silent(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _typed_literal(text: str, datatype: URIRef) -> Literal:
    """``text`` as a literal of ``datatype``; ``ValueError`` if it is not a valid one."""
    if datatype in _TEMPORAL_TYPES:  # stricter than rdflib: no week dates, months 01-12
        return parse_temporal(text, frozenset({datatype}))
    term_log = logging.getLogger("rdflib.term")  # rdflib logs a traceback per ill-typed literal
    silent = _Silent()
    term_log.addFilter(silent)
    try:
        with warnings.catch_warnings():  # ... and warns about "weird" booleans
            warnings.simplefilter("ignore")
            lit = Literal(text, datatype=datatype)
    finally:
        term_log.removeFilter(silent)
    if lit.ill_typed:
        raise ValueError(f"{text!r} is not a valid {curie(datatype)}")
    return lit


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def checked_iri(iri: str) -> URIRef:
    """``iri`` as a URIRef, refused (ValueError) if SPARQL's IRIREF cannot hold it: a value
    bound into a query's text must not be able to end the IRI and write query text."""
    bad = _NOT_IN_IRI.search(iri)
    if bad or not iri:
        shown = repr(bad.group(0)) if bad else "nothing"
        raise ValueError(f"<{iri}> is not an IRI ({shown} cannot appear in one)")
    return URIRef(iri)


def query_text_term(term) -> str:
    """A bound value as SPARQL text (``n3()``), its IRIs checked by :func:`checked_iri`:
    the one place where a value becomes query text."""
    if isinstance(term, URIRef):
        checked_iri(str(term))
    elif isinstance(term, Literal) and term.datatype is not None:
        checked_iri(str(term.datatype))
    elif not isinstance(term, Literal):
        raise ValueError(f"cannot bind {term!r}: only IRIs and literals")
    return term.n3()


def _datatype(text: str) -> URIRef:
    if len(text) > 2 and text.startswith("<") and text.endswith(">"):
        return checked_iri(text[1:-1])
    if _CURIE.match(text) and text.split(":", 1)[0] in PREFIXES:
        return checked_iri(str(expand(text)))
    raise ValueError(f"unknown datatype {text!r} (write <iri>, or prefix:local with a known prefix such as xsd:)")


def _binding_value(value: str):
    if m := _QUOTED.match(value):
        if m.group("datatype") is not None:
            return _typed_literal(m.group("text"), _datatype(m.group("datatype")))
        if m.group("lang") is not None and not _LANG.match(m.group("lang")):
            raise ValueError(f"{m.group('lang')!r} is not a language tag (e.g. en, kk, zh-Hans)")
        return Literal(m.group("text"), lang=m.group("lang"))
    if value.startswith("<") and value.endswith(">"):
        return checked_iri(value[1:-1])
    if _CURIE.match(value) and value.split(":", 1)[0] in PREFIXES:
        return checked_iri(str(expand(value)))
    if _INTEGER.match(value):
        return Literal(int(value))
    if _DECIMAL.match(value):
        return Literal(value, datatype=XSD.decimal)
    if _DATE.match(value):
        return parse_date(value)
    if _YEAR_MONTH.match(value):
        return parse_temporal(value, frozenset({XSD.gYearMonth}))
    if _DATE_LIKE.match(value):
        typed = f', a typed literal such as "{value}"^^xsd:dateTime' if "T" in value else ""
        raise ValueError(
            f'{value!r} is not a date: write YYYY-MM-DD or YYYY-MM{typed}, or quote it ("{value}") to bind it as text'
        )
    return Literal(value)


def parse_binding(text: str) -> tuple[str, object]:
    """``name=value`` (also ``?name=`` and ``$name=``) -> ``(name, term)``.

    Values:

    * ``<iri>`` or ``prefix:local`` with a project prefix (``id:``, ``ek:``, ``xsd:``...): an IRI;
    * ``"text"``, ``"text"@en``: a plain or language-tagged string;
    * ``"text"^^xsd:type``, ``"text"^^<iri>``: a typed literal, refused if ill-typed
      (``"2025-02-30"^^xsd:date``);
    * ``42``, ``-3``: an integer; ``10.4``: a decimal;
    * ``2025-06-17``: an ``xsd:date``; ``2025-06``: an ``xsd:gYearMonth`` (a year alone
      is an integer: write ``"2025"^^xsd:gYear`` for a year);
    * anything else is a plain string: a bare word, ``foo:bar`` with an unknown prefix,
      an unclosed ``"``. Except what looks like a malformed date (``2025-13-01``,
      ``2025-1-5``), which is refused: quote it to bind it as text.

    Whether the query has the variable is checked by :func:`run_query`.
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _BIND_NAME.match(name):
        raise InputError(f"--bind {text!r}: write NAME=VALUE")
    try:
        return name, _binding_value(value.strip())
    except ValueError as exc:
        raise InputError(f"--bind {text!r}: {exc}") from None


# ------------------------------------------------------------- query variables

_VAR = re.compile(r"[?$]([\w\u00B7\u0300-\u036F\u203F\u2040]+)")
_NOT_CODE = re.compile(
    r"#[^\n]*"                             # comments
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'      # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'                # strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>',         # IRIs
    re.S,
)
_SELECT_STAR = re.compile(r"\bSELECT\b(?P<star>\s+(?:(?:DISTINCT|REDUCED)\s+)?\*)?", re.I)


def _code(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out (offsets kept)."""
    return _NOT_CODE.sub(lambda m: " " * len(m.group(0)), text)


def query_variables(text: str) -> list[str]:
    """The variables of a query text (``?x`` or ``$x``), in order of first appearance;
    comments, strings and IRIs are skipped."""
    return list(dict.fromkeys(m.group(1) for m in _VAR.finditer(_code(text))))


def _parsed_variables(node, found: set[str] | None = None) -> set[str]:
    """Every variable named anywhere in a parsed query (patterns, expressions, subqueries)."""
    found = set() if found is None else found
    if isinstance(node, Variable):
        found.add(str(node))
    elif isinstance(node, CompValue):
        for value in node.values():
            _parsed_variables(value, found)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for item in node:
            _parsed_variables(item, found)
    return found


def _check_bindings(text: str, prepared, bindings: dict, source: str) -> None:
    """A bound name must be a variable of the query: a typo would otherwise bind nothing, silently."""
    in_text = query_variables(text)
    # rdflib's parse counts too, for text the scan misreads (``?n<?max&&?n>1`` looks like an IRI)
    parsed = _parsed_variables(prepared.algebra)
    known = set(in_text) | parsed
    for name in map(str, bindings):
        if name not in known:
            listed = [*in_text, *sorted(parsed - set(in_text))]
            have = ", ".join(f"?{v}" for v in listed) or "none"
            raise InputError(f"--bind {name}: the query has no variable ?{name} (its variables: {have})", source)


def _select_star(text: str) -> bool:
    m = _SELECT_STAR.search(_code(text))
    return bool(m and m.group("star"))


def _in_text_order(result: QueryResult, text: str) -> QueryResult:
    """Columns in order of the variables' first appearance in ``text``
    (rdflib gives ``SELECT *`` columns in set order, which changes with PYTHONHASHSEED)."""
    first = {name: i for i, name in enumerate(query_variables(text))}
    order = sorted(range(len(result.vars)), key=lambda i: (first.get(result.vars[i], len(first)), result.vars[i]))
    result.vars = [result.vars[i] for i in order]
    result.rows = [[row[i] for i in order] for row in result.rows]
    return result


def _execute(graph, prepared, bindings, max_rows):
    res = graph.query(prepared, initBindings=bindings or {})
    if res.type == "ASK":
        return QueryResult(kind="ask", boolean=bool(res.askAnswer))
    if res.type in ("CONSTRUCT", "DESCRIBE"):
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        for t in res.graph:
            g.add(t)
        return QueryResult(kind="graph", graph=g)
    vars_ = [str(v) for v in res.vars]
    rows = []
    truncated = False
    for row in res:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([row[v] if v in row.labels else None for v in vars_])
    return QueryResult(kind="select", vars=vars_, rows=rows, truncated=truncated)


def _prepared_execute(graph, text, bindings, max_rows):
    prepared = prepareQuery(text, initNs={p: ns for p, ns in PREFIXES.items()})
    return _execute(graph, prepared, bindings, max_rows)


def _worker(conn, fn, args):
    try:
        conn.send(("ok", fn(*args)))
    except Exception as exc:  # sent back to the parent, re-raised there
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def one_line_ending(text: str) -> str:
    """``text`` with CR and CRLF as LF. rdflib's parser ends a ``#`` comment only at LF,
    Oxigraph's also at CR: ``# \\r SERVICE <…>`` would pass the policy check as a comment and
    then run. Every query is normalised before it is checked and before it runs."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_query(
    graph: Graph | Dataset,
    text: str,
    *,
    bindings: dict | None = None,
    allow_remote: bool = False,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
    source: str = "<query>",
) -> QueryResult:
    """Run a SPARQL query on ``graph`` under the policy.

    With ``timeout_s`` the query runs in a forked worker that is killed at the
    deadline (rdflib has no cancellation), raising :class:`LimitExceeded`.
    A binding whose name is not a variable of the query raises :class:`InputError`.
    The columns of a ``SELECT *`` come in the order their variables first appear in ``text``.
    """
    text = one_line_ending(text)
    prepared = check_policy(text, allow_remote=allow_remote, source=source)
    _check_bindings(text, prepared, bindings or {}, source)
    for name, term in (bindings or {}).items():
        try:
            query_text_term(term)  # the oxigraph path writes values into the query text
        except ValueError as exc:
            raise InputError(f"--bind {name}: {exc}", source) from None
    from .store import OxigraphDataset

    if isinstance(graph, OxigraphDataset):
        if allow_remote:
            raise QueryRefused(f"{source}: --allow-remote is not available on the oxigraph store")
        result = _run_oxigraph(graph, text, bindings or {}, max_rows, timeout_s, source)
    elif timeout_s is None:
        result = _execute(graph, prepared, bindings, max_rows)
    else:
        result = _run_forked(_prepared_execute, (graph, text, bindings, max_rows), timeout_s, source)
    if result.kind == "select" and _select_star(text):
        result = _in_text_order(result, text)
    return result


_PROJECTION = re.compile(r"\bSELECT\b(?P<proj>.*?)\b(?:WHERE\b|FROM\b|\{)", re.I | re.S)


def _oxigraph_text(text: str, bindings: dict) -> str:
    """The query as Oxigraph gets it: the project's prefixes declared, and each bound
    variable replaced by its value in the query body, as rdflib's initial bindings
    behave (a trailing VALUES clause would join too late for ``BIND(COALESCE(?on, …))``);
    a bound variable the SELECT clause projects is also given by a VALUES clause."""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items()))
    if not bindings:
        return prologue + text
    code = _code(text)
    head = _PROJECTION.search(code)
    skip = (head.start("proj"), head.end("proj")) if head else (0, 0)
    out, last = [], 0
    for m in _VAR.finditer(code):
        name = m.group(1)
        if name in bindings and not (skip[0] <= m.start() < skip[1]):
            out.append(text[last:m.start()])
            out.append(query_text_term(bindings[name]))
            last = m.end()
    out.append(text[last:])
    body = "".join(out)
    projected = [n for n in sorted(bindings) if head and re.search(rf"[?$]{re.escape(n)}\b", code[skip[0]:skip[1]])]
    if projected:
        terms = " ".join(query_text_term(bindings[n]) for n in projected)
        body += "\nVALUES (" + " ".join(f"?{n}" for n in projected) + f") {{ ({terms}) }}\n"
    return prologue + body


def _execute_oxigraph(dataset, text: str, bindings: dict, max_rows: int) -> QueryResult:
    import pyoxigraph as ox

    from .oxterms import from_ox

    store = dataset.open()
    res = store.query(_oxigraph_text(text, bindings), use_default_graph_as_union=True)
    if isinstance(res, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(res))
    if isinstance(res, ox.QueryTriples):
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        for t in res:
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return QueryResult(kind="graph", graph=g)
    variables = [v.value for v in res.variables]
    rows, truncated = [], False
    for solution in res:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([None if (value := solution[v]) is None else from_ox(value) for v in variables])
    return QueryResult(kind="select", vars=variables, rows=rows, truncated=truncated)


def _run_oxigraph(dataset, text: str, bindings: dict, max_rows: int, timeout_s: float | None,
                  source: str) -> QueryResult:
    """Run on the Oxigraph store; with a time limit, in a forked worker that opens the store itself."""
    if timeout_s is None:
        try:
            return _execute_oxigraph(dataset, text, bindings, max_rows)
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError(f"query failed: {type(exc).__name__}: {exc}", source) from None
    return _run_forked(_execute_oxigraph, (dataset, text, bindings, max_rows), timeout_s, source)


def _run_forked(fn, args: tuple, timeout_s: float, source: str) -> QueryResult:
    """``fn(*args)`` in a forked worker killed at the deadline (neither rdflib nor
    Oxigraph can cancel a query), raising :class:`LimitExceeded`."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            proc.kill()
            proc.join()
            raise LimitExceeded(f"{source}: query took longer than {timeout_s:g} s and was stopped")
        status, payload = parent.recv()
    finally:
        parent.close()
        proc.join(timeout=5)
    if status == "error":
        raise InputError(f"query failed: {payload}", source)
    return payload


# ------------------------------------------------------------------ rendering

def _csv(result: QueryResult, delimiter: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.vars)
    for row in result.values():
        writer.writerow(row)
    return buf.getvalue()


def _json_term(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _boolean(result: QueryResult) -> str:
    return ("true" if result.boolean else "false") + "\n"


def _render_csv(result: QueryResult) -> str:
    return _boolean(result) if result.kind == "ask" else _csv(result, ",")


def _render_tsv(result: QueryResult) -> str:
    return _boolean(result) if result.kind == "ask" else _csv(result, "\t")


def _render_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    bindings = [{v: _json_term(t) for v, t in zip(result.vars, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False) + "\n"


def _render_table(result: QueryResult) -> str:
    if result.kind == "ask":
        return _boolean(result)
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for v in result.vars:
        table.add_column(v, overflow="fold")
    for row in result.values():
        table.add_row(*row)
    console = Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False)
    console.print(table)
    footer = f"{len(result.rows)} row(s)" + (" (truncated)" if result.truncated else "")
    return console.file.getvalue() + footer + "\n"


RENDERERS: dict[str, Callable[[QueryResult], str]] = {
    "table": _render_table,
    "csv": _render_csv,
    "tsv": _render_tsv,
    "json": _render_json,
}
"""Result format name -> function rendering a SELECT or ASK result as text. A new format is
a new entry here (the CLI offers these names); CONSTRUCT/DESCRIBE graphs are always Turtle."""


def render(result: QueryResult, fmt: str = "table") -> str:
    """Render ``result`` in a format of :data:`RENDERERS`; a graph result is Turtle whatever the format."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise InputError(f"unknown result format {fmt!r} (known: {', '.join(RENDERERS)})")
    if result.kind == "graph":
        return result.graph.serialize(format="turtle")
    return renderer(result)
