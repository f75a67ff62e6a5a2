"""Stage 6: SPARQL queries — parse, check policy, bind values, run bounded, type the result.

Policy (deny by default): ``SERVICE``, ``FROM``/``FROM NAMED`` and SPARQL
Update (``LOAD``, ``INSERT``, ``DROP``...) are refused before anything runs,
unless the caller explicitly allows remote access. Values are bound with
``initBindings``, never pasted into the query text.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing as mp
import re
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import InputError, LimitExceeded, QueryRefused
from .vocab import PREFIXES, XSD, curie, expand

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000


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


def check_policy(text: str, *, allow_remote: bool = False, source: str = "<query>"):
    """Parse ``text``; refuse updates, SERVICE and FROM unless ``allow_remote``. Returns the prepared query."""
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
    if not allow_remote:
        for node in _walk(prepared.algebra):
            if node.name == "ServiceGraphPattern":
                raise QueryRefused(f"{source}: SERVICE is refused (it would send a request to another server); pass --allow-remote to permit it")
        if prepared.algebra.get("datasetClause"):
            raise QueryRefused(f"{source}: FROM / FROM NAMED is refused (it may fetch remote data); query the built graph, or pass --allow-remote")
    return prepared


def parse_binding(text: str) -> tuple[str, object]:
    """``name=value`` -> (name, term). Values: ``<iri>``, ``prefix:local``, ``"text"``, ``"text"@en``, integers, decimals, dates (YYYY-MM-DD); anything else is a plain string."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise InputError(f"--bind {text!r}: write NAME=VALUE")
    value = value.strip()
    if m := re.match(r'^"(.*)"(?:@([A-Za-z-]+))?$', value, re.S):
        return name, Literal(m.group(1), lang=m.group(2))
    if value.startswith("<") and value.endswith(">"):
        return name, URIRef(value[1:-1])
    if re.match(r"^[a-z][a-z0-9]*:[^\s]*$", value) and value.split(":", 1)[0] in PREFIXES:
        return name, expand(value)
    if re.match(r"^-?\d+$", value):
        return name, Literal(int(value))
    if re.match(r"^-?\d+\.\d+$", value):
        return name, Literal(value, datatype=XSD.decimal)
    if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value):
        try:
            _date.fromisoformat(value)
        except ValueError:
            raise InputError(f"--bind {text!r}: {value!r} is not a date (YYYY-MM-DD)") from None
        return name, Literal(value, datatype=XSD.date)
    return name, Literal(value)


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


def _child(conn, graph, text, bindings, max_rows):
    try:
        prepared = prepareQuery(text, initNs={p: ns for p, ns in PREFIXES.items()})
        conn.send(("ok", _execute(graph, prepared, bindings, max_rows)))
    except Exception as exc:  # sent back to the parent, re-raised there
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


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
    """
    prepared = check_policy(text, allow_remote=allow_remote, source=source)
    if timeout_s is None:
        return _execute(graph, prepared, bindings, max_rows)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, graph, text, bindings, max_rows), daemon=True)
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


def render(result: QueryResult, fmt: str = "table") -> str:
    """Render a result as ``table``, ``csv``, ``tsv`` or ``json`` (SPARQL 1.1 JSON results)."""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if result.kind == "graph":
        return result.graph.serialize(format="turtle")
    if fmt == "csv":
        return _csv(result, ",")
    if fmt == "tsv":
        return _csv(result, "\t")
    if fmt == "json":
        bindings = []
        for row in result.rows:
            bindings.append({v: _json_term(t) for v, t in zip(result.vars, row) if t is not None})
        return json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
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
    raise InputError(f"unknown result format {fmt!r} (table, csv, tsv, json)")
