"""The command line: exact output and exit codes (0 ok, 1 data, 2 usage, 3 limit)."""

from __future__ import annotations


import pytest
from click.testing import CliRunner

from eurokg.cli import main


def run(project, *args):
    runner = CliRunner()
    return runner.invoke(main, ["--project", str(project.root), *args], catch_exceptions=False)


def test_build_output(project):
    import shutil

    shutil.rmtree(project.articles)  # the curated data alone: its counts do not move with the extraction rules
    result = run(project, "build", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "validation conforms: 0 violation(s), 0 warning(s), 5 info\n"
        "reasoning: consistent, 0 unsatisfiable classes, 0 inferred types\n"
        "900 triples in 104 named graphs\n"
        "wrote build/claims.jsonl\n"
        "wrote build/claims.txt\n"
        "wrote build/eurokg.graphml\n"
        "wrote build/eurokg.trig\n"
        "wrote build/eurokg.ttl\n"
        "wrote build/reasoning.txt\n"
        "wrote build/validation.ttl\n"
        "wrote build/validation.txt\n"
        "wrote build/manifest.json\n"
    )


def test_build_progress_goes_to_stderr(project):
    result = run(project, "build", "--no-reason")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "· load and merge",
        "· extract claims from articles",
        "· validate (SHACL)",
        "· materialize inferred types",
        "· write outputs",
    ]


def test_query_ask(built):
    proj, _ = built
    result = run(proj, "query", "-e", "ASK { id:turkmenistan ek:capital id:ashgabat }")
    assert (result.exit_code, result.stdout) == (0, "true\n")


def test_query_file_csv(built):
    proj, _ = built
    result = run(proj, "query", str(proj.queries / "05-trade-surplus.rq"), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "state,partner,driver,asOf\nTurkmenistan,China,natural gas,2025-06\n"


def test_query_json_is_sparql_results(built):
    import json

    proj, _ = built
    result = run(proj, "query", "-e", "SELECT ?qid WHERE { id:kazakhstan ek:wikidataId ?qid }", "--format", "json")
    assert json.loads(result.stdout) == {
        "head": {"vars": ["qid"]},
        "results": {"bindings": [{"qid": {"type": "literal", "value": "Q232"}}]},
    }


def test_query_table(built):
    proj, _ = built
    result = run(proj, "query", "-e", "SELECT ?city WHERE { id:kyrgyzstan ek:capital/rdfs:label ?city }")
    assert result.stdout == (
        "┏━━━━━━━━━┓\n"
        "┃ city    ┃\n"
        "┡━━━━━━━━━┩\n"
        "│ Bishkek │\n"
        "└─────────┘\n"
        "1 row(s)\n"
    )


def test_query_bind_is_a_value_not_text(built):
    proj, _ = built
    q = "SELECT ?label WHERE { ?s rdfs:label ?label . FILTER (str(?label) = ?name) }"
    ok = run(proj, "query", "-e", q, "--bind", "name=\"Astana\"", "--format", "tsv")
    assert ok.stdout == "label\nAstana\n"
    hostile = run(proj, "query", "-e", q, "--bind", 'name=" } ; DROP ALL #', "--format", "tsv")
    assert (hostile.exit_code, hostile.stdout) == (0, "label\n")


def test_query_refuses_service(built):
    proj, _ = built
    result = run(proj, "query", "-e", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert result.exit_code == 2
    assert result.stderr == "error: <-e>: SERVICE is refused (it would send a request to another server); pass --allow-remote to permit it\n"


def test_query_refuses_update(built):
    proj, _ = built
    result = run(proj, "query", "-e", "DROP ALL")
    assert result.exit_code == 2
    assert "SPARQL Update" in result.stderr and "read-only" in result.stderr


def test_query_syntax_error_is_located(built):
    proj, _ = built
    result = run(proj, "query", "-e", "SELECT ?x WHERE { ?x ek:capital }")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: <-e>:")
    assert "SPARQL syntax error" in result.stderr


def test_query_row_cap_exits_3(built):
    proj, _ = built
    result = run(proj, "query", "-e", "SELECT ?s WHERE { ?s a ek:State } ORDER BY ?s", "--max-rows", "2", "--format", "tsv")
    assert result.exit_code == 3
    assert result.stdout == "s\nid:canada\nid:china\n"
    assert result.stderr == "warning: more than 2 rows; output truncated\n"


def test_query_timeout_exits_3(built):
    proj, _ = built
    result = run(proj, "query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "--timeout", "1")
    assert result.exit_code == 3
    assert "query took longer than 1 s and was stopped" in result.stderr


def test_query_without_build_is_a_usage_error(project):
    result = run(project, "query", "-e", "ASK {}")
    assert result.exit_code == 2
    assert "no built graph here; run `eurokg build` first" in result.stderr


def test_query_needs_exactly_one_of_file_or_text(built):
    proj, _ = built
    assert run(proj, "query").exit_code == 2


def test_export_unknown_format(built, tmp_path):
    proj, _ = built
    result = run(proj, "export", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    assert result.stderr == "error: unknown export format 'xlsx'; known formats: csv-edges, csv-nodes, gexf, graphml, jsonld, nq, nt, quickstatements, trig, ttl\n"
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nt", "nq", "jsonld", "graphml"])
def test_export_formats_parse(built, tmp_path, fmt):
    import networkx as nx
    from rdflib import Dataset, Graph

    proj, _ = built
    out = tmp_path / f"out.{fmt}"
    result = run(proj, "export", "--format", fmt, "-o", str(out))
    assert (result.exit_code, result.stdout) == (0, f"wrote {out}\n")
    if fmt == "graphml":
        assert nx.read_graphml(out).number_of_nodes() > 50
    elif fmt in ("trig", "nq"):
        ds = Dataset().parse(out, format={"trig": "trig", "nq": "nquads"}[fmt])
        assert len(ds.default_graph) == 0  # every triple is in a named graph
        assert sum(len(g) for g in ds.graphs()) > 900
    else:
        assert len(Graph().parse(out, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])) > 800
    assert not list(tmp_path.glob(".*.tmp"))


def test_stats(built):
    proj, _ = built
    result = run(proj, "stats")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # 821 curated triples, plus the facts that articles corroborate; one graph per article of claims
    from eurokg.vocab import GRAPH

    corroborated = len(_.dataset.graph(GRAPH["corroborated"]))
    articles = len(list(proj.articles.glob("*.md")))
    assert corroborated > 0
    assert lines[:3] == [f"triples: {821 + corroborated}", f"named graphs: {104 + articles + 1}", "typed entities: 101"]
    assert "ek:State\t12" in lines and "ek:signatory\t6" in lines


def test_validate_ok(project):
    result = run(project, "validate")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "validation conforms: 0 violation(s), 0 warning(s), 5 info"


def test_validate_extra_file_with_violation(project, tmp_path):
    extra = tmp_path / "trade.csv"
    extra.write_text(
        "id,reporter,partner,periodStart,periodEnd,tradeValue,currency,source\n"
        "bad-trade,china,kazakhstan,2025-01-01,2025-05-31,-5,cny,founding-article\n",
        encoding="utf-8",
    )
    # a second sheet named trade.csv would clash on ids only if they repeat; this one adds a new record
    result = run(project, "validate", str(extra))
    assert result.exit_code == 1
    assert "VIOLATION: id:bad-trade ek:tradeValue: A trade value is one non-negative xsd:decimal (e.g. 286420000000). (value: -5)" in result.stdout


def test_reason_command(project):
    result = run(project, "reason")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "reasoner: HermiT (owlready2), 217 individuals",
        "consistent: yes",
        "unsatisfiable classes: none",
    ]


def test_unknown_project_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "stats"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "no eurokg project found" in result.stderr


def test_explicit_project_is_not_searched_upwards(project):
    inner = project.root / "data"
    result = CliRunner().invoke(main, ["--project", str(inner), "stats"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "no eurokg project found" in result.stderr


@pytest.mark.parametrize("args", [["--timeout", "0"], ["--timeout", "-1"], ["--max-rows", "0"]])
def test_query_limits_must_be_positive(built, args):
    proj, _ = built
    result = run(proj, "query", "-e", "ASK {}", *args)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr


def test_export_into_a_missing_folder_is_refused(built, tmp_path):
    proj, _ = built
    target = tmp_path / "no" / "such" / "out.ttl"
    result = run(proj, "export", "--format", "ttl", "-o", str(target))
    assert result.exit_code == 2
    assert "no such folder" in result.stderr
    assert not (tmp_path / "no").exists()


def test_query_build_api_matches_the_cli(built):
    import eurokg

    proj, _ = built
    rows = eurokg.query_build(proj, file=proj.queries / "09-leaders-in-office.rq", bind=["on=2020-01-01"]).values()
    assert [r[0] for r in rows] == ["China", "Kazakhstan", "Tajikistan", "Uzbekistan"]
    with pytest.raises(eurokg.UsageError):
        eurokg.query_build(proj)


def test_an_up_to_date_build_sweeps_what_a_killed_build_left(project):
    """A build killed while writing leaves staging files; a later `eurokg build` with no input
    changed writes nothing, and used to remove nothing either, so the half-written files stayed
    until some input changed. Another command's staging files are left alone."""
    assert run(project, "build", "-q", "--no-reason").exit_code == 0
    left = project.build_dir / ".eurokg.graphml.a1b2c3.tmp"
    left.write_text("half", encoding="utf-8")
    other = project.build_dir / ".view.gexf.q1w2e3.tmp"  # `eurokg export -o build/view.gexf` at work
    other.write_text("another command's staging file", encoding="utf-8")
    again = run(project, "build", "-q", "--no-reason")
    assert again.exit_code == 0 and "up to date" in again.stdout
    assert not left.exists() and other.exists()


def test_unchanged_rebuild_reuses_the_build(project):
    first = run(project, "build", "-q", "--no-reason")
    assert first.exit_code == 0, first.output
    stamp = {p.name: p.stat().st_mtime_ns for p in project.build_dir.iterdir()}
    again = run(project, "build", "-q", "--no-reason")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1].endswith("is up to date: inputs unchanged since it was built (--force rebuilds)")
    assert again.stdout.splitlines()[0] == first.stdout.splitlines()[0]  # the stored summary
    assert {p.name: p.stat().st_mtime_ns for p in project.build_dir.iterdir()} == stamp
    # another option, an edited input, a damaged output or --force: a real build
    assert "wrote build/manifest.json" in run(project, "build", "-q").stdout
    assert "up to date" in run(project, "build", "-q").stdout
    with (project.curated / "g7.ttl").open("a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    assert "wrote build/manifest.json" in run(project, "build", "-q").stdout
    (project.build_dir / "eurokg.ttl").write_text("damaged", encoding="utf-8")
    assert "wrote build/manifest.json" in run(project, "build", "-q").stdout
    assert "wrote build/manifest.json" in run(project, "build", "-q", "--force").stdout


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_warns_of_a_value_gephi_reads_as_missing(project, tmp_path, fmt):
    """The command says which value Gephi will drop (a plain `warning:` line, not Python's
    warning format), exits 0 and writes the file."""
    data = tmp_path / "g.trig"
    data.write_text(
        "@prefix ek: <https://w3id.org/eurokg/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/eurokg/graph/t> {\n"
        "  <https://w3id.org/eurokg/id/kz> a ek:State ; rdfs:label \"Kazakhstan\"@en ; ek:isoCode \"NULL\" .\n"
        "  <https://w3id.org/eurokg/id/cn> a ek:State ; rdfs:label \"China\"@en ; ek:isoCode \"CHN\" ;\n"
        "      ek:inRegion <https://w3id.org/eurokg/id/kz> .\n"
        "}\n", encoding="utf-8")
    out = tmp_path / f"g.{fmt}"
    result = run(project, "export", "--format", fmt, "-o", str(out), "--data", str(data))
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1 and "node id:kz column 'isoCode'" in warning[0], result.stderr
    assert "GephiValueLost" not in result.stderr and out.is_file()
