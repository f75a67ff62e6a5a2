"""Hand the graph to an existing triple store, and ask one the research questions.

* :func:`push`: the built graph (by default ``build/eurokg.trig``: the facts, their
  provenance, inferred types, the ontology copy and the claims, every named
  graph flattened, as ``eurokg query`` sees them) into one named graph of a remote store, by the
  SPARQL 1.1 Graph Store HTTP Protocol (``PUT`` the first batch, which replaces
  the graph, ``POST`` the rest) or, for stores without it, SPARQL 1.1 Update
  (``DROP SILENT GRAPH`` then ``INSERT DATA`` per batch). Pushing twice leaves
  the same graph. Batches of N-Triples, HTTP timeouts, retries with
  exponential backoff on connection errors, 429 and 5xx, optional basic or
  digest credentials. Explicit and online: nothing else in eurokg calls it.
* :func:`push` with ``named_graphs=True``: every named graph of the file into the
  store's graph of the same name, so that provenance questions (``GRAPH ?g``) answer
  remotely as they do here. An index graph (:data:`DEFAULT_INDEX`, or ``graph``)
  lists the graphs pushed (``dcterms:hasPart``); the next push replaces each of them
  and removes the ones the new build no longer has, so pushing twice still leaves
  the same graphs. The index is widened before any graph is written and narrowed
  after the last, so an interrupted push leaves nothing a later push would not find.
* :func:`remote_query`: a query (policy-checked like a local one: no updates) sent
  by the SPARQL 1.1 Protocol; SPARQL JSON results come back as a
  :class:`eurokg.query.QueryResult`, so the same renderers print them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .errors import EurokgError, InputError, UsageError
from .query import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, QueryResult, check_policy
from .sources.rdffile import rdf_format_for
from .vocab import DCTERMS, GRAPH, PREFIXES

DEFAULT_GRAPH = GRAPH["eurokg"]
DEFAULT_INDEX = GRAPH["pushed"]
"""The index graph of a named-graph push: ``<index> dcterms:hasPart <graph>`` for each graph pushed."""
_HAS_PART = f"<{DCTERMS.hasPart}>"
DEFAULT_BATCH = 50_000
MAX_ANSWER_BYTES = 256 * 1024 * 1024
"""The largest answer :func:`remote_query` reads from a store."""
USER_AGENT = "eurokg (push/remote query)"


class RemoteError(EurokgError):
    exit_code = 1


@dataclass
class PushReport:
    graph: str  # the target graph, or the index graph of a named-graph push
    triples: int
    batches: int  # requests that carried triples
    protocol: str
    graphs: int = 1  # named graphs written
    removed: int = 0  # graphs of the previous named-graph push that this one no longer has


def _session(user: str | None, password: str | None, retries: int, auth: str = "basic"):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=0.5,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=None, respect_retry_after_header=True,
                  raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    if user is not None:
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        session.auth = (HTTPDigestAuth if auth == "digest" else HTTPBasicAuth)(user, password or "")
    return session


def _check(response, what: str) -> None:
    if response.status_code >= 400:
        body = response.text.strip().splitlines()[:3]
        raise RemoteError(f"{what}: HTTP {response.status_code} {response.reason}"
                          + (f": {' '.join(body)[:300]}" if body else ""))


def _batches(path: Path, fmt, size: int):
    """N-Triples batches of the graph in ``path`` (read with pyoxigraph: fast, streaming)."""
    import pyoxigraph as ox

    batch: list[str] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            batch.append(f"{quad.subject} {quad.predicate} {quad.object} .")
            if len(batch) >= size:
                yield batch
                batch = []
    except (SyntaxError, MemoryError) as exc:  # MemoryError: a term over the parser's 16 MiB cap
        raise InputError(f"cannot read the graph: {exc}", str(path)) from None
    if batch:
        yield batch


def _probe(session, endpoint: str, graph: str, timeout_s: float, user: str | None) -> None:
    """A body-less request first: a store that wants credentials answers 401 and may close the
    connection while a large batch is still being sent, which would surface as a broken pipe
    or a truncated response instead of the 401; with digest authentication the probe also
    settles the challenge, so the batches carry the Authorization header from the start and
    are sent once."""
    response = session.head(endpoint, params={"graph": graph}, timeout=timeout_s)
    if response.status_code in (401, 403, 407):
        _check(response, f"{endpoint} refused the credentials" if user is not None
               else f"{endpoint} wants credentials (--user, --password)")


def _named_graphs(path: Path, fmt) -> tuple[dict[str, list[str]], set[str]]:
    """``{graph IRI: its triples as N-Triples lines, each once}`` for a named-graph push, in
    the file's order, and the graphs that have blank nodes. A triple in the default graph,
    or a graph named by a blank node, has no place to go: an :class:`InputError` naming the file."""
    import pyoxigraph as ox

    if fmt not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        raise UsageError(f"{path}: a named-graph push reads .trig or .nq (a .ttl or .nt file has no named graphs)")
    graphs: dict[str, dict[str, None]] = {}
    blank: set[str] = set()
    default = 0
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            name = quad.graph_name
            if isinstance(name, ox.DefaultGraph):
                default += 1
                continue
            if not isinstance(name, ox.NamedNode):
                raise InputError(f"graph {name} is named by a blank node, which no store can address", str(path))
            graphs.setdefault(name.value, {})[f"{quad.subject} {quad.predicate} {quad.object} ."] = None
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                blank.add(name.value)
    except (SyntaxError, MemoryError) as exc:  # MemoryError: a term over the parser's 16 MiB cap
        raise InputError(f"cannot read the graph: {exc}", str(path)) from None
    if default:
        raise InputError(f"{default} triple(s) in the default graph; a named-graph push writes named graphs only",
                         str(path))
    return {name: list(lines) for name, lines in graphs.items()}, blank


def _chunks(lines: list[str], size: int, whole: bool) -> list[list[str]]:
    """A graph's N-Triples lines in requests of ``size``; ``whole`` (a graph with blank
    nodes) in one, since each request is its own document and ``_:b`` in two of them
    would be two nodes."""
    if whole:
        return [lines]
    return [lines[start:start + size] for start in range(0, len(lines), size)]


def _index_lines(index: str, graphs) -> str:
    return "".join(f"<{index}> {_HAS_PART} <{g}> .\n" for g in sorted(graphs))


def _listed(text: str, index: str) -> set[str]:
    """The graphs an index graph (N-Triples) lists."""
    import pyoxigraph as ox

    try:
        return {q.object.value for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
                if q.subject == ox.NamedNode(index) and q.predicate.value == str(DCTERMS.hasPart)
                and isinstance(q.object, ox.NamedNode)}
    except SyntaxError as exc:
        raise RemoteError(f"the index graph <{index}> came back unreadable: {exc}") from None


def _push_graphs_gsp(session, endpoint: str, graphs: dict[str, list[str]], blank: set[str], index: str,
                     batch_size: int, timeout_s: float) -> tuple[int, int, int]:
    def send(method, graph: str, lines: list[str], what: str):
        response = method(endpoint, params={"graph": graph}, data=("\n".join(lines) + "\n").encode("utf-8"),
                          timeout=timeout_s, headers={"Content-Type": "application/n-triples"})
        _check(response, what)

    response = session.get(endpoint, params={"graph": index}, timeout=timeout_s,
                           headers={"Accept": "application/n-triples"})
    if response.status_code == 404:
        previous: set[str] = set()
    else:
        _check(response, f"reading the index graph <{index}> at {endpoint}")
        previous = _listed(response.text, index)
    send(session.put, index, _index_lines(index, previous | set(graphs)).splitlines(), f"index graph to {endpoint}")
    triples = batches = 0
    for graph, lines in graphs.items():
        for start, chunk in enumerate(_chunks(lines, batch_size, graph in blank)):
            send(session.put if start == 0 else session.post, graph, chunk,
                 f"<{graph}> (request {batches + 1}) to {endpoint}")
            batches += 1
        triples += len(lines)
    stale = sorted(previous - set(graphs))
    for graph in stale:
        response = session.delete(endpoint, params={"graph": graph}, timeout=timeout_s)
        if response.status_code != 404:
            _check(response, f"removing <{graph}> (no longer built) at {endpoint}")
    send(session.put, index, _index_lines(index, graphs).splitlines(), f"index graph to {endpoint}")
    return triples, batches, len(stale)


def _push_graphs_update(session, endpoint: str, graphs: dict[str, list[str]], blank: set[str], index: str,
                        batch_size: int, timeout_s: float) -> tuple[int, int, int]:
    def update(text: str, what: str):
        response = session.post(endpoint, data=text.encode("utf-8"), timeout=timeout_s,
                                headers={"Content-Type": "application/sparql-update"})
        _check(response, what)

    # widen the index, then empty every graph it lists (the previous push's and this one's):
    # SPARQL Update cannot read the index back, so stale graphs are emptied here, not counted
    update(f"INSERT DATA {{ GRAPH <{index}> {{\n{_index_lines(index, graphs)}}} }}", f"index graph at {endpoint}")
    update(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{index}> {{ <{index}> {_HAS_PART} ?g }} "
           f"GRAPH ?g {{ ?s ?p ?o }} }}", f"emptying the graphs listed in <{index}> at {endpoint}")
    triples = batches = 0
    blocks: list[str] = []
    size = 0

    def flush():
        nonlocal batches, blocks, size
        if blocks:
            update("INSERT DATA {\n" + "".join(blocks) + "}", f"request {batches + 1} to {endpoint}")
            batches += 1
            blocks, size = [], 0

    for graph, lines in graphs.items():
        for chunk in _chunks(lines, batch_size, graph in blank):
            if size + len(chunk) > batch_size:
                flush()
            blocks.append(f"GRAPH <{graph}> {{\n" + "\n".join(chunk) + "\n}\n")
            size += len(chunk)
        triples += len(lines)
    flush()
    update(f"DROP SILENT GRAPH <{index}> ;\nINSERT DATA {{ GRAPH <{index}> {{\n{_index_lines(index, graphs)}}} }}",
           f"index graph at {endpoint}")
    return triples, batches, 0


def push(data: Path | str, endpoint: str, *, graph: str | None = None, protocol: str = "gsp",
         user: str | None = None, password: str | None = None, auth: str = "basic",
         batch_size: int = DEFAULT_BATCH, timeout_s: float = 60.0, retries: int = 4,
         named_graphs: bool = False) -> PushReport:
    """Replace ``graph`` at ``endpoint`` with the triples of ``data``; with ``named_graphs``,
    replace each named graph of ``data`` at ``endpoint``, ``graph`` naming the index graph
    (default :data:`DEFAULT_INDEX`)."""
    import requests

    path = Path(data)
    if not path.exists():
        raise InputError("no built graph here; run `eurokg build` first", str(path))
    if protocol not in ("gsp", "update"):
        raise UsageError(f"unknown protocol {protocol!r} (gsp or update)")
    fmt = rdf_format_for(path)  # an unreadable file type is refused before any request
    target = str(graph or (DEFAULT_INDEX if named_graphs else DEFAULT_GRAPH))
    graphs, blank = _named_graphs(path, fmt) if named_graphs else ({}, set())
    if target in graphs:
        raise UsageError(f"the index graph <{target}> is one of the graphs pushed; name another with --graph")
    session = _session(user, password, retries, auth)
    triples = batches = 0
    try:
        if protocol == "gsp":
            _probe(session, endpoint, target, timeout_s, user)
        if named_graphs:
            run = _push_graphs_gsp if protocol == "gsp" else _push_graphs_update
            triples, batches, removed = run(session, endpoint, graphs, blank, target, batch_size, timeout_s)
            return PushReport(target, triples, batches, protocol, graphs=len(graphs), removed=removed)
        if protocol == "update":
            response = session.post(endpoint, data=f"DROP SILENT GRAPH <{target}>".encode(), timeout=timeout_s,
                                    headers={"Content-Type": "application/sparql-update"})
            _check(response, f"DROP GRAPH at {endpoint}")
        for batch in _batches(path, fmt, batch_size):
            body = "\n".join(batch) + "\n"
            if protocol == "gsp":
                method = session.put if batches == 0 else session.post
                response = method(endpoint, params={"graph": target}, data=body.encode("utf-8"), timeout=timeout_s,
                                  headers={"Content-Type": "application/n-triples"})
            else:
                update = f"INSERT DATA {{ GRAPH <{target}> {{\n{body}}} }}"
                response = session.post(endpoint, data=update.encode("utf-8"), timeout=timeout_s,
                                        headers={"Content-Type": "application/sparql-update"})
            _check(response, f"batch {batches + 1} to {endpoint}")
            triples += len(batch)
            batches += 1
        if batches == 0 and protocol == "gsp":  # an empty build still replaces the graph
            response = session.delete(endpoint, params={"graph": target}, timeout=timeout_s)
            if response.status_code not in (404,):
                _check(response, f"DELETE graph at {endpoint}")
    except requests.RequestException as exc:
        raise RemoteError(f"{endpoint}: {type(exc).__name__}: {exc}") from None
    return PushReport(target, triples, batches, protocol)


def _read_capped(response, endpoint: str, timeout_s: float) -> str:
    """The whole answer as text, within ``timeout_s`` and :data:`MAX_ANSWER_BYTES` (a store
    that streams without end must not hold this process: requests' timeout is per read)."""
    import time

    deadline = time.monotonic() + timeout_s
    body = bytearray()
    for chunk in response.iter_content(1 << 16):
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            response.close()
            raise RemoteError(f"{endpoint}: the answer is over {MAX_ANSWER_BYTES // (1 << 20)} MiB; refused (add a LIMIT)")
        if time.monotonic() > deadline:
            response.close()
            raise RemoteError(f"{endpoint}: the answer took longer than {timeout_s:g} s; stopped")
    # SPARQL results and Turtle are UTF-8 unless the answer says otherwise (requests would
    # take ISO-8859-1 for any text/* type without a charset)
    charset = re.search(r"charset=([\w.-]+)", response.headers.get("Content-Type", ""), re.I)
    try:
        return bytes(body).decode(charset.group(1) if charset else "utf-8", errors="replace")
    except LookupError:  # an unknown charset name
        return bytes(body).decode("utf-8", errors="replace")


def _term(item: dict):
    kind = item.get("type")
    if kind == "uri":
        return URIRef(item["value"])
    if kind == "bnode":
        return BNode(item["value"])
    if "xml:lang" in item:
        return Literal(item["value"], lang=item["xml:lang"])
    if item.get("datatype"):
        return Literal(item["value"], datatype=URIRef(item["datatype"]))
    return Literal(item["value"])


def _prologue(text: str) -> str:
    """PREFIX declarations for the project's prefixes the query uses but does not declare."""
    import re

    declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([\w-]*):", text)}
    used = {p for p in PREFIXES if re.search(rf"(?<![\w<]){re.escape(p)}:", text)}
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in sorted(used - declared))


def _values(bindings: dict) -> str:
    from rdflib.term import Node

    from .query import query_text_term

    if not bindings:
        return ""
    names = sorted(bindings)
    try:
        terms = " ".join(query_text_term(v if isinstance(v, Node) else Literal(v)) for v in (bindings[n] for n in names))
    except ValueError as exc:
        raise UsageError(f"cannot bind: {exc}") from None
    return "\nVALUES (" + " ".join(f"?{n}" for n in names) + f") {{ ({terms}) }}\n"


def remote_query(endpoint: str, text: str, *, bindings: dict | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_rows: int = DEFAULT_MAX_ROWS, user: str | None = None, password: str | None = None,
                 retries: int = 2, source: str = "<query>") -> QueryResult:
    """Run a read-only query at a SPARQL endpoint; bindings travel as a VALUES clause."""
    import requests

    from .query import one_line_ending

    text = one_line_ending(text)
    check_policy(text, allow_remote=False, source=source)
    full = _prologue(text) + text + _values(bindings or {})
    session = _session(user, password, retries)
    try:
        response = session.post(endpoint, data={"query": full}, timeout=timeout_s, stream=True,
                                headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
        text = _read_capped(response, endpoint, timeout_s) if response.status_code < 400 else ""
    except requests.RequestException as exc:
        raise RemoteError(f"{endpoint}: {type(exc).__name__}: {exc}") from None
    _check(response, f"query at {endpoint}")
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
    if ctype in ("text/turtle", "application/n-triples", "application/rdf+xml"):
        if ctype == "application/rdf+xml" and re.search(r"<!\s*(?:DOCTYPE|ENTITY)", text, re.I):
            # entity declarations: external ones read local files (XXE), nested ones explode (billion laughs)
            raise RemoteError(f"{endpoint}: the RDF/XML answer declares a DOCTYPE or entities; refused")
        g = Graph()
        g.parse(data=text, format={"text/turtle": "turtle", "application/n-triples": "nt"}.get(ctype, "xml"))
        return QueryResult(kind="graph", graph=g)
    try:
        doc = json.loads(text)
    except ValueError:
        raise RemoteError(f"{endpoint}: the answer is not SPARQL JSON ({ctype or 'no content type'})") from None
    if "boolean" in doc:
        return QueryResult(kind="ask", boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows, truncated = [], False
    for binding in doc.get("results", {}).get("bindings", []):
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([_term(binding[v]) if v in binding else None for v in variables])
    return QueryResult(kind="select", vars=variables, rows=rows, truncated=truncated)
