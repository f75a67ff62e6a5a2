"""`eurokg serve`: the SPARQL 1.1 Protocol, read-only, with limits, tested with SPARQLWrapper as the client."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request

import pytest
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

from eurokg.errors import InputError
from eurokg.serve import Endpoint, serve_in_thread

STATES = "PREFIX ek: <https://w3id.org/eurokg/> SELECT ?s WHERE { ?s a ek:State } ORDER BY ?s"


@pytest.fixture(scope="module")
def server(built):
    proj, _ = built
    endpoint = Endpoint(proj.build_dir / "eurokg.trig", timeout_s=10, max_rows=5)
    srv, url = serve_in_thread(endpoint)
    yield url, endpoint
    srv.shutdown()
    srv.server_close()


def client(url: str, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    sw = SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw


def test_select_json_by_get_and_post(server):
    url, _ = server
    for method in (None, POST):
        res = client(url, "SELECT ?l WHERE { <https://w3id.org/eurokg/id/kazakhstan> rdfs:label ?l }",
                     method=method).queryAndConvert()
        assert res["head"]["vars"] == ["l"]
        assert [b["l"]["value"] for b in res["results"]["bindings"]] == ["Kazakhstan"]
        assert res["results"]["bindings"][0]["l"].get("xml:lang") == "en"


def test_other_result_formats(server):
    url, _ = server
    q = "SELECT ?q WHERE { <https://w3id.org/eurokg/id/kazakhstan> ek:wikidataId ?q }"
    xml = client(url, q, XML).queryAndConvert()
    assert xml.getElementsByTagName("literal")[0].firstChild.data == "Q232"
    rows = list(csv.reader(io.StringIO(client(url, q, CSV).queryAndConvert().decode())))
    assert rows == [["q"], ["Q232"]]
    tsv = client(url, q, TSV).queryAndConvert().decode().splitlines()
    assert tsv == ["?q", '"Q232"']


def test_ask_and_construct(server):
    url, _ = server
    assert client(url, "ASK { ?s a ek:Treaty }").queryAndConvert()["boolean"] is True
    g = client(url, "CONSTRUCT { ?s a ek:Summit } WHERE { ?s a ek:Summit }", TURTLE).queryAndConvert()
    from rdflib import Graph

    graph = Graph().parse(data=g, format="turtle")
    assert len(graph) == 4


def test_row_cap_reports_truncation(server):
    url, endpoint = server
    res = client(url, STATES).queryAndConvert()
    assert len(res["results"]["bindings"]) == endpoint.max_rows
    assert res["eurokg"] == {"truncated": True, "maxRows": endpoint.max_rows}
    req = urllib.request.Request(url + "?query=" + urllib.request.quote(STATES), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req) as resp:
        assert resp.headers["X-Eurokg-Truncated"] == "true"
        assert resp.headers.get("Access-Control-Allow-Origin") is None  # no CORS unless asked


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <http://example.org/data.ttl>",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
])
def test_updates_and_remote_access_are_refused(server, query):
    url, _ = server
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url + "?query=" + urllib.request.quote(query))
    assert err.value.code == 403
    assert "--allow-remote" not in err.value.read().decode()  # a command-line option the endpoint has not


def test_update_protocol_is_refused(server):
    url, _ = server
    sw = SPARQLWrapper(url, updateEndpoint=url)
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((Unauthorized, SPARQLWrapperException, urllib.error.HTTPError)):
        sw.query()


def test_syntax_error_is_400(server):
    url, _ = server
    with pytest.raises(QueryBadFormed):
        client(url, "SELECT ?s WHERE { ?s ").queryAndConvert()


def test_slow_query_is_stopped(built):
    proj, _ = built
    endpoint = Endpoint(proj.build_dir / "eurokg.trig", timeout_s=0.5)
    srv, url = serve_in_thread(endpoint)
    try:
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "?query=" + urllib.request.quote(heavy))
        assert err.value.code == 503
    finally:
        srv.shutdown()
        srv.server_close()


def test_cors_only_when_asked(built):
    proj, _ = built
    srv, url = serve_in_thread(Endpoint(proj.build_dir / "eurokg.trig", cors="https://example.org"))
    try:
        with urllib.request.urlopen(url + "?query=" + urllib.request.quote("ASK {}")) as resp:
            assert resp.headers["Access-Control-Allow-Origin"] == "https://example.org"
            assert json.loads(resp.read())["boolean"] is True
    finally:
        srv.shutdown()
        srv.server_close()


def test_query_page(server):
    url, _ = server
    with urllib.request.urlopen(url.removesuffix("sparql")) as resp:
        page = resp.read().decode()
    assert "<form" in page and "read-only" in page


def test_missing_build_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="eurokg build"):
        Endpoint(tmp_path / "eurokg.trig")


def _raw_post(url: str, headers: dict | list, body: bytes) -> tuple[int, bytes]:
    """A POST with exactly these headers (urllib would set Content-Length itself); a list of
    pairs may name a header twice."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.putrequest("POST", parts.path, skip_accept_encoding=True)
    for name, value in (headers.items() if isinstance(headers, dict) else headers):
        conn.putheader(name, value)
    conn.endheaders()
    if body:
        conn.send(body)
    response = conn.getresponse()
    answer = response.status, response.read()
    conn.close()
    return answer


@pytest.mark.parametrize("length, status", [("-1", 400), ("abc", 400), ("\u00b2", 400), (None, 411), ("2000000", 413)])
def test_post_body_length_is_checked(server, length, status):
    """A negative or unreadable Content-Length was read to the end of the stream (past the
    1 MB cap) or crashed the handler; a missing one read nothing."""
    url, _ = server
    body = b"query=" + urllib.request.quote(STATES).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if length is not None:
        headers["Content-Length"] = length
    code, text = _raw_post(url, headers, body)
    assert code == status, text
    ok, _ = _raw_post(url, {**headers, "Content-Length": str(len(body))}, body)
    assert ok == 200


@pytest.mark.parametrize("extra, status", [
    ([("Content-Length", "{n}"), ("Content-Length", "{n}")], 400),
    ([("Content-Length", "{n}"), ("Content-Length", "5")], 400),
    ([("Content-Length", "{n}"), ("Transfer-Encoding", "chunked")], 411),
    ([("Transfer-Encoding", "chunked")], 411),
])
def test_post_body_framing_must_be_unambiguous(server, extra, status):
    """Two Content-Length headers (or one beside Transfer-Encoding) leave it open where the
    body ends and the next request starts; the first one was taken as it came."""
    url, _ = server
    body = b"query=" + urllib.request.quote(STATES).encode()
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    headers += [(name, value.format(n=len(body))) for name, value in extra]
    code, text = _raw_post(url, headers, body)
    assert code == status, text
    assert b"Content-Length" in text or b"Transfer-Encoding" in text


def test_xml_results_stay_well_formed_with_control_characters(tmp_path):
    """XML 1.0 cannot carry U+0001 even escaped; the results leave it out and parse."""
    import xml.etree.ElementTree as ET

    data = tmp_path / "g.trig"
    data.write_text('<https://e.org/g> { <https://e.org/a> <https://e.org/label> "bell\\u0007 and \\u0001 start" . }\n',
                    encoding="utf-8")
    srv, url = serve_in_thread(Endpoint(data, timeout_s=10, max_rows=5))
    try:
        with urllib.request.urlopen(url + "?format=xml&query=" + urllib.request.quote(
                "SELECT ?l WHERE { ?s <https://e.org/label> ?l }")) as response:
            root = ET.fromstring(response.read())
        literal = root.find(".//{http://www.w3.org/2005/sparql-results#}literal")
        assert literal.text == "bell and  start"
        with urllib.request.urlopen(url + "?format=json&query=" + urllib.request.quote(
                "SELECT ?l WHERE { ?s <https://e.org/label> ?l }")) as response:
            assert json.loads(response.read())["results"]["bindings"][0]["l"]["value"] == "bell\u0007 and \u0001 start"
    finally:
        srv.shutdown()
        srv.server_close()


def test_queries_beyond_the_worker_limit_get_503_at_once(built):
    """Each query forks a worker; past max_workers the endpoint says it is busy instead of
    forking without bound, and answers again once a worker is free."""
    import threading
    import time

    proj, _ = built
    endpoint = Endpoint(proj.build_dir / "eurokg.trig", timeout_s=3, max_rows=5, max_workers=2)
    srv, url = serve_in_thread(endpoint)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    codes: list = []

    def ask():
        try:
            urllib.request.urlopen(url + "?query=" + urllib.request.quote(slow), timeout=30)
            codes.append(200)
        except urllib.error.HTTPError as err:
            codes.append(err.code)

    try:
        threads = [threading.Thread(target=ask) for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(1.0)  # both workers busy with the cross product
        started = time.perf_counter()
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "?query=" + urllib.request.quote(STATES), timeout=30)
        assert err.value.code == 503 and b"busy" in err.value.read()
        assert time.perf_counter() - started < 1.5
        for t in threads:
            t.join()
        assert codes == [503, 503]  # stopped at the time limit
        with urllib.request.urlopen(url + "?query=" + urllib.request.quote(STATES), timeout=30) as ok:
            assert ok.status == 200
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_silent_connection_is_closed(built, monkeypatch):
    import socket

    import eurokg.serve as serve_module

    proj, _ = built
    monkeypatch.setattr(serve_module, "IDLE_TIMEOUT_S", 0.5)
    srv, url = serve_in_thread(Endpoint(proj.build_dir / "eurokg.trig", timeout_s=3, max_rows=5))
    try:
        port = int(url.split(":")[2].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /sparql?query=")  # a request line never finished
            conn.settimeout(10)
            assert conn.recv(100) == b""  # the server hung up
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_term_too_large_for_the_parser_is_an_input_error(tmp_path):
    from eurokg.store import open_built

    data = tmp_path / "huge.trig"
    data.write_text('<https://e.org/g> { <https://e.org/a> <https://e.org/p> "' + "x" * 17_000_000 + '" . }\n')
    with pytest.raises(InputError, match="huge.trig"):
        Endpoint(data)
    with pytest.raises(InputError, match="huge.trig"):
        open_built(data, store="oxigraph")


def test_connections_beyond_the_limit_get_503(built, monkeypatch):
    """Slow clients each hold a thread; past MAX_CONNECTIONS a new one is told the server is
    busy and closed, and the server answers again once they leave."""
    import socket
    import time

    import eurokg.serve as serve_module

    proj, _ = built
    monkeypatch.setattr(serve_module, "MAX_CONNECTIONS", 2)
    srv, url = serve_in_thread(Endpoint(proj.build_dir / "eurokg.trig", timeout_s=3, max_rows=5))
    port = int(url.split(":")[2].split("/")[0])
    try:
        slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(2)]
        for conn in slow:
            conn.sendall(b"GET /sparql?query=")  # and nothing more for now
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as third:
            assert third.recv(100).startswith(b"HTTP/1.1 503")
        for conn in slow:
            conn.close()
        time.sleep(0.3)
        with urllib.request.urlopen(url + "?query=" + urllib.request.quote(STATES), timeout=30) as ok:
            assert ok.status == 200
    finally:
        srv.shutdown()
        srv.server_close()
