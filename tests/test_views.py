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
    assert "start" not in d and d["asOf"] == "2025-06"  # when it was reported, not a period it covers


def test_leaders_events_carries_terms_and_participation(data):
    _, ds, onto = data
    g = build_view(ds, onto, "leaders-events")
    (term,) = g.get_edge_data("id:xi-jinping", "id:china").values()
    assert term["predicate"] == "leads" and term["start"] == "2013-03-14" and "end" not in term
    assert term["label"] == "President of the People's Republic of China"
    attended = [v for u, v, d in g.out_edges("id:sadyr-japarov", data=True) if d["label"] == "attended"]
    assert sorted(attended) == ["id:china-central-asia-summit-2023", "id:china-central-asia-summit-2025"]
    signed = [v for u, v, d in g.out_edges("id:emomali-rahmon", data=True) if d["label"] == "signed"]
    assert signed == ["id:treaty-permanent-good-neighbourliness-2025"]
    assert g.nodes["id:china-central-asia-summit-2023"]["start"] == "2023-05-18"
    # the G7 summits join the view through ek:coincidesWith, one edge per pair
    coincide = sorted((u, v) for u, v, d in g.edges(data=True) if d["predicate"] == "ek:coincidesWith")
    assert coincide == [("id:china-central-asia-summit-2023", "id:g7-summit-2023"),
                        ("id:china-central-asia-summit-2025", "id:g7-summit-2025")]


def test_routes_view_is_two_mode(data):
    _, ds, onto = data
    g = build_view(ds, onto, "routes")
    assert g.graph["directed"] is False
    rail = "id:china-kyrgyzstan-uzbekistan-railway"
    assert g.nodes[rail]["type"] == "railway" and g.nodes[rail]["status"] == "under construction"
    assert g.nodes[rail]["firstProposed"] == "1990s" and g.nodes[rail]["start"] == "2024-12-27"
    edges = sorted((v, d["predicate"]) for _, v, d in g.out_edges(rail, data=True))
    assert edges == [("id:china", "ek:connects"), ("id:china", "ek:passesThrough"),
                     ("id:kyrgyzstan", "ek:connects"), ("id:kyrgyzstan", "ek:passesThrough"),
                     ("id:russia", "ek:bypasses"),
                     ("id:uzbekistan", "ek:connects"), ("id:uzbekistan", "ek:passesThrough")]
    # no invented place-to-place links
    places = [n for n, d in g.nodes(data=True) if d["type"] not in ("railway", "pipeline", "corridor")]
    assert not any(u in places and v in places for u, v in g.edges())


def test_pagerank_on_an_undirected_view_ignores_edge_direction(data):
    _, ds, onto = data
    g = build_view(ds, onto, "routes")
    m = compute(g)
    reversed_g = nx.MultiDiGraph(directed=False)
    reversed_g.add_nodes_from(g.nodes(data=True))
    reversed_g.add_edges_from((v, u, k, d) for u, v, k, d in g.edges(keys=True, data=True))
    assert compute(reversed_g) == m


def test_an_undirected_view_with_non_metric_edges_is_still_undirected():
    """Leaving out non-metric edges keeps the view's ``directed = False``: PageRank of a
    path a - b - c is symmetric although its edges were written a -> b -> c."""
    g = nx.MultiDiGraph(directed=False, non_metric_predicates=["member"])
    g.add_edge("a", "b", predicate="road", weight=1.0)
    g.add_edge("b", "c", predicate="road", weight=1.0)
    g.add_edge("a", "group", predicate="member", weight=1.0)
    m = compute(g)
    assert m["a"]["pagerank"] == m["c"]["pagerank"]
    assert m["group"]["degree"] == 0


def test_member_edges_do_not_count_in_metrics(data):
    _, ds, onto = data
    m = compute(build_view(ds, onto, "states-trade"))
    assert m["id:tajikistan"]["degree"] == 0  # only a member of the group, no trade record of its own
    assert m["id:turkmenistan"]["degree"] == 1  # its balance with China


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


@pytest.mark.parametrize("view", ["full", "states-trade", "leaders-events", "routes", "records.rq"])
def test_a_given_union_with_provenance_changes_no_view(data, tmp_path, view):
    """The build hands the views its union, provenance included; every view is the same as
    when it copies the union without provenance itself (a SELECT returning graph: IRIs
    would give them a type from provenance if it read that union)."""
    from eurokg.merge import union_graph

    _, ds, onto = data
    if view.endswith(".rq"):
        rq = tmp_path / view
        rq.write_text("SELECT ?source ?target WHERE { GRAPH ?source { ?target a ek:State } }\n", encoding="utf-8")
        view = str(rq)
    union = union_graph(ds, include_provenance=True)
    assert (None, None, EK.CurationRecord) in union
    own, given = build_view(ds, onto, view), build_view(ds, onto, view, union=union)
    assert given.number_of_nodes() > 0
    assert nx.utils.graphs_equal(own, given)
    assert dict(own.nodes(data=True)) == dict(given.nodes(data=True))
    records = [d for n, d in given.nodes(data=True) if n.startswith("graph:")]
    assert records == [] or all(d["type"] == "" for d in records)  # no "curation record" from provenance
    assert records or not view.endswith(".rq")


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
    from eurokg.vocab import GRAPH

    _, ds, onto = data
    out = to_rdf(build_view(ds, onto, "leaders-events"), "leaders-events")
    g = out.graph(GRAPH["metrics/leaders-events"])
    assert str(g.value(g.identifier, EK.metricsView)) == "leaders-events"
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
    # the inclusive last day, 31 May, ends at the start of 1 June (Gephi reads ends as instants)
    assert (edge.get("start"), edge.get("end")) == ("2025-01-01", "2025-06-01")
    assert edge.get("kind") == "trade 2025-01-01/2025-05-31"
    value = next(a for a in edge.iter("{http://gexf.net/1.3}attvalue") if a.get("for") == "e_value")
    assert (value.get("value"), value.get("start"), value.get("end")) == ("286420000000.0", "2025-01-01", "2025-06-01")


def test_gexf_one_day_events_last_the_day(data):
    _, ds, onto = data
    buf = io.BytesIO()
    export_to(ds, onto, "gexf", buf, view="leaders-events")
    nodes = {n.get("id"): n for n in ET.fromstring(buf.getvalue()).iter("{http://gexf.net/1.3}node")}
    summit = nodes["id:china-central-asia-summit-2025"]
    assert (summit.get("start"), summit.get("end")) == ("2025-06-17", "2025-06-18")


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
    assert list(edge_rows[0])[:7] == ["Source", "Target", "Type", "Kind", "Id", "Label", "Weight"]
    kinds = {(r["Source"], r["Target"]): r["Kind"] for r in edge_rows}
    assert kinds[("id:china-kyrgyzstan-uzbekistan-railway", "id:russia")] == "ek:bypasses"
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
    # six attendees and one coinciding G7 summit each; ties are broken by node id
    assert [r.split("│")[1].strip() for r in rows] == ["id:china-central-asia-summit-2023",
                                                       "id:china-central-asia-summit-2025"]
    assert [r.split("│")[4].strip() for r in rows] == ["7", "7"]  # plus the G7 summit each coincided with


def test_analyze_writes_rdf(data, tmp_path):
    proj, _, _ = data
    from rdflib import Dataset

    from eurokg.vocab import GRAPH

    out = tmp_path / "metrics.trig"
    result = run(proj, "analyze", "--view", "routes", "--rdf", str(out))
    assert result.exit_code == 0 and result.stdout.endswith(f"wrote {out}\n")
    g = Dataset().parse(out, format="trig").graph(GRAPH["metrics/routes"])
    # China: connected by the pipeline, the railway and the corridor, crossed by the first two
    assert int(g.value(ID["china"], EK.degree)) == 5


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


def test_communities_find_two_cliques_joined_by_one_edge():
    from eurokg.metrics import communities

    g = nx.Graph()
    left, right = [f"l{i}" for i in range(5)], [f"r{i}" for i in range(6)]
    for group in (left, right):
        g.add_edges_from((a, b, {"weight": 1.0}) for i, a in enumerate(group) for b in group[i + 1:])
    g.add_edge("l0", "r0", weight=1.0)
    assert communities(g) == [right, left]  # the larger first


def test_communities_are_seeded_and_leave_igraphs_generator_alone(data):
    """The partition is the same on every call, and afterwards igraph draws from Python's
    ``random`` again (a seeded ``random`` gives the same random graph twice)."""
    import random

    import igraph

    from eurokg.metrics import _simple, communities

    _, ds, onto = data
    g = _simple(build_view(ds, onto, "full"), directed=False)
    assert communities(g) == communities(g)
    random.seed(3)
    first = igraph.Graph.Erdos_Renyi(40, 0.1).get_edgelist()
    random.seed(3)
    assert igraph.Graph.Erdos_Renyi(40, 0.1).get_edgelist() == first


def test_communities_are_as_good_as_networkx_louvain(data):
    """igraph's Louvain (used for speed) finds a partition whose modularity is at least
    that of networkx's Louvain, less a small margin: both are greedy heuristics."""
    from eurokg.metrics import SEED, _simple, communities

    _, ds, onto = data
    for view in ("full", "states-trade", "leaders-events", "routes"):
        g = _simple(build_view(ds, onto, view), directed=False)
        ours = nx.community.modularity(g, communities(g), weight="weight")
        reference = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=SEED),
                                            weight="weight")
        assert ours >= reference - 0.02, view
        assert sorted(n for c in communities(g) for n in c) == sorted(g.nodes)


def test_metrics_from_a_child_process_equal_those_computed_here(data, monkeypatch):
    """A large view's betweenness and communities come from ``eurokg._metrics_worker``:
    the same numbers as in process (estimated betweenness included), and the child's
    files are gone afterwards."""
    from eurokg import metrics

    _, ds, onto = data
    g = build_view(ds, onto, "full")
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS_MAX_NODES", 50)
    monkeypatch.setattr(metrics, "BETWEENNESS_SOURCES", 20)
    expected = compute(g)
    monkeypatch.setattr(metrics, "BACKGROUND_MIN_NODES", 0)
    with metrics.MetricsJob(g, background=True) as job:
        assert job._proc is not None  # a child really runs
        folder = job._folder
        assert job.result() == expected
    assert not folder.exists()
    assert metrics.MetricsJob(g, background=False)._proc is None


def test_a_failed_metrics_child_falls_back_with_a_warning(data, monkeypatch):
    import sys

    from eurokg import metrics

    _, ds, onto = data
    g = build_view(ds, onto, "routes")
    expected = compute(g)
    monkeypatch.setattr(metrics, "BACKGROUND_MIN_NODES", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    job = metrics.MetricsJob(g, background=True)
    with pytest.warns(RuntimeWarning, match="metrics worker failed"):
        assert job.result() == expected


def test_closing_a_metrics_job_stops_its_child(data, monkeypatch, tmp_path):
    """An export abandoned (e.g. the build failed writing another output) leaves no child
    running and no files behind."""
    import sys
    import time

    from eurokg import metrics

    _, ds, onto = data
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setattr(metrics, "BACKGROUND_MIN_NODES", 0)
    monkeypatch.setattr(sys, "executable", str(slow))
    job = metrics.MetricsJob(build_view(ds, onto, "routes"), background=True)
    proc, folder = job._proc, job._folder
    assert proc.poll() is None  # still "computing"
    started = time.monotonic()
    job.close()
    assert proc.poll() is not None and time.monotonic() - started < 10
    assert not folder.exists()


def test_betweenness_equals_networkx(data):
    from eurokg.metrics import _simple, betweenness

    _, ds, onto = data
    g = _simple(build_view(ds, onto, "full"), directed=False)
    ours = betweenness(g)
    reference = nx.betweenness_centrality(g, normalized=True)
    assert set(ours) == set(reference)
    assert max(abs(ours[n] - reference[n]) for n in g) < 1e-12


def test_betweenness_of_large_graphs_is_a_seeded_estimate(monkeypatch):
    """Above the exact limit, betweenness is estimated from sampled sources: the same
    numbers on every run, unbiased (scaled by nodes/sources), and close to exact."""
    import statistics

    from eurokg import metrics
    from eurokg.metrics import betweenness, betweenness_method

    g = nx.barabasi_albert_graph(800, 2, seed=3)
    g = nx.relabel_nodes(g, {i: f"n{i}" for i in g})
    exact = nx.betweenness_centrality(g, normalized=True)
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS_MAX_NODES", 800)
    assert betweenness(g) == pytest.approx(exact, abs=1e-12)
    assert betweenness_method(800) == "exact"
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS_MAX_NODES", 500)
    monkeypatch.setattr(metrics, "BETWEENNESS_SOURCES", 200)
    estimate = betweenness(g)
    assert estimate == betweenness(g)
    assert estimate != pytest.approx(exact, abs=1e-12)
    assert statistics.correlation([exact[n] for n in g], [estimate[n] for n in g]) > 0.95
    assert abs(sum(estimate.values()) / sum(exact.values()) - 1) < 0.1
    top = sorted(exact, key=exact.get, reverse=True)[:5]
    assert set(top) <= set(sorted(estimate, key=estimate.get, reverse=True)[:10])
    assert betweenness_method(800).startswith("estimated from 200 of 800")
    assert betweenness_method(400) == "exact"


def test_betweenness_sources_shrink_with_the_graph_within_bounds():
    """Above 25,000 nodes the sources of the estimate shrink so that sources x nodes stays
    within the budget, never below the minimum; below, the settings hold as they were."""
    from eurokg import metrics

    assert metrics._sources(5_000) is None  # exact
    assert metrics._sources(5_001) == metrics._sources(25_000) == 1_000
    assert metrics._sources(36_622) == 682  # the 300k-triple synthetic graph's full view
    assert metrics._sources(120_000) == 208
    assert metrics._sources(10**6) == metrics._sources(10**7) == 100
    for n in (30_000, 50_000, 120_000, 250_000):
        assert metrics._sources(n) * n <= metrics.BETWEENNESS_BUDGET
    assert metrics.betweenness_method(120_000) == "estimated from 208 of 120000 source nodes (seed 42)"


def test_analyze_says_when_betweenness_is_estimated(data, monkeypatch):
    from click.testing import CliRunner

    from eurokg import metrics
    from eurokg.cli import main

    proj, _, _ = data
    exact = CliRunner().invoke(main, ["--project", str(proj.root), "analyze", "--top", "3"], catch_exceptions=False)
    assert exact.exit_code == 0 and "betweenness:" not in exact.output
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS_MAX_NODES", 10)
    monkeypatch.setattr(metrics, "BETWEENNESS_SOURCES", 5)
    out = CliRunner().invoke(main, ["--project", str(proj.root), "analyze", "--top", "3"], catch_exceptions=False)
    assert out.exit_code == 0
    assert out.output.splitlines()[-1].startswith("betweenness: estimated from 5 of ")


def test_unlabelled_entities_get_readable_labels(data):
    _, ds, onto = data
    g = build_view(ds, onto, "full")
    assert g.nodes["id:office-rahmon-president"]["label"] == "Emomali Rahmon — President of Tajikistan"
    assert g.nodes["id:xi-statement-trade-wars-2025"]["label"] == "trade wars and tariff wars"
    assert g.nodes["id:assessment-russian-sphere"]["label"].startswith("Moscow has long been")
    assert len(g.nodes["id:assessment-strategic-buffer"]["label"]) <= 60


def test_select_view_keeps_literals_apart_and_values_exact(data, tmp_path):
    _, ds, onto = data
    rq = tmp_path / "lits.rq"
    rq.write_text(
        'SELECT ?source ?target ?weight WHERE { VALUES (?source ?target ?weight) {\n'
        '  (id:china "China"@en 2) (id:china "China"@de -3) (id:china 83 0) (id:china "83" 1.5) } }\n',
        encoding="utf-8")
    g = build_view(ds, onto, str(rq))
    assert g.number_of_nodes() == 5  # China, and four distinct literal nodes
    weights = sorted((d["value"], d["weight"]) for _, _, d in g.edges(data=True))
    assert weights == [(-3.0, 1.0), (0.0, 1.0), (1.5, 1.5), (2.0, 2.0)]


def test_select_view_rejects_a_start_that_is_not_a_date(data, tmp_path):
    from eurokg import InputError

    _, ds, onto = data
    rq = tmp_path / "bad-start.rq"
    rq.write_text('SELECT ?source ?target ?start WHERE { VALUES (?source ?target ?start) '
                  '{ (id:china id:kazakhstan "soon") } }\n', encoding="utf-8")
    with pytest.raises(InputError, match=r'row 1: \?start is not a date \("soon"\)'):
        build_view(ds, onto, str(rq))
    rq.write_text('SELECT ?source ?target ?start WHERE { VALUES (?source ?target ?start) '
                  '{ (id:china id:kazakhstan "2025-06-17T10:00:00"^^xsd:dateTime) } }\n', encoding="utf-8")
    (d,) = [d for _, _, d in build_view(ds, onto, str(rq)).edges(data=True)]
    assert d["start"] == "2025-06-17"


def test_construct_view_is_named_and_dated(data, tmp_path):
    _, ds, onto = data
    rq = tmp_path / "terms.rq"
    rq.write_text("CONSTRUCT { ?o ek:holder ?p } WHERE { ?o a ek:Office ; ek:holder ?p }\n", encoding="utf-8")
    g = build_view(ds, onto, str(rq))
    office = g.nodes["id:office-rahmon-president"]
    assert office["label"] == "Emomali Rahmon — President of Tajikistan" and office["start"] == "1994-11-16"


def test_graph_export_refuses_rdf_and_unknown_formats(data):
    from eurokg.errors import UsageError
    from eurokg.exporters import GraphExport

    _, ds, onto = data
    with pytest.raises(UsageError, match="ttl is not a graph format"):
        GraphExport(ds, onto, "ttl")
    with pytest.raises(UsageError, match="unknown export format 'nope'"):
        GraphExport(ds, onto, "nope")


def test_a_view_query_that_never_ends_is_stopped(built_dataset, tmp_path):
    """A .rq view is the researcher's own query: it gets the query time limit (it ran
    without one, so `analyze --view` on a cross product never returned)."""
    import time

    from eurokg import Ontology
    from eurokg.errors import LimitExceeded
    from eurokg.views import query_view

    view = tmp_path / "cross.rq"
    view.write_text("SELECT ?source ?target WHERE { ?source ?p ?x . ?y ?q ?target . ?z ?r ?w }\n", encoding="utf-8")
    from pathlib import Path

    ontology = Ontology.load(Path(__file__).resolve().parents[1] / "ontology" / "eurokg.ttl")
    started = time.perf_counter()
    with pytest.raises(LimitExceeded):
        query_view(built_dataset, ontology, view, timeout_s=1.0)
    assert time.perf_counter() - started < 30


def test_simple_graph_sums_and_orders_as_sorting_every_edge(data):
    """_simple reads the view's adjacency instead of sorting networkx's edge view: the same
    weight sums, bit for bit (float addition depends on order), and the same order of
    nodes and edges (Louvain's partition depends on it), on every view and on a graph with
    parallel edges of fractional weights both ways between two nodes."""
    import random

    from eurokg.metrics import _simple

    def by_sorting(g, directed):  # what _simple did before: every edge, sorted by its ends
        out = nx.DiGraph() if directed else nx.Graph()
        out.add_nodes_from(sorted(g.nodes))
        for u, v, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
            w = float(d.get("weight", 1.0))
            if out.has_edge(u, v):
                out[u][v]["weight"] += w
            else:
                out.add_edge(u, v, weight=w)
        return out

    rng = random.Random(5)
    odd = nx.MultiDiGraph()
    for _ in range(400):
        u, v = rng.choice("abcdefg"), rng.choice("abcdefg")
        odd.add_edge(u, v, weight=rng.choice([0.1, 0.7, 1e-9, 3.3, 1.0]))
    _, ds, onto = data
    graphs = [build_view(ds, onto, view) for view in ("full", "states-trade", "leaders-events", "routes")] + [odd]
    for g in graphs:
        for directed in (True, False):
            ours, reference = _simple(g, directed), by_sorting(g, directed)
            assert list(ours.nodes) == list(reference.nodes)
            assert list(ours.edges(data="weight")) == list(reference.edges(data="weight"))
    with pytest.raises(TypeError, match="MultiDiGraph"):
        _simple(nx.Graph(odd), directed=False)
