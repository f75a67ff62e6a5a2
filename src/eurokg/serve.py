"""``eurokg serve``: a read-only SPARQL 1.1 Protocol endpoint on the built graph.

* Queries by ``GET /sparql?query=…``, ``POST`` form (``query=…``) or ``POST``
  ``application/sparql-query``; results as SPARQL JSON, XML, CSV or TSV
  (``Accept`` or ``?format=json|xml|csv|tsv``), CONSTRUCT and DESCRIBE as Turtle.
* The data is the built TriG in an Oxigraph store (pyoxigraph) in memory; the
  default graph is the union of all named graphs, as for ``eurokg query``.
* Read-only: updates (``update=``, ``application/sparql-update``) get 403;
  ``SERVICE``, ``FROM`` and ``LOAD`` are refused (the policy of ``eurokg query``).
* Each query runs in a forked worker killed at the time limit (503); results
  past the row cap are cut, and the cut is reported (``X-Eurokg-Truncated: true``
  and, in SPARQL JSON, ``"eurokg": {"truncated": true, "maxRows": N}``).
* Bound to 127.0.0.1 unless told otherwise; CORS headers only with ``cors=``.
* ``GET /`` is a small query page.
"""

from __future__ import annotations

import html
import io
import json
import multiprocessing as mp
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import EurokgError, InputError, QueryRefused
from .query import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, check_policy, one_line_ending
from .vocab import PREFIXES
from .xmltext import clean_text

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
}
ACCEPT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml",
                  "application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                  "text/csv": "csv", "text/tab-separated-values": "tsv", "text/turtle": "turtle",
                  "application/x-turtle": "turtle"}


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    truncated: bool = False


# ------------------------------------------------------------------ result writers (SPARQL 1.1 result formats)

def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


_PARSING = threading.Lock()

MAX_WORKERS = 4
"""Queries answered at once (each in a forked worker); one more gets 503 at once."""

IDLE_TIMEOUT_S = 60
"""Seconds a client connection may stay silent (between or within requests) before it is closed."""

MAX_QUERY_BYTES = 1_000_000
"""The largest POST body the endpoint reads (413 above it; 411 without a length)."""


def _write_select(variables: list[str], rows: list[list], fmt: str, truncated: bool, max_rows: int) -> bytes:
    if fmt == "json":
        doc = {"head": {"vars": variables},
               "results": {"bindings": [{v: _json_term(t) for v, t in zip(variables, row) if t is not None}
                                        for row in rows]}}
        if truncated:
            doc["eurokg"] = {"truncated": True, "maxRows": max_rows}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        root = ET.Element("sparql", xmlns=SPARQL_RESULTS_NS)
        head = ET.SubElement(root, "head")
        for v in variables:
            ET.SubElement(head, "variable", name=v)
        results = ET.SubElement(root, "results")
        for row in rows:
            result = ET.SubElement(results, "result")
            for v, t in zip(variables, row):
                if t is None:
                    continue
                binding = ET.SubElement(result, "binding", name=v)
                j = _json_term(t)
                kind = {"uri": "uri", "bnode": "bnode", "literal": "literal"}[j["type"]]
                el = ET.SubElement(binding, kind)
                # XML 1.0 cannot carry control characters even escaped: they are left out
                # (as in the Gephi exports); SPARQL JSON keeps them
                el.text = clean_text(j["value"])
                if "xml:lang" in j:
                    el.set("xml:lang", j["xml:lang"])
                if "datatype" in j:
                    el.set("datatype", clean_text(j["datatype"]))
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    import csv

    buf = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else t.value for t in row])
    else:  # tsv: terms in N-Triples/Turtle form
        buf.write("\t".join("?" + v for v in variables) + "\n")
        for row in rows:
            buf.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return buf.getvalue().encode("utf-8")


def _write_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "xml":
        root = ET.Element("sparql", xmlns=SPARQL_RESULTS_NS)
        ET.SubElement(root, "head")
        ET.SubElement(root, "boolean").text = "true" if value else "false"
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if fmt in ("csv", "tsv"):
        return (("true" if value else "false") + "\n").encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


# ------------------------------------------------------------------ execution

def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items()))


def execute(store, text: str, fmt: str | None, max_rows: int) -> Answer:
    """Run one (already policy-checked) query on a pyoxigraph store and write the answer."""
    import pyoxigraph as ox

    result = store.query(_prologue() + text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        fmt = fmt if fmt in ("json", "xml", "csv", "tsv") else "json"
        return Answer(200, _write_boolean(bool(result), fmt), FORMATS[fmt])
    if isinstance(result, ox.QueryTriples):
        triples = []
        truncated = False
        for t in result:
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(t)
        return Answer(200, ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b"", FORMATS["turtle"], truncated)
    variables = [v.value for v in result.variables]
    rows, truncated = [], False
    for solution in result:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([solution[v] for v in variables])
    fmt = fmt if fmt in ("json", "xml", "csv", "tsv") else "json"
    return Answer(200, _write_select(variables, rows, fmt, truncated, max_rows), FORMATS[fmt], truncated)


def _child(conn, store, text, fmt, max_rows):
    try:
        conn.send(execute(store, text, fmt, max_rows))
    except Exception as exc:  # a query error: sent back as a 400
        conn.send(Answer(400, f"query failed: {exc}".encode(), "text/plain; charset=utf-8"))
    finally:
        conn.close()


class Endpoint:
    """The built graph behind the protocol: load once, answer many."""

    def __init__(self, data: Path | str, *, timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS,
                 cors: str | None = None, max_workers: int = MAX_WORKERS) -> None:
        import pyoxigraph as ox

        path = Path(data)
        if not path.exists():
            raise InputError("no built graph here; run `eurokg build` first", str(path))
        self.store = ox.Store()
        fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.N_QUADS if path.suffix == ".nq" \
            else ox.RdfFormat.TURTLE
        try:
            self.store.load(path=str(path), format=fmt)
        except (SyntaxError, ValueError, OSError, MemoryError) as exc:
            raise InputError(f"cannot read the graph: {exc}", str(path)) from None
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.cors = cors
        self.size = len(self.store)
        self.workers = threading.BoundedSemaphore(max_workers)
        self.max_workers = max_workers

    def answer(self, text: str, fmt: str | None) -> Answer:
        text = one_line_ending(text)
        try:
            with _PARSING:  # rdflib's (pyparsing's) parser is not thread-safe
                # without the command line's remedy (--allow-remote), which is not the endpoint's to offer
                check_policy(text, allow_remote=False, source="query", remedies=False)
        except QueryRefused as exc:
            return Answer(403, str(exc).encode(), "text/plain; charset=utf-8")
        except EurokgError as exc:
            return Answer(400, str(exc).encode(), "text/plain; charset=utf-8")
        # each query runs in a forked worker; more than max_workers at once would fork without bound
        if not self.workers.acquire(blocking=False):
            return Answer(503, f"busy: {self.max_workers} queries are running; try again shortly".encode(),
                          "text/plain; charset=utf-8")
        try:
            return self._run(text, fmt)
        finally:
            self.workers.release()

    def _run(self, text: str, fmt: str | None) -> Answer:
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(child, self.store, text, fmt, self.max_rows), daemon=True)
        proc.start()
        child.close()
        try:
            if not parent.poll(self.timeout_s):
                proc.kill()
                return Answer(503, f"query took longer than {self.timeout_s:g} s and was stopped".encode(),
                              "text/plain; charset=utf-8")
            return parent.recv()
        except EOFError:
            return Answer(500, b"the query worker died", "text/plain; charset=utf-8")
        finally:
            parent.close()
            proc.join(timeout=5)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>eurokg SPARQL</title></head>
<body><h1>eurokg SPARQL endpoint</h1><p>{size} quads, read-only. Prefixes {prefixes} are predeclared.</p>
<form method="post" action="/sparql"><textarea name="query" rows="12" cols="90">SELECT ?state ?label WHERE {{
  ?state a ek:State ; rdfs:label ?label .
}} ORDER BY ?label</textarea><br>
<select name="format"><option>json</option><option>xml</option><option>csv</option><option>tsv</option></select>
<button>Run</button></form></body></html>"""


def _negotiate(accept: str | None, explicit: str | None) -> str | None:
    if explicit:
        return explicit.lower()
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in ACCEPT_ALIASES:
            return ACCEPT_ALIASES[media]
    return None


def make_handler(endpoint: Endpoint):
    class Handler(BaseHTTPRequestHandler):
        server_version = "eurokg"
        timeout = IDLE_TIMEOUT_S  # a connection that sends nothing for this long is closed

        def log_message(self, *args):  # quiet: one line per request is the caller's choice
            pass

        def _send(self, answer: Answer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.truncated:
                self.send_header("X-Eurokg-Truncated", "true")
            if endpoint.cors:
                self.send_header("Access-Control-Allow-Origin", endpoint.cors)
                self.send_header("Vary", "Origin")
            self.end_headers()
            self.wfile.write(answer.body)

        def _plain(self, status: int, message: str) -> None:
            self._send(Answer(status, message.encode(), "text/plain; charset=utf-8"))

        def do_OPTIONS(self):  # noqa: N802
            if not endpoint.cors:
                return self._plain(405, "CORS is not enabled on this endpoint")
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", endpoint.cors)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            params = parse_qs(url.query)
            if url.path in ("/", "/index.html") and "query" not in params:
                body = PAGE.format(size=endpoint.size, prefixes=html.escape(", ".join(sorted(PREFIXES))))
                return self._send(Answer(200, body.encode(), "text/html; charset=utf-8"))
            if url.path not in ("/sparql", "/"):
                return self._plain(404, "not found; the endpoint is /sparql")
            if "update" in params:
                return self._plain(403, "this endpoint is read-only: updates are refused")
            if "query" not in params:
                return self._plain(400, "missing query parameter")
            self._send(endpoint.answer(params["query"][0], _negotiate(self.headers.get("Accept"),
                                                                        (params.get("format") or [None])[0])))

        def do_POST(self):  # noqa: N802
            url = urlsplit(self.path)
            if url.path not in ("/sparql", "/"):
                return self._plain(404, "not found; the endpoint is /sparql")
            lengths = self.headers.get_all("Content-Length") or []
            # the body is not read on these answers, so the connection cannot serve another request
            if self.headers.get("Transfer-Encoding") is not None:
                # a chunked body is not read here; with a Content-Length beside it, the two would
                # disagree on where the next request starts (RFC 9112 section 6.3)
                self.close_connection = True
                return self._plain(411, "a POST needs a Content-Length and no Transfer-Encoding")
            if not lengths:
                self.close_connection = True
                return self._plain(411, "a POST needs a Content-Length")
            if len(lengths) > 1:  # which one frames the body is ambiguous (RFC 9112 section 6.3)
                self.close_connection = True
                return self._plain(400, f"{len(lengths)} Content-Length headers; send one")
            declared = lengths[0]
            if not (declared.strip().isascii() and declared.strip().isdigit()):  # "²".isdigit() is True
                self.close_connection = True
                return self._plain(400, f"bad Content-Length {declared[:40]!r}")
            length = int(declared)
            if length > MAX_QUERY_BYTES:
                self.close_connection = True
                return self._plain(413, f"query too long: {length} bytes, the limit is {MAX_QUERY_BYTES}")
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            params = parse_qs(url.query)
            if ctype == "application/sparql-update":
                return self._plain(403, "this endpoint is read-only: updates are refused")
            if ctype == "application/sparql-query":
                text = body
            elif ctype in ("application/x-www-form-urlencoded", ""):
                form = parse_qs(body)
                if "update" in form:
                    return self._plain(403, "this endpoint is read-only: updates are refused")
                if "query" not in form:
                    return self._plain(400, "missing query parameter")
                text = form["query"][0]
                params.update(form)
            else:
                return self._plain(415, f"unsupported content type {ctype!r}")
            self._send(endpoint.answer(text, _negotiate(self.headers.get("Accept"),
                                                          (params.get("format") or [None])[0])))

    return Handler


MAX_CONNECTIONS = 32
"""Client connections held at once (each a thread); one more is answered 503 and closed."""


class _Server(ThreadingHTTPServer):
    """A thread per connection, at most ``max_connections`` of them: slow clients (one byte
    every minute keeps a connection within the idle timeout) cannot take threads without bound."""

    daemon_threads = True

    def __init__(self, address, handler, max_connections: int) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 23\r\nConnection: close\r\n\r\nbusy: too many clients\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that went away mid-request: nothing to report
        super().handle_error(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def make_server(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 8000, *,
                max_connections: int | None = None) -> ThreadingHTTPServer:
    return _Server((host, port), make_handler(endpoint), MAX_CONNECTIONS if max_connections is None else max_connections)


def serve_in_thread(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0):
    """Start a server in a background thread (for tests and notebooks); returns (server, url)."""
    server = make_server(endpoint, host, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}/sparql"
