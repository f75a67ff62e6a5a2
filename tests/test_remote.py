"""Push to, and query, a real Oxigraph server started on loopback (the `oxigraph` binary from PyPI)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from eurokg.cli import main
from eurokg.errors import EurokgError, QueryRefused
from eurokg.remote import DEFAULT_GRAPH, DEFAULT_INDEX, push, remote_query

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp: Path, *extra: str):
    if not Path(OXIGRAPH).exists():
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp), "--bind", f"127.0.0.1:{port}", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph did not start: {proc.stderr.read().decode()[:500]}")
            time.sleep(0.1)
    proc.kill()
    pytest.fail("oxigraph did not answer within 10 s")


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    proc, base = _start(tmp_path_factory.mktemp("oxi"))
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _count(base: str, graph: str) -> int:
    res = remote_query(base + "/query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(res.rows[0][0])


def test_push_replaces_the_graph_in_batches(built, oxigraph_server):
    proj, result = built
    data = proj.build_dir / "eurokg.trig"
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data, format="trig")
    expected = len({t for g in ds.graphs() for t in g})  # every graph, flattened into one
    report = push(data, oxigraph_server + "/store", batch_size=300)
    assert report.batches == -(-report.triples // 300) and report.triples >= expected
    assert _count(oxigraph_server, str(DEFAULT_GRAPH)) == expected
    push(data, oxigraph_server + "/store", batch_size=1000)  # again: the same graph, not twice the triples
    assert _count(oxigraph_server, str(DEFAULT_GRAPH)) == expected


def test_push_by_sparql_update(built, oxigraph_server):
    proj, _ = built
    graph = "https://example.org/by-update"
    report = push(proj.build_dir / "eurokg.ttl", oxigraph_server + "/update", graph=graph, protocol="update",
                  batch_size=400)
    assert report.batches == -(-report.triples // 400)
    assert _count(oxigraph_server, graph) == report.triples
    push(proj.build_dir / "eurokg.ttl", oxigraph_server + "/update", graph=graph, protocol="update")
    assert _count(oxigraph_server, graph) == report.triples


def _rows(result) -> list[tuple]:
    """Rows in a comparable form: GROUP_CONCAT has no defined order across engines."""
    return sorted(tuple(" | ".join(sorted(cell.split(" | "))) for cell in row) for row in result.values())


def test_saved_questions_answer_the_same_remotely(built, tmp_path):
    """Every research question in queries/ gives the same rows on a store the build was pushed to."""
    from eurokg import query_build
    from eurokg.query import load_query_file

    proj, _ = built
    proc, base = _start(tmp_path / "oxi", "--union-default-graph")
    try:
        push(proj.build_dir / "eurokg.trig", base + "/store")
        # the push flattens the named graphs into one: questions that ask GRAPH ?g are left out
        everything = sorted(proj.queries.glob("*.rq"))
        files = [p for p in everything if "GRAPH" not in load_query_file(p).text]
        assert 10 <= len(files) < len(everything)
        for path in files:
            local = query_build(proj, file=path)
            remote = remote_query(base + "/query", load_query_file(path).text, source=path.name)
            assert remote.kind == local.kind, path.name
            assert _rows(remote) == _rows(local), path.name
        # with the named graphs kept, every question answers as here, provenance included
        urllib.request.urlopen(urllib.request.Request(base + "/update", data=b"DROP ALL", method="POST",
                                                      headers={"Content-Type": "application/sparql-update"}))
        push(proj.build_dir / "eurokg.trig", base + "/store", named_graphs=True)
        for path in everything:
            local = query_build(proj, file=path)
            remote = remote_query(base + "/query", load_query_file(path).text, source=path.name)
            assert _rows(remote) == _rows(local), path.name
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _graph_sizes(query_url: str) -> dict[str, int]:
    res = remote_query(query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                       max_rows=10**6)
    return {str(g): int(n) for g, n in res.rows}


def _local_graph_sizes(path: Path) -> dict[str, int]:
    import pyoxigraph as ox

    seen: dict[str, set] = {}
    for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.N_QUADS):
        seen.setdefault(q.graph_name.value, set()).add((q.subject, q.predicate, q.object))
    return {g: len(t) for g, t in seen.items()}


def _without_graphs(src: Path, dst: Path, drop: set[str]) -> None:
    """``src`` without the named graphs in ``drop``, as N-Quads."""
    import pyoxigraph as ox

    quads = [q for q in ox.parse(path=str(src), format=ox.RdfFormat.TRIG) if q.graph_name.value not in drop]
    dst.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def _listed(query_url: str, index: str) -> set[str]:
    res = remote_query(query_url, f"SELECT ?g WHERE {{ GRAPH <{index}> {{ <{index}> dcterms:hasPart ?g }} }}",
                       max_rows=10**6)
    return {str(r[0]) for r in res.rows}


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_named_graph_push_keeps_every_graph_and_removes_stale_ones(built, tmp_path, protocol):
    """Each named graph lands in the store's graph of the same name, with the same triples; a
    second push of a build without some graphs removes them (replaces, never appends)."""
    proj, _ = built
    trig = proj.build_dir / "eurokg.trig"
    expected = _local_graph_sizes(trig)
    assert len(expected) > 20
    proc, base = _start(tmp_path / "oxi")
    url = base + ("/store" if protocol == "gsp" else "/update")
    try:
        report = push(trig, url, protocol=protocol, named_graphs=True, batch_size=40)
        assert (report.graphs, report.triples, report.graph) == (len(expected), sum(expected.values()),
                                                                 str(DEFAULT_INDEX))
        remote = _graph_sizes(base + "/query")
        assert remote.pop(str(DEFAULT_INDEX)) == len(expected)
        assert remote == expected
        assert _listed(base + "/query", str(DEFAULT_INDEX)) == set(expected)

        push(trig, url, protocol=protocol, named_graphs=True)  # again: the same graphs, not twice the triples
        remote = _graph_sizes(base + "/query")
        remote.pop(str(DEFAULT_INDEX))
        assert remote == expected

        drop = set(sorted(expected)[:5])
        smaller = tmp_path / "smaller.nq"
        _without_graphs(trig, smaller, drop)
        report = push(smaller, url, protocol=protocol, named_graphs=True)
        assert report.graphs == len(expected) - 5
        if protocol == "gsp":
            assert report.removed == 5
        remote = _graph_sizes(base + "/query")
        remote.pop(str(DEFAULT_INDEX))
        assert remote == {g: n for g, n in expected.items() if g not in drop}
        assert _listed(base + "/query", str(DEFAULT_INDEX)) == set(expected) - drop
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_named_graph_push_refuses_what_it_cannot_place(built, tmp_path):
    proj, _ = built
    with pytest.raises(EurokgError, match=r"\.trig or \.nq"):
        push(proj.build_dir / "eurokg.ttl", "http://127.0.0.1:9/store", named_graphs=True)
    mixed = tmp_path / "mixed.trig"
    mixed.write_text("<https://example.org/a> <https://example.org/p> 1 .\n"
                     "<https://example.org/g> { <https://example.org/a> <https://example.org/p> 2 . }\n")
    with pytest.raises(EurokgError, match=r"1 triple\(s\) in the default graph") as err:
        push(mixed, "http://127.0.0.1:9/store", named_graphs=True)
    assert "mixed.trig" in str(err.value)
    with pytest.raises(EurokgError, match="index graph"):
        push(proj.build_dir / "eurokg.trig", "http://127.0.0.1:9/store", named_graphs=True,
             graph="https://w3id.org/eurokg/graph/provenance")


def test_cli_push_and_remote_query(built, oxigraph_server):
    proj, _ = built
    runner = CliRunner()
    out = runner.invoke(main, ["--project", str(proj.root), "push", "--endpoint", oxigraph_server + "/store",
                               "--graph", "https://example.org/cli"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("pushed ") and "<https://example.org/cli>" in out.output
    out = runner.invoke(main, ["query", "--endpoint", oxigraph_server + "/query", "--format", "csv", "-e",
                               "SELECT ?l WHERE { GRAPH <https://example.org/cli> { id:kazakhstan rdfs:label ?l } }"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["l", "Kazakhstan"]
    out = runner.invoke(main, ["query", "--endpoint", oxigraph_server + "/query", "-e",
                               "SELECT ?s WHERE { GRAPH ?g { ?s a ek:State } } LIMIT 1", "--bind", "s=id:china"])
    assert out.exit_code == 0, out.output
    assert "id:china" in out.output


def test_cli_push_named_graphs(built, tmp_path):
    proj, _ = built
    proc, base = _start(tmp_path / "oxi")
    try:
        runner = CliRunner()
        out = runner.invoke(main, ["--project", str(proj.root), "push", "--endpoint", base + "/store", "--named-graphs",
                                   "--graph", "https://example.org/index"])
        assert out.exit_code == 0, out.output
        graphs = len(_local_graph_sizes(proj.build_dir / "eurokg.trig"))
        assert f"in {graphs} named graphs" in out.output and "index <https://example.org/index>" in out.output
        assert _listed(base + "/query", "https://example.org/index") == set(_local_graph_sizes(proj.build_dir / "eurokg.trig"))
        out = runner.invoke(main, ["--project", str(proj.root), "push", "--endpoint", base + "/store", "--named-graphs",
                                   "--data", str(proj.build_dir / "eurokg.ttl")])
        assert out.exit_code != 0 and "eurokg.ttl" in out.output and ".trig or .nq" in out.output
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_remote_query_keeps_the_read_only_policy():
    with pytest.raises(QueryRefused):
        remote_query("http://127.0.0.1:9/query", "DELETE WHERE { ?s ?p ?o }")


def test_unreachable_store_is_a_clear_error(built):
    proj, _ = built
    with pytest.raises(EurokgError, match="127.0.0.1:9"):
        push(proj.build_dir / "eurokg.trig", "http://127.0.0.1:9/store", retries=0, timeout_s=2)


class _HangUpOn401(__import__("http.server").server.BaseHTTPRequestHandler):
    """Wants Basic credentials; without them answers 401 and closes at once, unread body and all (as Virtuoso)."""

    received: list[int] = []

    def _refuse(self) -> bool:
        if self.headers.get("Authorization") == "Basic " + __import__("base64").b64encode(b"u:p").decode():
            return False
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="store"')
        self.send_header("Connection", "close")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"40\r\n")  # a chunk announced and never sent: a truncated response
        self.close_connection = True
        return True

    def do_HEAD(self):  # noqa: N802 (http.server's names)
        if not self._refuse():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_PUT(self):  # noqa: N802
        if not self._refuse():
            self.received.append(len(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

    do_POST = do_PUT

    def log_message(self, *args):
        pass


def test_store_wanting_credentials_gives_a_clear_401(built):
    """A store that hangs up on an unauthorised upload still gives "401", not a broken pipe."""
    import http.server
    import threading

    proj, _ = built
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HangUpOn401)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/store"
    try:
        with pytest.raises(EurokgError, match=r"wants credentials.*HTTP 401"):
            push(proj.build_dir / "eurokg.trig", url, retries=0, timeout_s=5)
        with pytest.raises(EurokgError, match=r"refused the credentials.*HTTP 401"):
            push(proj.build_dir / "eurokg.trig", url, user="u", password="wrong", retries=0, timeout_s=5)
        assert _HangUpOn401.received == []
        report = push(proj.build_dir / "eurokg.trig", url, user="u", password="p", retries=0, timeout_s=5)
        assert report.triples > 0 and sum(_HangUpOn401.received) > 0
    finally:
        server.shutdown()


# ------------------------------------------------------------------ Virtuoso Open Source

VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A fresh Virtuoso database in a temporary folder, listening on loopback only."""
    import re

    if VIRTUOSO is None or not VIRTUOSO_INI.exists():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = _free_port(), _free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111\s*$", f"ServerPort = 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890\s*$", f"ServerPort = 127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "-c", str(folder / "virtuoso.ini"), "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("virtuoso-t stopped while starting: " + (folder / "virtuoso.log").read_text()[-500:])
            time.sleep(0.25)
    else:
        proc.kill()
        pytest.fail("Virtuoso did not answer within 60 s")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_push_to_virtuoso_with_digest_auth(built, virtuoso):
    proj, _ = built
    crud = virtuoso + "/sparql-graph-crud-auth"
    graph = "https://example.org/virtuoso"
    with pytest.raises(EurokgError, match="401"):
        push(proj.build_dir / "eurokg.trig", crud, graph=graph, retries=0)  # the store wants credentials
    report = push(proj.build_dir / "eurokg.trig", crud, graph=graph, user="dba", password="dba", auth="digest",
                  batch_size=500)
    res = remote_query(virtuoso + "/sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    count = int(res.rows[0][0])
    assert 0 < count <= report.triples
    push(proj.build_dir / "eurokg.trig", crud, graph=graph, user="dba", password="dba", auth="digest")
    res = remote_query(virtuoso + "/sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert int(res.rows[0][0]) == count  # replaced, not appended

    # the research questions on Virtuoso (its default graph is the union of its graphs)
    from eurokg import query_build
    from eurokg.query import load_query_file

    def rows(result):
        # Virtuoso gives a boolean expression's value as the integer 1/0
        fix = {"1": "true", "0": "false"}
        return sorted(tuple(fix.get(c, " | ".join(sorted(c.split(" | ")))) for c in row) for row in result.values())

    for path in [p for p in sorted(proj.queries.glob("*.rq")) if "GRAPH" not in load_query_file(p).text]:
        remote = remote_query(virtuoso + "/sparql", load_query_file(path).text, source=path.name)
        local = query_build(proj, file=path)
        assert rows(remote) == rows(local), path.name

    # the named graphs kept (the flat copy removed first: Virtuoso's default graph is every graph)
    import requests
    from requests.auth import HTTPDigestAuth

    assert requests.delete(crud, params={"graph": graph}, auth=HTTPDigestAuth("dba", "dba"), timeout=30).ok
    trig = proj.build_dir / "eurokg.trig"
    for _ in range(2):  # twice: the same graphs
        report = push(trig, crud, user="dba", password="dba", auth="digest", named_graphs=True, batch_size=500)
    expected = _local_graph_sizes(trig)
    assert report.graphs == len(expected)
    remote = _graph_sizes(virtuoso + "/sparql")
    assert {g: remote.get(g) for g in expected} == expected
    assert _listed(virtuoso + "/sparql", str(DEFAULT_INDEX)) == set(expected)
    for path in sorted(proj.queries.glob("*.rq")):  # provenance questions (GRAPH ?g) included
        remote = remote_query(virtuoso + "/sparql", load_query_file(path).text, source=path.name)
        local = query_build(proj, file=path)
        assert rows(remote) == rows(local), path.name


# ------------------------------------------------------------------ hostile answers

XXE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file:///etc/hostname"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&xxe;</ex:p></rdf:Description>
</rdf:RDF>"""
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
          + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
          '<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>')
PLAIN = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>fine</ex:p></rdf:Description>
</rdf:RDF>"""


@pytest.fixture
def rdfxml_endpoint():
    """A loopback 'endpoint' that answers every query with the RDF/XML in ``answer[0]``."""
    import http.server
    import threading

    answer = [PLAIN]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = answer[0].encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rdf+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", answer
    server.shutdown()


def test_rdfxml_answers_with_entities_are_refused(rdfxml_endpoint):
    url, answer = rdfxml_endpoint
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert len(remote_query(url, query, retries=0).graph) == 1  # a plain RDF/XML answer is read
    for hostile in (XXE, LAUGHS):
        answer[0] = hostile
        started = time.perf_counter()
        with pytest.raises(EurokgError, match="DOCTYPE or entities"):
            remote_query(url, query, retries=0, timeout_s=5)
        assert time.perf_counter() - started < 5


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_named_graph_push_keeps_a_graph_with_blank_nodes_in_one_request(tmp_path, protocol):
    """Each request is its own document: `_:b` sent in two requests would be two nodes."""
    trig = tmp_path / "blank.trig"
    trig.write_text("<https://e.org/g> { _:b <https://e.org/q> _:c . _:c <https://e.org/q> 4 . "
                    "<https://e.org/a> <https://e.org/q> 5 . }\n"
                    "<https://e.org/h> { <https://e.org/a> <https://e.org/q> 1, 2, 3 . }\n")
    proc, base = _start(tmp_path / "oxi")
    try:
        report = push(trig, base + ("/store" if protocol == "gsp" else "/update"), protocol=protocol,
                      named_graphs=True, batch_size=1)
        assert report.graphs == 2 and report.triples == 6
        joined = remote_query(base + "/query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://e.org/g> "
                              "{ ?x <https://e.org/q> ?y . ?y <https://e.org/q> 4 } }")
        assert int(joined.rows[0][0]) == 1
        if protocol == "gsp":
            assert report.batches == 1 + 3  # g whole, h one triple per request
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_an_answer_that_never_ends_is_stopped_at_the_time_limit():
    """A store streaming an answer without end: requests' timeout is per read, so the whole
    answer gets the query's time limit (the process grew to 24 GB before)."""
    import http.server
    import threading

    class Endless(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            try:
                self.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
                while True:
                    self.wfile.write(b'{"x": {"type": "literal", "value": "again"}},' * 1000)
                    time.sleep(0.01)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.perf_counter()
    try:
        with pytest.raises(EurokgError, match="longer than 2 s|MiB"):
            remote_query(f"http://127.0.0.1:{server.server_address[1]}/sparql", "SELECT ?x WHERE { ?x ?p ?o }",
                         timeout_s=2, retries=0)
        assert time.perf_counter() - started < 10
    finally:
        server.shutdown()
