"""Named views, metrics, analyze and draw (issue 5), on the built data."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph

from eurokg.cli import main
from eurokg.exporters import export_to
from eurokg.metrics import compute, table, to_rdf
from eurokg.views import VIEWS, build_view, distinct_edge_types
from eurokg.vocab import EK, ID

GEXF = {"g": "http://gexf.net/1.3"}


@pytest.fixture(scope="module")
def data(built):
    proj, result = built
    return proj, result.dataset, result.ontology


def test_the_registry_names_the_four_views():
    assert list(VIEWS) == ["full", "states-trade", "leaders-events", "routes"]


def test_states_trade_keeps_group_totals_whole(data):
    _, ds, onto = data
    g = build_view(ds, onto, "states-trade")
    group = "group:kazakhstan-kyrgyzstan-tajikistan-turkmenistan-uzbekistan"
    (edge,) = [d for u, v, d in g.edges(data=True) if u == "id:china" and v == group]
    assert edge["value"] == 286420000000.0 and edge["currency"] == "CNY" and edge["changePercent"] == 10.4
    assert (edge["start"], edge["end"]) == ("2025-01-01", "2025-05-31")
    assert sorted(v for u, v in g.out_edges(group)) == [
        "id:kazakhstan", "id:kyrgyzstan", "id:tajikistan", "id:turkmenistan", "id:uzbekistan"]
    surplus = g.get_edge_data("id:turkmenistan", "id:china")
    (d,) = surplus.values()
    assert (d["balance"], d["drivenBy"], d["weight"]) == ("surplus", "natural gas", 1.0)
    assert "value" not in d  # a balance without a figure gets no invented value
    assert (d["start"], d["end"]) == ("2025-06-01", "2025-06-30")  # "as of June 2025" at month precision


def test_leaders_events_carries_terms_and_participation(data):
    _, ds, onto = data
    g = build_view(ds, onto, "leaders-events")
    (term,) = g.get_edge_data("id:xi-jinping", "id:china").values()
    assert term["start"] == "2013-03-14" and "end" not in term
    assert term["label"] == "President of the People's Republic of China"
    attended = [v for u, v, d in g.out_edges("id:sadyr-japarov", data=True) if d["label"] == "attended"]
    assert sorted(attended) == ["id:china-central-asia-summit-2023", "id:china-central-asia-summit-2025"]
    signed = [v for u, v, d in g.out_edges("id:emomali-rahmon", data=True) if d["label"] == "signed"]
    assert signed == ["id:treaty-permanent-good-neighbourliness-2025"]
    assert g.nodes["id:china-central-asia-summit-2023"]["start"] == "2023-05-18"


def test_routes_view_links_places_both_ways(data):
    _, ds, onto = data
    g = build_view(ds, onto, "routes")
    assert g.graph["directed"] is False
    rail = [(u, v) for u, v, d in g.edges(data=True) if d["route"] == "id:china-kyrgyzstan-uzbekistan-railway"]
    assert sorted(rail) == [("id:china", "id:kyrgyzstan"), ("id:china", "id:uzbekistan"), ("id:kyrgyzstan", "id:uzbekistan")]
    d = g.get_edge_data("id:china", "id:kyrgyzstan")["id:china-kyrgyzstan-uzbekistan-railway"]
    assert (d["predicate"], d["bypasses"], d["firstProposed"], d["status"]) == ("railway", "Russia", "1990s", "under construction")


def test_no_edges_that_gephi_would_merge(data):
    _, ds, onto = data
    for name in VIEWS:
        g = build_view(ds, onto, name)
        triples = [(u, v, d.get("predicate")) for u, v, d in g.edges(data=True)]
        assert len(triples) == len(set(triples)), name
        assert all(d["weight"] > 0 for _, _, d in g.edges(data=True)), name


def test_distinct_edge_types_renames_only_clashes():
    g = nx.MultiDiGraph()
    g.add_edge("a", "b", key="r1", predicate="trade", weight=1.0)
    g.add_edge("a", "b", key="r2", predicate="trade", weight=2.0)
    g.add_edge("a", "c", key="r3", predicate="trade", weight=1.0)
    distinct_edge_types(g)
    assert sorted(d["predicate"] for _, _, d in g.edges(data=True)) == ["trade", "trade [r1]", "trade [r2]"]


def test_select_view_from_a_query_file(data, tmp_path):
    _, ds, onto = data
    rq = tmp_path / "offices.rq"
    rq.write_text(
        "SELECT ?source ?target ?label ?start ?title WHERE {\n"
        "  ?o a ek:Office ; ek:holder ?source ; ek:officeOf ?target ; ek:startDate ?start ; ek:title ?title .\n"
        "  BIND (\"leads\" AS ?label) }\n", encoding="utf-8")
    g = build_view(ds, onto, str(rq))
    assert g.number_of_edges() == 6 and g.number_of_nodes() == 12
    (d,) = g.get_edge_data("id:emomali-rahmon", "id:tajikistan").values()
    assert (d["label"], d["start"], d["title"]) == ("leads", "1994-11-16", "President of Tajikistan")
    assert g.nodes["id:tajikistan"]["label"] == "Tajikistan"


def test_construct_view_from_a_query_file(data, tmp_path):
    _, ds, onto = data
    rq = tmp_path / "capitals.rq"
    rq.write_text("CONSTRUCT { ?s ek:capital ?c } WHERE { ?s ek:capital ?c ; ek:inRegion id:central-asia }\n",
                  encoding="utf-8")
    g = build_view(ds, onto, str(rq))
    assert sorted(g.edges()) == [("id:kazakhstan", "id:astana"), ("id:kyrgyzstan", "id:bishkek"),
                                 ("id:tajikistan", "id:dushanbe"), ("id:turkmenistan", "id:ashgabat"),
                                 ("id:uzbekistan", "id:tashkent")]
    assert g.nodes["id:astana"]["label"] == "Astana"


def test_a_select_view_needs_source_and_target(data, tmp_path):
    from eurokg import InputError

    _, ds, onto = data
    rq = tmp_path / "bad.rq"
    rq.write_text("SELECT ?s WHERE { ?s a ek:State }\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"needs \?source and \?target \(missing: \?source, \?target\)"):
        build_view(ds, onto, str(rq))


# --------------------------------------------------------------------- metrics

def test_metrics_on_a_star():
    g = nx.MultiDiGraph()
    for leaf in "bcde":
        g.add_edge("a", leaf, weight=2.0)
    m = compute(g)
    assert m["a"]["degree"] == 4 and m["a"]["weighted_degree"] == 8.0
    assert m["a"]["betweenness"] == 1.0 and m["b"]["betweenness"] == 0.0
    assert abs(sum(v["pagerank"] for v in m.values()) - 1.0) < 1e-9
    assert m["b"]["pagerank"] > m["a"]["pagerank"]  # links point from the hub to the leaves
    assert {v["community"] for v in m.values()} == {0}


def test_metrics_are_stable(data):
    _, ds, onto = data
    first = compute(build_view(ds, onto, "full"))
    second = compute(build_view(ds, onto, "full"))
    assert first == second
    top = table(build_view(ds, onto, "full"), top=3, by="degree")
    assert top[0].node == "id:china"


def test_metrics_as_rdf(data):
    _, ds, onto = data
    g = to_rdf(build_view(ds, onto, "leaders-events"), "leaders-events")
    assert g.value(ID["xi-jinping"], EK.metricsView).toPython() == "leaders-events"
    assert int(g.value(ID["xi-jinping"], EK.degree)) == 4  # office + 2 summits + treaty


# ---------------------------------------------------------------------- GEXF

def test_gexf_plays_a_timeline(data):
    _, ds, onto = data
    buf = io.BytesIO()
    export_to(ds, onto, "gexf", buf, view="states-trade")
    root = ET.fromstring(buf.getvalue())
    graph = root.find("g:graph", GEXF)
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    dynamic = graph.find("g:attributes[@mode='dynamic']", GEXF)
    assert sorted(a.get("title") for a in dynamic) == ["changePercent", "value"]
    edge = next(e for e in graph.iter("{http://gexf.net/1.3}edge") if e.get("source") == "id:china")
    assert (edge.get("start"), edge.get("end")) == ("2025-01-01", "2025-05-31")
    assert edge.get("kind") == "trade 2025-01-01/2025-05-31"
    value = next(a for a in edge.iter("{http://gexf.net/1.3}attvalue") if a.get("for") == "e_value")
    assert (value.get("value"), value.get("start"), value.get("end")) == ("286420000000.0", "2025-01-01", "2025-05-31")


def test_gexf_of_an_undated_view_is_static(data, tmp_path):
    _, ds, onto = data
    rq = tmp_path / "capitals.rq"
    rq.write_text("SELECT ?source ?target WHERE { ?source ek:capital ?target }\n", encoding="utf-8")
    buf = io.BytesIO()
    export_to(ds, onto, "gexf", buf, view=str(rq))
    graph = ET.fromstring(buf.getvalue()).find("g:graph", GEXF)
    assert graph.get("mode") == "static" and graph.get("timeformat") is None


# ---------------------------------------------------------------------- tables

def test_csv_tables_have_gephis_columns(data):
    import csv

    _, ds, onto = data
    nodes, edges = io.BytesIO(), io.BytesIO()
    export_to(ds, onto, "csv-nodes", nodes, view="routes")
    export_to(ds, onto, "csv-edges", edges, view="routes")
    node_rows = list(csv.DictReader(io.StringIO(nodes.getvalue().decode())))
    edge_rows = list(csv.DictReader(io.StringIO(edges.getvalue().decode())))
    assert list(node_rows[0])[:2] == ["Id", "Label"] and "pagerank" in node_rows[0]
    assert list(edge_rows[0])[:6] == ["Source", "Target", "Type", "Id", "Label", "Weight"]
    assert {r["Type"] for r in edge_rows} == {"Undirected"}
    assert {r["Id"] for r in node_rows} >= {r["Source"] for r in edge_rows} | {r["Target"] for r in edge_rows}


# ------------------------------------------------------------------ the CLI

def run(project, *args):
    return CliRunner().invoke(main, ["--project", str(project.root), *args], catch_exceptions=False)


def test_analyze_prints_the_top_nodes(data):
    proj, _, _ = data
    result = run(proj, "analyze", "--view", "leaders-events", "--top", "2", "--by", "degree")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    # six attendees each; ties are broken by node id
    assert [r.split("│")[1].strip() for r in rows] == ["id:china-central-asia-summit-2023",
                                                       "id:china-central-asia-summit-2025"]
    assert [r.split("│")[4].strip() for r in rows] == ["6", "6"]


def test_analyze_writes_rdf(data, tmp_path):
    proj, _, _ = data
    out = tmp_path / "metrics.ttl"
    result = run(proj, "analyze", "--view", "routes", "--rdf", str(out))
    assert result.exit_code == 0 and result.stdout.endswith(f"wrote {out}\n")
    g = Graph().parse(out)
    assert int(g.value(ID["china"], EK.degree)) == 6


def test_export_view_to_an_rdf_format_is_refused(data, tmp_path):
    proj, _, _ = data
    result = run(proj, "export", "--format", "ttl", "--view", "routes", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 2
    assert "--view applies to graph formats" in result.stderr


def test_unknown_view(data, tmp_path):
    proj, _, _ = data
    result = run(proj, "export", "--format", "gexf", "--view", "everything", "-o", str(tmp_path / "x.gexf"))
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown view 'everything'; known views: full, states-trade, "
                             "leaders-events, routes (or a .rq file)\n")
    assert not (tmp_path / "x.gexf").exists()


def test_draw_refuses_other_formats(data, tmp_path):
    proj, _, _ = data
    result = run(proj, "draw", "-o", str(tmp_path / "x.jpg"))
    assert result.exit_code == 2 and "draw writes .png or .svg files" in result.stderr


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_draw_is_deterministic(data, tmp_path, suffix):
    proj, _, _ = data
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"v{seed}.{suffix}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "eurokg.cli", "--project", str(proj.root), "draw",
                        "--view", "leaders-events", "-o", str(out)], check=True, env=env, capture_output=True)
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert (tmp_path / f"v1.{suffix}").stat().st_size > 10_000


def test_graph_exports_are_deterministic_across_hash_seeds(data, tmp_path):
    proj, _, _ = data
    outs = {}
    for seed in ("1", "2"):
        for fmt in ("gexf", "graphml", "csv-edges"):
            out = tmp_path / f"{seed}.{fmt}"
            env = dict(os.environ, PYTHONHASHSEED=seed)
            subprocess.run([sys.executable, "-m", "eurokg.cli", "--project", str(proj.root), "export", "--format", fmt,
                            "--view", "full", "-o", str(out)], check=True, env=env, capture_output=True)
            outs[(seed, fmt)] = out.read_bytes()
    for fmt in ("gexf", "graphml", "csv-edges"):
        assert outs[("1", fmt)] == outs[("2", fmt)], fmt


def test_betweenness_equals_networkx(data):
    from eurokg.metrics import _simple, betweenness

    _, ds, onto = data
    g = _simple(build_view(ds, onto, "full"), directed=False)
    ours = betweenness(g)
    reference = nx.betweenness_centrality(g, normalized=True)
    assert set(ours) == set(reference)
    assert max(abs(ours[n] - reference[n]) for n in g) < 1e-12


def test_unlabelled_entities_get_readable_labels(data):
    _, ds, onto = data
    g = build_view(ds, onto, "full")
    assert g.nodes["id:office-rahmon-president"]["label"] == "Emomali Rahmon — President of Tajikistan"
    assert g.nodes["id:xi-statement-trade-wars-2025"]["label"] == "trade wars and tariff wars"
    assert g.nodes["id:assessment-russian-sphere"]["label"].startswith("Moscow has long been")
    assert len(g.nodes["id:assessment-strategic-buffer"]["label"]) <= 60
