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
* :func:`remote_query`: a query (policy-checked like a local one: no updates) sent
  by the SPARQL 1.1 Protocol; SPARQL JSON results come back as a
  :class:`eurokg.query.QueryResult`, so the same renderers print them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .errors import EurokgError, InputError, UsageError
from .query import QueryResult, check_policy
from .vocab import GRAPH, PREFIXES

DEFAULT_GRAPH = GRAPH["eurokg"]
DEFAULT_BATCH = 50_000
USER_AGENT = "eurokg (push/remote query)"


class RemoteError(EurokgError):
    exit_code = 1


@dataclass
class PushReport:
    graph: str
    triples: int
    batches: int
    protocol: str


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


def _batches(path: Path, size: int):
    """N-Triples batches of the graph in ``path`` (read with pyoxigraph: fast, streaming)."""
    import pyoxigraph as ox

    fmt = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
           ".nq": ox.RdfFormat.N_QUADS}.get(path.suffix)
    if fmt is None:
        raise UsageError(f"{path}: push reads .ttl, .nt, .trig or .nq")
    batch: list[str] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            batch.append(f"{quad.subject} {quad.predicate} {quad.object} .")
            if len(batch) >= size:
                yield batch
                batch = []
    except SyntaxError as exc:
        raise InputError(f"cannot read the graph: {exc}", str(path)) from None
    if batch:
        yield batch


def push(data: Path | str, endpoint: str, *, graph: str | None = None, protocol: str = "gsp",
         user: str | None = None, password: str | None = None, auth: str = "basic",
         batch_size: int = DEFAULT_BATCH, timeout_s: float = 60.0, retries: int = 4) -> PushReport:
    """Replace ``graph`` at ``endpoint`` with the triples of ``data``."""
    import requests

    path = Path(data)
    if not path.exists():
        raise InputError("no built graph here; run `eurokg build` first", str(path))
    target = str(graph or DEFAULT_GRAPH)
    session = _session(user, password, retries, auth)
    triples = batches = 0
    try:
        if protocol == "update":
            response = session.post(endpoint, data=f"DROP SILENT GRAPH <{target}>".encode(), timeout=timeout_s,
                                    headers={"Content-Type": "application/sparql-update"})
            _check(response, f"DROP GRAPH at {endpoint}")
        else:
            # A body-less probe first: a store that wants credentials answers 401 and may close the connection
            # while a large batch is still being sent, which would surface as a broken pipe or a truncated
            # response instead of the 401; with digest authentication the probe also settles the challenge, so
            # the batches carry the Authorization header from the start and are sent once.
            response = session.head(endpoint, params={"graph": target}, timeout=timeout_s)
            if response.status_code in (401, 403, 407):
                _check(response, f"{endpoint} refused the credentials" if user is not None
                       else f"{endpoint} wants credentials (--user, --password)")
        for batch in _batches(path, batch_size):
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

    if not bindings:
        return ""
    names = sorted(bindings)
    terms = " ".join(v.n3() if isinstance(v, Node) else Literal(v).n3() for v in (bindings[n] for n in names))
    return "\nVALUES (" + " ".join(f"?{n}" for n in names) + f") {{ ({terms}) }}\n"


def remote_query(endpoint: str, text: str, *, bindings: dict | None = None, timeout_s: float = 30.0,
                 max_rows: int = 10_000, user: str | None = None, password: str | None = None,
                 retries: int = 2, source: str = "<query>") -> QueryResult:
    """Run a read-only query at a SPARQL endpoint; bindings travel as a VALUES clause."""
    import requests

    check_policy(text, allow_remote=False, source=source)
    full = _prologue(text) + text + _values(bindings or {})
    session = _session(user, password, retries)
    try:
        response = session.post(endpoint, data={"query": full}, timeout=timeout_s,
                                headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
    except requests.RequestException as exc:
        raise RemoteError(f"{endpoint}: {type(exc).__name__}: {exc}") from None
    _check(response, f"query at {endpoint}")
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
    if ctype in ("text/turtle", "application/n-triples", "application/rdf+xml"):
        g = Graph()
        g.parse(data=response.text, format={"text/turtle": "turtle", "application/n-triples": "nt"}.get(ctype, "xml"))
        return QueryResult(kind="graph", graph=g)
    try:
        doc = json.loads(response.text)
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
