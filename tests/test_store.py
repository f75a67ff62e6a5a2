"""The Oxigraph store behind the same seam: same answers as rdflib, loaded once, safe limits."""

from __future__ import annotations

import pytest

from eurokg import open_build, query_build
from eurokg.errors import LimitExceeded, QueryRefused, UsageError
from eurokg.store import OxigraphDataset


def _rows(result):
    # GROUP_CONCAT has no defined order across engines
    return sorted(tuple(" | ".join(sorted(c.split(" | "))) for c in row) for row in result.values())


def test_every_research_question_answers_the_same_on_oxigraph(built):
    proj, _ = built
    files = sorted(proj.queries.glob("*.rq"))
    assert len(files) >= 16
    for path in files:
        binds = ["on=2020-01-01"] if "?on" in path.read_text() else []
        memory = query_build(proj, file=path, bind=binds, store="memory")
        oxigraph = query_build(proj, file=path, bind=binds, store="oxigraph")
        assert oxigraph.kind == memory.kind, path.name
        assert oxigraph.vars == memory.vars, path.name
        assert _rows(oxigraph) == _rows(memory), path.name


def test_store_is_loaded_once_per_content(built):
    proj, _ = built
    ds = open_build(proj, store="oxigraph")
    assert isinstance(ds, OxigraphDataset)
    stamp = ds.folder / OxigraphDataset.STAMP
    before = stamp.stat().st_mtime_ns
    again = open_build(proj, store="oxigraph")
    assert again.folder == ds.folder and stamp.stat().st_mtime_ns == before  # reopened, not reloaded
    assert len(again) > 1000


def test_limits_and_policy_hold_on_oxigraph(built):
    proj, _ = built
    with pytest.raises(QueryRefused):
        query_build(proj, text="INSERT DATA { <urn:a> <urn:b> <urn:c> }", store="oxigraph")
    with pytest.raises(QueryRefused):
        query_build(proj, text="SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", store="oxigraph")
    res = query_build(proj, text="SELECT ?s WHERE { ?s a ek:State }", store="oxigraph", max_rows=3)
    assert len(res.rows) == 3 and res.truncated
    with pytest.raises(LimitExceeded):
        query_build(proj, text="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                    store="oxigraph", timeout_s=0.5)


def test_unknown_store_is_a_usage_error(built):
    proj, _ = built
    with pytest.raises(UsageError, match="unknown store"):
        open_build(proj, store="postgres")
