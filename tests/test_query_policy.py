"""eurokg.query: deny-by-default policy (no network, no updates), bindings, limits and rendering."""

from __future__ import annotations

import json
import multiprocessing
import socket
import threading

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from eurokg.errors import InputError, LimitExceeded, QueryRefused
from eurokg.query import QueryResult, check_policy, parse_binding, render, run_query
from eurokg import vocab as V  # via the module: pytest probes module-level names (DefinedNamespace warns)


class Listener:
    """A loopback TCP server that accepts and counts connections (and closes them at once)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self._peers: list[tuple] = []
        self._sentinels: set[tuple] = set()
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            conn.close()
            with self._cv:
                self._peers.append(peer)
                self._cv.notify_all()

    def connections(self) -> int:
        """Connections made so far by anyone but us. A sentinel connection is made and awaited:
        the accept queue is FIFO, so every earlier connection has been counted by then."""
        probe = socket.create_connection(("127.0.0.1", self.port))
        me = probe.getsockname()
        with self._cv:
            self._sentinels.add(me)
            assert self._cv.wait_for(lambda: me in self._peers, timeout=10), "listener thread stuck"
        probe.close()
        return sum(1 for p in self._peers if p not in self._sentinels)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def graph() -> Graph:
    g = Graph()
    ex = "http://example.org/"
    g.add((URIRef(ex + "a"), URIRef(ex + "name"), Literal("Astana", lang="en")))
    g.add((URIRef(ex + "a"), URIRef(ex + "pop"), Literal(1_350_000)))
    g.add((URIRef(ex + "b"), URIRef(ex + "name"), Literal("Bishkek", lang="en")))
    return g


def cross_product_graph() -> Graph:
    """60 triples: ``?a ?b ?c . ?d ?e ?f . ?g ?h ?i`` has 216,000 solutions (rdflib needs ~10 s)."""
    g = Graph()
    for i in range(60):
        g.add((URIRef(f"http://example.org/s{i % 7}"), URIRef(f"http://example.org/p{i % 3}"), Literal(i)))
    assert len(g) == 60
    return g


CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# ------------------------------------------------------------------ the listener

def test_control_the_listener_sees_a_service_call_when_remote_access_is_allowed(graph, listener):
    # proves the zero counts below mean something: the same SERVICE query, allowed, does connect
    with pytest.raises(Exception):
        run_query(graph, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                  allow_remote=True, timeout_s=None)
    assert listener.connections() >= 1


# ------------------------------------------------------------------- refusals

REFUSED = {
    "service": "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "service silent": "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "service nested": "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?q ?r }} }} }} }} }}",
    "service in ask": "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "from": "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "from named": "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "construct from": "CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "describe from": "DESCRIBE <http://example.org/a> FROM <{url}>",
    "load": "LOAD <{url}>",
    "load into": "LOAD SILENT <{url}> INTO GRAPH <http://example.org/g>",
    "insert data": "INSERT DATA {{ <http://example.org/a> <http://example.org/p> 1 }}",
    "delete where": "DELETE WHERE {{ ?s ?p ?o }}",
    "drop": "DROP ALL",
    "clear": "CLEAR DEFAULT",
    "update sequence": "INSERT DATA {{ <http://example.org/a> <http://example.org/p> 1 }} ; DROP ALL",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("timeout_s", [None, 5.0], ids=["in-process", "worker"])
def test_remote_access_and_updates_are_refused_without_any_connection(graph, listener, name, timeout_s):
    text = REFUSED[name].format(url=listener.url)
    before = len(graph)
    with pytest.raises(QueryRefused) as info:
        run_query(graph, text, timeout_s=timeout_s, source="q.rq")
    message = str(info.value)
    assert message.startswith("q.rq: ")
    if name.startswith("service"):
        assert "SERVICE is refused" in message and "--allow-remote" in message
    elif "from" in name:
        assert "FROM / FROM NAMED is refused" in message
    else:
        assert "SPARQL Update" in message and "read-only" in message
    assert listener.connections() == 0
    assert len(graph) == before  # nothing was inserted or dropped


def test_refusals_exit_with_usage_code():
    assert QueryRefused.exit_code == 2
    assert LimitExceeded.exit_code == 3


def test_allow_remote_lets_from_parse(listener):
    text = f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}"
    with pytest.raises(QueryRefused):
        check_policy(text)
    prepared = check_policy(text, allow_remote=True)  # parsed and allowed; not run here
    assert prepared.algebra.get("datasetClause")
    prepared = check_policy(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", allow_remote=True)
    assert prepared is not None
    assert listener.connections() == 0  # checking the policy never connects


def test_updates_stay_refused_with_allow_remote(graph):
    with pytest.raises(QueryRefused, match="read-only"):
        run_query(graph, "DROP ALL", allow_remote=True, timeout_s=None)
    assert len(graph) == 3


def test_syntax_error_is_located():
    with pytest.raises(InputError) as info:
        check_policy("SELECT *\nWHERE { ?s ?p }", source="bad.rq")
    err = info.value
    assert err.path == "bad.rq" and err.line is not None and err.col is not None
    assert "SPARQL syntax error" in err.message


def test_project_prefixes_are_predeclared(graph):
    result = run_query(graph, "SELECT ?x WHERE { BIND(ek:Treaty AS ?x) BIND(xsd:date AS ?y) }", timeout_s=None)
    assert result.rows == [[V.EK.Treaty]]


# -------------------------------------------------------------------- bindings

@pytest.mark.parametrize(
    "text, name, term",
    [
        ("s=<http://example.org/a>", "s", URIRef("http://example.org/a")),
        ("t=ek:Treaty", "t", V.EK.Treaty),
        ("c=id:kazakhstan", "c", V.ID["kazakhstan"]),
        ('label="Astana"', "label", Literal("Astana")),
        ('label="Астана"@kk', "label", Literal("Астана", lang="kk")),
        ("n=42", "n", Literal(42)),
        ("n=-3", "n", Literal(-3)),
        ("x=10.4", "x", Literal("10.4", datatype=V.XSD.decimal)),
        ("d=2025-06-17", "d", Literal("2025-06-17", datatype=V.XSD.date)),
        ("?q=plain words", "q", Literal("plain words")),
        ("$v= 7 ", "v", Literal(7)),
        ("u=foo:bar", "u", Literal("foo:bar")),  # not a project prefix: just text
    ],
)
def test_parse_binding(text, name, term):
    got_name, got = parse_binding(text)
    assert got_name == name
    assert got == term
    assert type(got) is type(term)
    if isinstance(term, Literal):
        assert (got.datatype, got.language) == (term.datatype, term.language)


@pytest.mark.parametrize("text", ["novalue", "1x=2", "a b=3", "=3"])
def test_parse_binding_refuses_bad_names(text):
    with pytest.raises(InputError, match="write NAME=VALUE"):
        parse_binding(text)


def test_parse_binding_refuses_impossible_dates():
    with pytest.raises(InputError, match="not a date"):
        parse_binding("d=2025-02-30")


INJECTION = '" } ; DROP ALL #'


def test_injection_value_binds_as_a_plain_literal(graph):
    name, value = parse_binding(f"v={INJECTION}")
    assert (name, value) == ("v", Literal(INJECTION))
    result = run_query(graph, "SELECT ?s WHERE { ?s ?p ?v }", bindings={"v": value}, timeout_s=None)
    assert result.kind == "select" and result.rows == [] and not result.truncated
    assert len(graph) == 3  # nothing dropped


def test_injection_value_matches_itself_only(graph):
    value = Literal(INJECTION)
    graph.add((URIRef("http://example.org/c"), URIRef("http://example.org/name"), value))
    result = run_query(graph, "SELECT ?s WHERE { ?s ?p ?v }", bindings={"v": value}, timeout_s=5.0)
    assert result.rows == [[URIRef("http://example.org/c")]]
    assert len(graph) == 4


def test_bindings_select_rows(graph):
    _, label = parse_binding('n="Bishkek"@en')
    result = run_query(graph, "SELECT ?s WHERE { ?s <http://example.org/name> ?n }", bindings={"n": label})
    assert result.values() == [("http://example.org/b",)]


# ---------------------------------------------------------------------- limits

def test_timeout_stops_a_cross_product(tmp_path):
    g = cross_product_graph()
    with pytest.raises(LimitExceeded, match="longer than 0.5 s") as info:
        # no row cap to stop it early: with the default 10,000 the first rows can come within 0.5 s
        run_query(g, CROSS, timeout_s=0.5, source="explode.rq", max_rows=10**7)
    assert str(info.value).startswith("explode.rq: ")
    assert multiprocessing.active_children() == []  # the worker was killed and reaped


def test_row_cap_truncates_and_flags(graph):
    result = run_query(graph, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p", max_rows=2)
    assert result.truncated is True
    assert len(result.rows) == 2
    full = run_query(graph, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_rows=3)
    assert full.truncated is False and len(full.rows) == 3


def test_row_cap_stops_evaluation_early():
    # 216,000 rows would take rdflib ~10 s; stopping at the cap takes a moment
    result = run_query(cross_product_graph(), CROSS, max_rows=10, timeout_s=5.0)
    assert result.truncated is True and len(result.rows) == 10


def test_ask_and_construct(graph):
    assert run_query(graph, "ASK { ?s <http://example.org/pop> ?n FILTER(?n > 1000000) }").boolean is True
    result = run_query(graph, "CONSTRUCT { ?s a ek:City } WHERE { ?s <http://example.org/name> ?n }")
    assert result.kind == "graph" and len(result.graph) == 2
    assert (URIRef("http://example.org/a"), V.RDF.type, V.EK.City) in result.graph


# ------------------------------------------------------------------- rendering

@pytest.fixture
def tiny() -> QueryResult:
    return QueryResult(
        kind="select",
        vars=["s", "label", "n"],
        rows=[
            [V.ID["china"], Literal("China, PRC", lang="en"), Literal(3)],
            [URIRef("http://example.org/x"), None, Literal("1.5", datatype=V.XSD.decimal)],
            [BNode("b0"), Literal('say "hi"'), None],
        ],
    )


def test_render_csv(tiny):
    assert render(tiny, "csv") == (
        "s,label,n\n"
        'id:china,"China, PRC",3\n'
        "http://example.org/x,,1.5\n"
        '_:b0,"say ""hi""",\n'
    )


def test_render_tsv(tiny):
    assert render(tiny, "tsv") == (
        "s\tlabel\tn\n"
        "id:china\tChina, PRC\t3\n"
        "http://example.org/x\t\t1.5\n"
        '_:b0\t"say ""hi"""\t\n'
    )


def test_render_json_follows_sparql_results_json(tiny):
    text = render(tiny, "json")
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "head": {"vars": ["s", "label", "n"]},
        "results": {"bindings": [
            {
                "s": {"type": "uri", "value": "https://w3id.org/eurokg/id/china"},
                "label": {"type": "literal", "value": "China, PRC", "xml:lang": "en"},
                "n": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
            },
            {
                "s": {"type": "uri", "value": "http://example.org/x"},
                "n": {"type": "literal", "value": "1.5", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"},
            },
            {
                "s": {"type": "bnode", "value": "b0"},
                "label": {"type": "literal", "value": 'say "hi"'},
            },
        ]},
    }


def test_render_ask():
    assert render(QueryResult(kind="ask", boolean=True), "json") == '{"head": {}, "boolean": true}\n'
    assert render(QueryResult(kind="ask", boolean=False), "csv") == "false\n"


def test_render_table_footer_reports_truncation(tiny):
    tiny.truncated = True
    text = render(tiny, "table")
    assert "id:china" in text and "China, PRC" in text
    assert text.endswith("3 row(s) (truncated)\n")


def test_render_unknown_format(tiny):
    with pytest.raises(InputError, match="unknown result format 'xml'"):
        render(tiny, "xml")


def test_renderers_registry_names_the_formats(tiny):
    from eurokg.query import RENDERERS

    assert list(RENDERERS) == ["table", "csv", "tsv", "json"]  # what the CLI offers
    for fmt, renderer in RENDERERS.items():
        assert render(tiny, fmt) == renderer(tiny)


def test_unknown_format_lists_the_known_ones_for_every_result_kind(tiny):
    graph_result = QueryResult(kind="graph", graph=Graph())
    for result in (tiny, QueryResult(kind="ask", boolean=True), graph_result):
        with pytest.raises(InputError) as info:
            render(result, "xml")
        assert str(info.value) == "unknown result format 'xml' (known: table, csv, tsv, json)"


def test_a_new_format_is_one_registry_entry(tiny, monkeypatch):
    from eurokg.query import RENDERERS

    monkeypatch.setitem(RENDERERS, "vars", lambda result: " ".join(result.vars) + "\n")
    assert render(tiny, "vars") == "s label n\n"


# ---------------------------------------------------------- binding strictness

@pytest.mark.parametrize(
    "text, term",
    [
        ('d="2025"^^xsd:gYear', Literal("2025", datatype=V.XSD.gYear)),
        ('d="1990s"^^ek:Decade', Literal("1990s", datatype=V.EK.Decade)),
        ('d="12"^^<http://www.w3.org/2001/XMLSchema#integer>', Literal("12", datatype=V.XSD.integer)),
        ('d="true"^^xsd:boolean', Literal("true", datatype=V.XSD.boolean)),
        ('d="a^^b"', Literal("a^^b")),
        ('d="Нұр-Сұлтан"@kk-Cyrl', Literal("Нұр-Сұлтан", lang="kk-Cyrl")),
        ("d=2025-06", Literal("2025-06", datatype=V.XSD.gYearMonth)),
        ("d=Astana", Literal("Astana")),  # a bare word stays a plain string (documented)
        ('d="2025-1-5"', Literal("2025-1-5")),  # quoted: text, whatever it looks like
    ],
)
def test_parse_binding_typed_literals_and_year_months(text, term):
    name, got = parse_binding(text)
    assert name == "d"
    assert got == term
    assert (got.datatype, got.language) == (term.datatype, term.language)


@pytest.mark.parametrize(
    "text, message",
    [
        ('d="2025-02-30"^^xsd:date', "'2025-02-30' is not a date"),
        ('d="2025-W24-2"^^xsd:date', "is not a date"),  # rdflib would take the ISO week date
        ('d="abc"^^xsd:integer', "'abc' is not a valid xsd:integer"),
        ('d="tru"^^<http://www.w3.org/2001/XMLSchema#boolean>', "'tru' is not a valid xsd:boolean"),
        ('d="2025-13"^^xsd:gYearMonth', "month 13 does not exist"),
        ('d="x"^^foo:bar', "unknown datatype 'foo:bar'"),
        ('d="x"^^', "unknown datatype ''"),
        ('d="x"@', "'' is not a language tag"),
        ('d="x"@en_GB', "'en_GB' is not a language tag"),
        ("d=2025-13", "month 13 does not exist"),
        ("d=2025-13-01", "'2025-13-01' is not a date"),
        ("d=2025-1-5", "'2025-1-5' is not a date: write YYYY-MM-DD or YYYY-MM, or quote it"),
        ("d=2025-06-17T10:00", '"2025-06-17T10:00"^^xsd:dateTime'),
    ],
)
def test_parse_binding_refuses_ill_typed_and_malformed_dates(text, message, capfd):
    with pytest.raises(InputError) as info:
        parse_binding(text)
    assert str(info.value).startswith(f"--bind {text!r}: ")
    assert message in str(info.value)
    assert capfd.readouterr().err == ""  # no rdflib traceback for the ill-typed literal


@pytest.mark.parametrize("timeout_s", [None, 5.0], ids=["in-process", "worker"])
def test_binding_a_name_the_query_does_not_have_is_refused(graph, timeout_s):
    text = "# ?commented is not a variable\nSELECT ?s WHERE { ?s <http://example.org/name> $label }"
    with pytest.raises(InputError) as info:
        run_query(graph, text, bindings={"lable": Literal("Astana", lang="en")}, timeout_s=timeout_s, source="q.rq")
    assert str(info.value) == "q.rq: --bind lable: the query has no variable ?lable (its variables: ?s, ?label)"
    with pytest.raises(InputError, match="no variable [?]commented"):
        run_query(graph, text, bindings={"commented": Literal(1)}, timeout_s=timeout_s)
    result = run_query(graph, text, bindings={"label": Literal("Astana", lang="en")}, timeout_s=timeout_s)
    assert result.rows == [[URIRef("http://example.org/a")]]


def test_binding_check_trusts_the_parser_where_the_text_scan_is_ambiguous(graph):
    # "<?max&&?n>" reads like an IRI to a scanner, but it is a comparison: ?max is a variable
    text = "SELECT ?s WHERE { ?s <http://example.org/pop> ?n FILTER(?n<?max&&?n>1) }"
    result = run_query(graph, text, bindings={"max": Literal(2_000_000)}, timeout_s=None)
    assert result.rows == [[URIRef("http://example.org/a")]]


# ------------------------------------------------------------ SELECT * columns

HASHSEED_SCRIPT = r"""
from rdflib import Graph, Literal, URIRef
from eurokg.query import render, run_query
g = Graph()
g.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal(1)))
text = '''# ?comment first: not a column
SELECT * WHERE {
  ?zeta ?mu ?alpha .
  OPTIONAL { ?zeta <http://example.org/q?x=1> ?omega }
  BIND(STR(?alpha) AS ?beta) BIND(1 AS $kappa) BIND("?str" AS ?gamma)
}'''
result = run_query(g, text, timeout_s=None)
print(render(result, "csv").splitlines()[0])
print(render(result, "tsv").splitlines()[0])
import json; print(",".join(json.loads(render(result, "json"))["head"]["vars"]))
"""


def test_select_star_columns_follow_the_query_text_whatever_the_hash_seed():
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", HASHSEED_SCRIPT], env=env, capture_output=True, text=True, check=True)
        outputs.append(proc.stdout)
    header = "zeta,mu,alpha,omega,beta,kappa,gamma"
    assert outputs[0] == f"{header}\n{header.replace(',', chr(9))}\n{header}\n"
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]


def test_explicit_projection_keeps_its_order(graph):
    text = "SELECT ?o (STR(?s) AS ?name) ?s WHERE { ?s ?p ?o }"
    assert run_query(graph, text, timeout_s=None).vars == ["o", "name", "s"]
    text = "SELECT ?o WHERE { { SELECT * WHERE { ?s ?p ?o } } }"
    assert run_query(graph, text, timeout_s=None).vars == ["o"]


# ------------------------------------------------------- values written into query text

ESCAPING = [
    'x="1"^^<urn:a>||true||?o=<urn:b>',  # a datatype IRI that ends early and writes a filter
    'x=<urn:a> } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } #>',
    'x=<urn:a>}SERVICE<http://127.0.0.1:9/>{?a?b?c}#>',
    'x=id:a>b',
]


@pytest.mark.parametrize("text", ESCAPING)
def test_parse_binding_refuses_iris_that_would_end_early(text):
    with pytest.raises(InputError, match="is not an IRI"):
        parse_binding(text)


def _oxigraph_dataset(graph, tmp_path):
    from eurokg.store import open_built

    path = tmp_path / "g.trig"
    ds = Dataset()
    for t in graph:
        ds.graph(URIRef("http://example.org/g")).add(t)
    ds.serialize(path, format="trig")
    return open_built(path, store="oxigraph")


@pytest.mark.parametrize("timeout_s", [None, 5.0], ids=["in-process", "worker"])
def test_oxigraph_store_refuses_an_iri_that_would_write_query_text(graph, tmp_path, listener, timeout_s):
    """The Oxigraph path writes bound values into the query text; a value built through the
    API (not parse_binding) with '>' in an IRI must not become a SERVICE call or a filter."""
    store = _oxigraph_dataset(graph, tmp_path)
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o = ?x) }"
    evil = Literal("1", datatype=URIRef(f"urn:a>||EXISTS{{SERVICE<{listener.url}>{{?a ?b ?c}}}}||?o=<urn:b"))
    with pytest.raises(InputError, match="is not an IRI"):
        run_query(store, text, bindings={"x": evil}, timeout_s=timeout_s)
    with pytest.raises(InputError, match="is not an IRI"):
        run_query(store, text, bindings={"x": URIRef("urn:a> . ?s ?p ?o")}, timeout_s=timeout_s)
    assert listener.connections() == 0
    fine = run_query(store, text, bindings={"x": Literal(1_350_000)}, timeout_s=timeout_s)
    assert fine.rows == [[Literal(1)]]


def test_remote_values_clause_refuses_an_iri_that_would_write_query_text(listener):
    from eurokg.errors import UsageError
    from eurokg.remote import remote_query

    with pytest.raises(UsageError, match="is not an IRI"):
        remote_query(listener.url, "SELECT ?s WHERE { ?s ?p ?x }",
                     bindings={"x": URIRef("urn:a>)}SERVICE<http://169.254.169.254/>{?s ?p ?o}#")})
    assert listener.connections() == 0


@pytest.mark.parametrize("timeout_s", [None, 5.0], ids=["in-process", "worker"])
def test_a_comment_ended_by_cr_does_not_hide_service(graph, tmp_path, listener, timeout_s):
    """rdflib ends a '#' comment at LF only, Oxigraph at CR too: the query is checked and run
    with one line ending, so SERVICE after '#...\\r' is refused on both stores."""
    text = f"SELECT * WHERE {{ ?s ?p ?o #\r SERVICE <{listener.url}> {{ ?a ?b ?c }}\n}}"
    for store in (graph, _oxigraph_dataset(graph, tmp_path)):
        with pytest.raises(QueryRefused, match="SERVICE is refused"):
            run_query(store, text, timeout_s=timeout_s)
    assert listener.connections() == 0
