"""Wikidata online features against a local server replaying answers in the APIs'
documented formats; QuickStatements output against the format's rules."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from eurokg.cli import main
from eurokg.exporters.quickstatements import statements, string_value, time_value
from eurokg.link.wikidata import CacheMiss, WikidataClient, WikidataError, known_claims

SEARCH_ASTANA = {  # the shape of a wbsearchentities answer
    "searchinfo": {"search": "Akmolinsk"},
    "search": [{"id": "Q1520", "title": "Q1520", "pageid": 1, "label": "Astana",
                "description": "capital city of Kazakhstan", "match": {"type": "alias", "language": "en", "text": "Akmolinsk"}}],
    "search-continue": 1,
    "success": 1,
}
ENTITIES_KZ = {  # the shape of a wbgetentities answer (claims trimmed to what is used)
    "entities": {"Q232": {"type": "item", "id": "Q232",
                          "labels": {"en": {"language": "en", "value": "Kazakhstan"}},
                          "claims": {"P36": [{"mainsnak": {"snaktype": "value", "property": "P36", "datatype": "wikibase-item",
                                                           "datavalue": {"type": "wikibase-entityid",
                                                                         "value": {"entity-type": "item", "numeric-id": 1520, "id": "Q1520"}}},
                                              "type": "statement", "rank": "normal"}]}}},
    "success": 1,
}


class Replay(BaseHTTPRequestHandler):
    script: list = []  # (status, headers, body) answered in turn
    seen: list = []

    def do_GET(self):  # noqa: N802
        Replay.seen.append({"path": self.path, "ua": self.headers.get("User-Agent"),
                            "params": {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}})
        status, headers, body = Replay.script.pop(0) if Replay.script else (404, {}, {"error": {"info": "no script"}})
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Replay.script, Replay.seen = [], []
    httpd = HTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/w/api.php"
    httpd.shutdown()


def client(tmp_path, api, **kw):
    return WikidataClient(tmp_path / "cache", api=api, backoff_s=0.01, min_interval_s=0.0, timeout_s=2, **kw)


def test_search_sends_a_user_agent_and_caches(server, tmp_path):
    Replay.script = [(200, {}, SEARCH_ASTANA)]
    c = client(tmp_path, server)
    hits = c.search("Akmolinsk")
    assert [h["id"] for h in hits] == ["Q1520"]
    assert Replay.seen[0]["ua"].startswith("eurokg/")
    assert Replay.seen[0]["params"]["action"] == "wbsearchentities" and Replay.seen[0]["params"]["search"] == "Akmolinsk"
    # a second ask is answered from the cache: no request
    assert client(tmp_path, server).search("Akmolinsk") == hits
    assert len(Replay.seen) == 1
    # offline, the cache still answers; a new request is a clear miss
    offline = client(tmp_path, server, offline=True)
    assert offline.search("Akmolinsk") == hits
    with pytest.raises(CacheMiss, match="not in the Wikidata cache"):
        offline.search("Nur-Sultan")
    assert len(Replay.seen) == 1


def test_retries_with_backoff_and_retry_after(server, tmp_path):
    Replay.script = [(503, {}, {}), (429, {"Retry-After": "0"}, {}), (200, {}, SEARCH_ASTANA)]
    assert client(tmp_path, server).search("Akmolinsk")[0]["id"] == "Q1520"
    assert len(Replay.seen) == 3


def test_gives_up_after_the_retries(server, tmp_path):
    Replay.script = [(503, {}, {})] * 4
    with pytest.raises(WikidataError, match=r"gave up after 3 attempts \(HTTP 503\)"):
        client(tmp_path, server, retries=2).search("x")
    assert not list((tmp_path / "cache").glob("*.json")) if (tmp_path / "cache").exists() else True


def test_client_error_is_not_retried(server, tmp_path):
    Replay.script = [(400, {}, {})]
    with pytest.raises(WikidataError, match="HTTP 400"):
        client(tmp_path, server).search("x")
    assert len(Replay.seen) == 1


def test_api_error_answer_is_reported(server, tmp_path):
    Replay.script = [(200, {}, {"error": {"code": "badvalue", "info": "Unrecognized value for parameter"}})]
    with pytest.raises(WikidataError, match="Unrecognized value"):
        client(tmp_path, server).entities(["Q232"])


def test_unreachable_server_is_an_error_not_a_hang(tmp_path):
    c = WikidataClient(tmp_path / "cache", api="http://127.0.0.1:9/w/api.php", retries=1, backoff_s=0.01,
                       min_interval_s=0, timeout_s=1)
    with pytest.raises(WikidataError, match="gave up after 2 attempts"):
        c.search("x")


def test_rate_limit_spaces_requests(server, tmp_path):
    import time

    Replay.script = [(200, {}, SEARCH_ASTANA), (200, {}, SEARCH_ASTANA)]
    c = WikidataClient(tmp_path / "cache", api=server, min_interval_s=0.3, backoff_s=0.01)
    start = time.monotonic()
    c.search("a")
    c.search("b")
    assert time.monotonic() - start >= 0.3


def test_known_claims_from_cached_entities(server, tmp_path):
    Replay.script = [(200, {}, ENTITIES_KZ)]
    client(tmp_path, server).entities(["Q232"])
    assert ("Q232", "P36", "Q1520") in known_claims(tmp_path / "cache")


def test_link_online_asks_wikidata_for_nil_mentions(project, server):
    Replay.script = [(200, {}, SEARCH_ASTANA)]
    result = CliRunner().invoke(main, ["--project", str(project.root), "link", "Akmolinsk-on-Ishim",
                                       "--online", "--api", server, "--no-review"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "'Akmolinsk-on-Ishim' → NIL: no entity fits",
        "  Wikidata: 1 candidate(s)",
        "  w1. Q1520\tAstana\tcapital city of Kazakhstan",
    ]
    assert list((project.root / "data" / "wikidata-cache").glob("*.json"))


def test_link_is_offline_by_default(project, server):
    result = CliRunner().invoke(main, ["--project", str(project.root), "link", "Akmolinsk-on-Ishim", "--no-review"],
                                catch_exceptions=False)
    assert result.exit_code == 0 and Replay.seen == []


# --------------------------------------------------------------- QuickStatements

QS_LINE = re.compile(r"^(Q[1-9]\d*|LAST)\t(P[1-9]\d*)\t(Q[1-9]\d*|\+\d{4}-\d{2}-\d{2}T00:00:00Z/(8|9|10|11)|\"[^\"\t]*\")"
                     r"(\t(P[1-9]\d*|S[1-9]\d*)\t(Q[1-9]\d*|\+\d{4}-\d{2}-\d{2}T00:00:00Z/(8|9|10|11)|\"[^\"\t]*\"))*$")


def test_time_and_string_syntax():
    from rdflib import Literal

    from eurokg.vocab import EK, XSD

    assert time_value(Literal("2025-06-17", datatype=XSD.date)) == "+2025-06-17T00:00:00Z/11"
    assert time_value(Literal("2025-06", datatype=XSD.gYearMonth)) == "+2025-06-00T00:00:00Z/10"
    assert time_value(Literal("2025", datatype=XSD.gYear)) == "+2025-00-00T00:00:00Z/9"
    assert time_value(Literal("1990s", datatype=EK.Decade)) == "+1990-00-00T00:00:00Z/8"
    assert string_value("Astana") == '"Astana"'
    assert string_value('say "no"') is None  # V1 cannot escape a double quote


def test_quickstatements_of_the_built_graph(built):
    _, result = built
    lines = statements(result.dataset, result.ontology)
    for line in lines:
        assert line == "CREATE" or QS_LINE.match(line) or re.match(r'^LAST\t(Len|Den)\t"[^"\t]+"$', line), line
    # heads of state with their start time, referenced to a citable source
    assert ('Q232\tP35\tQ200881\tP580\t+2019-03-20T00:00:00Z/11\tS854\t'
            '"https://en.wikipedia.org/wiki/Kassym-Jomart_Tokayev"') in lines
    # the treaty has no item: a CREATE block with its label, P31 and the six signatories
    i = lines.index('LAST\tLen\t"Treaty of Permanent Good-Neighbourliness and Friendly Cooperation"')
    assert lines[i - 1] == "CREATE" and lines[i + 2] == "LAST\tP31\tQ6934728"
    assert sum(1 for line in lines[i:] if line.startswith("LAST\tP1891\t")) == 6
    # facts whose only citable source is Wikidata are not sent back
    assert not any(line.startswith("Q232\tP36\t") for line in lines)
    # only entities without an item, of a class aligned to Wikidata, are created
    created = sorted(lines[i + 1] for i, line in enumerate(lines) if line == "CREATE")
    assert created == sorted(f'LAST\tLen\t"{label}"' for label in (
        "First China–Central Asia Summit", "Second China–Central Asia Summit", "49th G7 summit", "51st G7 summit",
        "China–Kyrgyzstan–Uzbekistan railway", "Kananaskis", "Northwest China",
        "Treaty of Permanent Good-Neighbourliness and Friendly Cooperation"))


def test_known_statements_are_skipped(built):
    _, result = built
    lines = statements(result.dataset, result.ontology, known={("Q232", "P35", "Q200881")})
    assert not any(line.startswith("Q232\tP35\tQ200881") for line in lines)


def test_retrieved_date_is_a_reference(built):
    _, result = built
    lines = statements(result.dataset, result.ontology, retrieved="2026-12-01")
    assert all(line.endswith("\tS813\t+2026-12-01T00:00:00Z/11") for line in lines if "\tS854\t" in line)


def test_enrich_writes_cited_facts_that_the_build_reads(project, server):
    import eurokg

    sparql = server.replace("/w/api.php", "/sparql")
    Replay.script = [(200, {}, {  # the SPARQL 1.1 JSON results format
        "head": {"vars": ["item", "population", "coordinates", "inception", "iso2"]},
        "results": {"bindings": [
            {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q232"},
             "population": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#decimal", "value": "20000000"},
             "iso2": {"type": "literal", "value": "KZ"},
             "inception": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
                           "value": "1991-12-16T00:00:00Z"}},
            {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1520"},
             "coordinates": {"type": "literal", "datatype": "http://www.opengis.net/ont/geosparql#wktLiteral",
                             "value": "Point(71.43 51.17)"}},
        ]}})]
    result = CliRunner().invoke(main, ["--project", str(project.root), "enrich", "--sparql", sparql],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 entities enriched; wrote data/curated/wikidata-enrichment.ttl\n"
    assert "VALUES ?item" in Replay.seen[0]["params"]["query"]
    answer = eurokg.build(project, run_reasoner=False, write=False)
    rows = eurokg.query(answer.dataset, "SELECT ?p ?i ?c WHERE { id:kazakhstan ek:population ?p ; ek:inception ?i ; "
                                        "ek:isoAlpha2 ?c }", timeout_s=None).values()
    assert rows == [("20000000", "1991-12-16", "KZ")]
    # offline, the cached answer reproduces the file byte for byte
    first = (project.curated / "wikidata-enrichment.ttl").read_bytes()
    again = CliRunner().invoke(main, ["--project", str(project.root), "enrich", "--sparql", sparql, "--offline"],
                               catch_exceptions=False)
    assert again.exit_code == 0 and (project.curated / "wikidata-enrichment.ttl").read_bytes() == first
    assert len(Replay.seen) == 1
