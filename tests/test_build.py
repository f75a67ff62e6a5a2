"""The main job end to end: outputs, determinism, provenance, failure leaves nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph, URIRef

from eurokg import ValidationFailed, build, stats
from eurokg.vocab import EK, GRAPH, ID, PROV, PROVENANCE_GRAPH, RDF

OUTPUTS = {"eurokg.ttl", "eurokg.trig", "eurokg.graphml", "claims.jsonl", "claims.txt", "validation.ttl", "validation.txt", "reasoning.txt", "manifest.json"}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_build_writes_every_output(built):
    proj, result = built
    names = {p.name for p in proj.build_dir.iterdir() if not p.name.startswith(".")}
    assert names == OUTPUTS
    manifest = json.loads((proj.build_dir / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((proj.build_dir / name).read_bytes()).hexdigest() == digest
    assert not list(proj.build_dir.glob("*.tmp")) and not list(proj.build_dir.glob(".*.tmp"))
    assert result.report.conforms
    assert result.reasoning is not None and result.reasoning.consistent


def test_outputs_parse_and_agree(built):
    proj, result = built
    ttl = Graph().parse(proj.build_dir / "eurokg.ttl", format="turtle")
    trig = Dataset().parse(proj.build_dir / "eurokg.trig", format="trig")
    union = Graph()
    for g in trig.graphs():
        if g.identifier != GRAPH["ontology"] and not str(g.identifier).startswith(str(GRAPH["claims/"])):
            for t in g:
                union.add(t)
    assert len(ttl) == len(union) > 800
    assert set(ttl) == set(union)
    graph = nx.read_graphml(proj.build_dir / "eurokg.graphml")
    assert graph.number_of_nodes() > 50 and graph.number_of_edges() > 100
    assert graph.nodes["id:kazakhstan"]["label"] == "Kazakhstan"
    assert graph.nodes["id:kazakhstan"]["type"] == "state"


def test_two_builds_are_byte_identical(project, tmp_path):
    """Rebuilding identical inputs, even with another hash seed, gives identical bytes."""
    build(project, run_reasoner=True)
    first = _digests(project.build_dir)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-m", "eurokg.cli", "--project", str(project.root), "build", "-q"],
                   check=True, env=env, capture_output=True)
    second = _digests(project.build_dir)
    assert first == second


def test_the_summary_counts_the_union_without_provenance(built):
    """The build counts its triples as it goes (the asserted union, then the inferred
    types): the count equals the union of the written TriG's graphs without provenance,
    the ontology copy and the claims."""
    from eurokg.merge import union_size

    proj, result = built
    summary = json.loads((proj.build_dir / "manifest.json").read_text())["summary"]
    (line,) = [entry for entry in summary if entry.endswith("named graphs")]
    written = Dataset().parse(proj.build_dir / "eurokg.trig", format="trig")
    assert line.split()[0] == str(union_size(written, include_provenance=False))
    assert len(written.graph(GRAPH["inferred"]))  # the inferred types are counted too


def test_named_graph_per_source_record(built):
    proj, result = built
    ds = result.dataset
    prov = ds.graph(PROVENANCE_GRAPH)
    trade = GRAPH["curated/trade/china-central-asia-trade-2025-jan-may"]
    assert (trade, RDF.type, EK.CurationRecord) in prov
    assert str(prov.value(trade, EK.file)) == "data/curated/trade.csv"
    assert int(prov.value(trade, EK.row)) == 2
    assert prov.value(trade, PROV.wasDerivedFrom) == ID["founding-article"]
    facts = ds.graph(trade)
    assert (ID["china-central-asia-trade-2025-jan-may"], EK.tradeValue, None) in facts


def test_every_curated_node_has_a_source(built):
    _, result = built
    from eurokg.merge import union_graph

    g = union_graph(result.dataset, include_provenance=False)
    typed = {s for s in g.subjects(RDF.type, None) if str(s).startswith(str(ID))}
    unsourced = sorted(s for s in typed if (s, PROV.wasDerivedFrom, None) not in g)
    assert unsourced == []


def test_inferred_types_kept_apart(built):
    _, result = built
    inferred = result.dataset.graph(GRAPH["inferred"])
    treaty = ID["treaty-permanent-good-neighbourliness-2025"]
    assert (treaty, RDF.type, EK.Treaty) in inferred
    asserted = result.dataset.graph(GRAPH["curated/treaties/treaty-permanent-good-neighbourliness-2025"])
    assert (treaty, RDF.type, EK.MultilateralTreaty) in asserted
    assert (treaty, RDF.type, EK.Treaty) not in asserted


def test_outputs_from_the_build_union_match_the_exporters_own(built):
    """The build grows one union graph stage by stage and hands it to the exporters; each
    exporter copying the union itself from the dataset writes the same bytes (a triple
    missing from the build's union, e.g. a corroborated fact or an inferred type, fails)."""
    import io

    from eurokg.build import OUTPUTS
    from eurokg.exporters import export_to

    proj, result = built
    assert {"ttl", "graphml"} <= set(OUTPUTS.values())
    for name, fmt in OUTPUTS.items():
        buf = io.BytesIO()
        export_to(result.dataset, result.ontology, fmt, buf)
        assert buf.getvalue() == (proj.build_dir / name).read_bytes(), name


def test_a_build_with_metrics_in_a_child_process_writes_the_same_graphml(project, monkeypatch):
    """Above ``BACKGROUND_MIN_NODES`` the build projects the Gephi view first and leaves
    its betweenness and communities to a child process while it writes the RDF: the
    GraphML is the same as with everything in process."""
    from eurokg import metrics

    build(project, run_reasoner=False)
    inline = (project.build_dir / "eurokg.graphml").read_bytes()
    monkeypatch.setattr(metrics, "BACKGROUND_MIN_NODES", 0)
    started = []
    real = metrics.MetricsJob._start
    monkeypatch.setattr(metrics.MetricsJob, "_start", lambda self: (started.append(1), real(self)))
    build(project, run_reasoner=False)
    assert started and (project.build_dir / "eurokg.graphml").read_bytes() == inline


def test_materialize_types_with_precomputed_parts(built):
    """``materialize_types`` given the asserted union, the entailed types and a graph to
    copy into adds what it adds without them, and copies exactly that."""
    from eurokg.merge import entailed_types, materialize_types, union_graph

    _, result = built

    def fresh() -> Dataset:
        ds = Dataset()
        for g in result.dataset.graphs():
            if g.identifier not in (GRAPH["inferred"], GRAPH["ontology"]):
                part = ds.graph(g.identifier)
                for t in g:
                    part.add(t)
        ds.graph(PROVENANCE_GRAPH).remove((GRAPH["inferred"], None, None))
        return ds

    plain = fresh()
    n = materialize_types(plain, result.ontology)
    assert n > 0
    ds = fresh()
    asserted = union_graph(ds, include_provenance=False)
    entailed = entailed_types(asserted, result.ontology)
    into = Graph()
    assert materialize_types(ds, result.ontology, asserted=asserted, entailed=entailed, into=into) == n
    assert set(ds.graph(GRAPH["inferred"])) == set(plain.graph(GRAPH["inferred"]))
    assert set(into) == set(ds.graph(GRAPH["inferred"])) | {(GRAPH["inferred"], RDF.type, EK.InferredGraph)}
    treaty = ID["treaty-permanent-good-neighbourliness-2025"]
    assert (treaty, RDF.type, EK.Treaty) in entailed


def test_stats_counts(built_dataset):
    s = stats(built_dataset)
    by_class = dict(s.by_class)
    assert by_class["ek:State"] == 12
    assert by_class["ek:Person"] == 6
    assert by_class["ek:Office"] == 6
    assert by_class["ek:Summit"] == 4
    assert dict(s.by_property)["ek:signatory"] == 6


def test_validation_failure_writes_nothing(project):
    _invalid_trade(project)
    import gc

    threshold = gc.get_threshold()
    with pytest.raises(ValidationFailed) as info:
        build(project, run_reasoner=False)
    messages = [f.message for f in info.value.report.findings if f.severity == "Violation"]
    assert any("ends (2025-01-01) before it starts (2025-05-31)" in m for m in messages)
    assert not project.build_dir.exists() or not any(project.build_dir.iterdir())
    assert gc.get_threshold() == threshold  # the build's collector setting does not outlive it


def test_strict_fails_on_warnings(project):
    # an attendee with no office in a participating state on the summit date is a warning
    people = project.curated / "people.csv"
    people.write_text(people.read_text(encoding="utf-8") + "vladimir-putin,Vladimir Putin,,Q7747,wikidata\n", encoding="utf-8")
    summits = project.curated / "summits.csv"
    summits.write_text(summits.read_text(encoding="utf-8").replace(
        "serdar-berdimuhamedov|shavkat-mirziyoyev,,china-central-asia-summit-2023",
        "serdar-berdimuhamedov|shavkat-mirziyoyev|vladimir-putin,,china-central-asia-summit-2023"), encoding="utf-8")
    result = build(project, run_reasoner=False, write=False)
    warnings = [f for f in result.report.findings if f.severity == "Warning"]
    assert [(w.focus, w.message) for w in warnings] == [
        ("id:china-central-asia-summit-2025",
         "Vladimir Putin attended on 2025-06-17 but holds no recorded office in a participating state on that date."),
    ]
    with pytest.raises(ValidationFailed):
        build(project, run_reasoner=False, strict=True)


def test_findings_are_located_in_the_curated_files(project):
    trade = project.curated / "trade.csv"
    text = trade.read_text(encoding="utf-8")
    trade.write_text(text.replace(",286420000000,cny,", ",-5,cny,"), encoding="utf-8")
    report = eurokg_validate(project)
    lines = [f.line() for f in report.findings if f.severity == "Violation"]
    # row 2 of trade.csv, column 8 holds tradeValue
    assert lines == [
        "data/curated/trade.csv:2:8: VIOLATION: id:china-central-asia-trade-2025-jan-may ek:tradeValue: "
        "A trade value is one non-negative xsd:decimal (e.g. 286420000000). (value: -5)",
    ]


def test_turtle_findings_point_at_the_entity_block(project):
    g7 = project.curated / "g7.ttl"
    g7.write_text(g7.read_text(encoding="utf-8").replace(
        'ek:endDate "2023-05-21"^^xsd:date', 'ek:endDate "2023-05-01"^^xsd:date'), encoding="utf-8")
    report = eurokg_validate(project)
    lines = [f.line() for f in report.findings if f.severity == "Violation"]
    block = next(n for n, line in enumerate(g7.read_text().splitlines(), 1) if line.startswith("id:g7-summit-2023"))
    assert lines == [f"data/curated/g7.ttl:{block}: VIOLATION: id:g7-summit-2023: Ends (2023-05-01) before it starts (2023-05-19)."]


def test_validation_report_turtle_keeps_real_terms(built):
    from rdflib.namespace import SH

    proj, _ = built
    g = Graph().parse(proj.build_dir / "validation.ttl")
    focus = set(g.objects(None, SH.focusNode))
    assert ID["canada"] in focus and all(isinstance(f, URIRef) for f in focus)
    assert set(g.objects(None, SH.resultPath)) == {EK.capital, EK.url}


def test_outputs_of_an_earlier_build_are_removed(project):
    build(project, run_reasoner=True)
    assert (project.build_dir / "reasoning.txt").exists()
    build(project, run_reasoner=False)
    assert not (project.build_dir / "reasoning.txt").exists()
    manifest = json.loads((project.build_dir / "manifest.json").read_text())
    names = {p.name for p in project.build_dir.iterdir() if not p.name.startswith(".")}
    assert names == set(manifest["files"]) | {"manifest.json"}


def eurokg_validate(project):
    import eurokg

    return eurokg.validate(project)


def test_a_tampered_manifest_cannot_make_the_build_delete_or_read_elsewhere(project, tmp_path):
    """The manifest lists the previous build's files so stale ones can be removed; names that
    are paths (absolute, ``..``, hidden) are ignored, never unlinked or hashed."""
    from eurokg.build import up_to_date

    build(project, run_reasoner=False)
    outside = tmp_path / "victim.txt"
    outside.write_text("keep me")
    sibling = project.root / "data" / "victim2.txt"
    sibling.write_text("keep me too")
    manifest = project.build_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["files"][str(outside)] = "0" * 64
    data["files"]["../data/victim2.txt"] = "0" * 64
    data["files"][".lock"] = "0" * 64
    data["files"]["manifest.json"] = "0" * 64  # the build must not delete the manifest it just wrote
    data["files"]["a-folder"] = "0" * 64  # nor fail on a name that is a folder
    (project.build_dir / "a-folder").mkdir()
    manifest.write_text(json.dumps(data))
    assert up_to_date(project, strict=False, run_reasoner=False, extract=True, min_sources=None) is None
    build(project, run_reasoner=False)
    assert outside.read_text() == "keep me" and sibling.read_text() == "keep me too"
    assert (project.build_dir / ".lock").exists()
    assert set(json.loads(manifest.read_text())["files"]) == {p.name for p in project.build_dir.iterdir()
                                                            if p.is_file() and not p.name.startswith(".")} - {"manifest.json"}


def test_a_build_sweeps_what_a_killed_build_left(project):
    """A build killed while writing (SIGKILL: no cleanup runs) leaves staging files; the next
    build, holding the lock, removes them and leaves other files alone."""
    project.build_dir.mkdir(parents=True)
    left = [project.build_dir / ".eurokg.ttl.k3j2h1.tmp", project.build_dir / ".manifest.json.x9.tmp"]
    for path in left:
        path.write_text("half")
    mine = project.build_dir / "notes.md"
    mine.write_text("a researcher's file")
    other = project.build_dir / ".view.gexf.q1w2e3.tmp"  # `eurokg export -o build/view.gexf` at work
    other.write_text("another command's staging file")
    build(project, run_reasoner=False)
    assert not any(p.exists() for p in left)
    assert mine.read_text() == "a researcher's file" and other.exists()
    # the sweep knows every name a build writes
    from eurokg.build import OUTPUTS, REPORTS

    written = {p.name for p in project.build_dir.iterdir() if not p.name.startswith(".")} - {"notes.md", "manifest.json"}
    assert written and written <= set(OUTPUTS) | set(REPORTS)


def test_two_builds_of_one_project_at_once(project):
    """Two processes: the second fails at once with a clear message (it no longer does all
    its work first), the first publishes complete outputs, and build/ never mixes them."""
    import time

    eurokg = Path(sys.executable).with_name("eurokg")
    args = [str(eurokg), "--project", str(project.root), "build", "--force", "--no-reason"]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the first is loading or validating by now
    started = time.perf_counter()
    second = subprocess.run(args, capture_output=True, text=True, timeout=120)
    waited = time.perf_counter() - started
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode != 0 and "another build of this project is running" in second.stderr
    assert waited < 10  # it did not load, validate and extract first
    manifest = json.loads((project.build_dir / "manifest.json").read_text())
    written = _digests(project.build_dir)
    written.pop("manifest.json")
    assert written == manifest["files"]
    Graph().parse(project.build_dir / "eurokg.ttl", format="turtle")
    nx.read_graphml(project.build_dir / "eurokg.graphml")


def test_links_out_of_the_project_are_refused(project, tmp_path):
    """A curated file or an article that is a link to a file outside the project would put
    that file in the graph (and in what is pushed or served); a link inside is followed."""
    from eurokg.errors import InputError

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "evil.ttl").write_text("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                                      "<https://w3id.org/eurokg/id/kazakhstan> rdfs:comment \"secret\" .\n")
    link = project.curated / "evil.ttl"
    link.symlink_to(outside / "evil.ttl")
    with pytest.raises(InputError, match="outside the project") as err:
        build(project, run_reasoner=False)
    assert "evil.ttl" in str(err.value)
    assert not (project.build_dir / "eurokg.ttl").exists()
    link.unlink()

    article = project.articles / "passwd.txt"
    article.symlink_to("/etc/passwd")
    with pytest.raises(InputError, match="outside the project"):
        build(project, run_reasoner=False)
    article.unlink()

    names = project.gazetteer / "names.csv"
    (outside / "names.csv").write_bytes(names.read_bytes())
    names.unlink()
    names.symlink_to(outside / "names.csv")
    with pytest.raises(InputError, match="outside the project") as err:
        build(project, run_reasoner=False)
    assert "names.csv" in str(err.value)
    names.unlink()
    names.write_bytes((outside / "names.csv").read_bytes())

    inside = project.root / "shared-data"
    inside.mkdir()
    (inside / "extra.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "<https://w3id.org/eurokg/id/kazakhstan> rdfs:comment \"shared\" ;\n"
        "    prov:wasDerivedFrom <https://w3id.org/eurokg/id/founding-article> .\n")
    (project.curated / "extra.ttl").symlink_to(inside / "extra.ttl")
    build(project, run_reasoner=False)
    assert '"shared"' in (project.build_dir / "eurokg.ttl").read_text()


@pytest.mark.parametrize("command", [["link", "Astana"], ["extract", "ARTICLE"], ["eval-link"], ["eval-extract"]])
def test_every_command_that_links_confines_the_gazetteer(project, tmp_path, command):
    """The build refused a gazetteer file linked from outside the project; `link`, `extract`
    and their evaluations read it anyway (its names and ids then shaped their answers)."""
    from click.testing import CliRunner

    from eurokg.cli import main

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    names = project.gazetteer / "names.csv"
    (outside / "names.csv").write_bytes(names.read_bytes())
    names.unlink()
    names.symlink_to(outside / "names.csv")
    article = sorted(project.articles.glob("*.md"))[0]
    args = [str(article) if a == "ARTICLE" else a for a in command]
    result = CliRunner().invoke(main, ["--project", str(project.root), *args])
    assert result.exit_code == 1, result.output
    assert "outside the project" in result.stderr and "names.csv" in result.stderr
    names.unlink()
    names.write_bytes((outside / "names.csv").read_bytes())
    assert CliRunner().invoke(main, ["--project", str(project.root), *args]).exit_code == 0


def test_a_curated_folder_put_elsewhere_by_the_caller_is_read(project, tmp_path):
    """The confinement is to the project or to the folder itself: a caller may keep curated
    data outside the project (the API's Project(curated=...)); links out of it are refused."""
    import shutil

    from eurokg import Project
    from eurokg.errors import InputError

    elsewhere = tmp_path / "shared-curated"
    shutil.copytree(project.curated, elsewhere)
    moved = Project(project.root, curated=elsewhere)
    build(moved, run_reasoner=False)
    assert (moved.build_dir / "eurokg.ttl").exists()
    secret = tmp_path / "secret.ttl"
    secret.write_text("<https://w3id.org/eurokg/id/kazakhstan> <http://www.w3.org/2000/01/rdf-schema#comment> \"x\" .\n")
    (elsewhere / "evil.ttl").symlink_to(secret)
    with pytest.raises(InputError, match="outside the project"):
        build(moved, run_reasoner=False)


def test_the_union_graph_does_not_outlive_the_build(project, monkeypatch):
    """The build's union graph (rdflib's indexes over every triple: most of its memory at
    scale) is dropped once the views are projected; the extraction's knowledge base kept it
    alive through the claims until it was told to forget it."""
    import gc
    import sys
    import types
    import weakref

    build_module = sys.modules["eurokg.build"]

    made = []
    real = build_module.union_graph

    def recording(*args, **kwargs):
        graph = real(*args, **kwargs)
        made.append(weakref.ref(graph))
        return graph

    monkeypatch.setattr(build_module, "union_graph", recording)
    result = build(project, run_reasoner=False)
    assert result.claims is not None and result.claims.count > 0  # articles were read against it
    assert result.claims.jsonl()  # what the claims need stays
    gc.collect()
    assert len(made) == 1
    union = made[0]()
    if union is None:
        return
    # Alive for a moment: something outside the build may hold it (once, on CI, after a full
    # collection; never reproduced). What must not hold it is anything the build returns.
    seen, todo = set(), [result]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType, types.FrameType)):
            continue
        seen.add(id(obj))
        assert obj is not union, "the build's result still reaches its union graph"
        todo.extend(gc.get_referents(obj))


def test_the_validation_store_is_gone_before_the_outputs_are_made(project, monkeypatch):
    """The store engine's Oxigraph copy is freed once validation ends, not at some later
    collection or parse: rdflib's SPARQL parser leaves reference cycles, and with packrat
    caching on also cached exceptions, that reach the frames which held it (at a million
    triples the rest of the build ran 300 MB higher)."""
    import gc
    import importlib
    import weakref

    from eurokg import shacl_store

    build_module = importlib.import_module("eurokg.build")  # (the package's ``build`` is a function)

    (project.root / "pyproject.toml").write_text('[tool.eurokg]\nvalidator = "oxigraph"\n', encoding="utf-8")
    copies: list = []
    real_init = shacl_store.StoreCopy.__init__

    def recording(self):
        real_init(self)
        copies.append(weakref.ref(self))

    monkeypatch.setattr(shacl_store.StoreCopy, "__init__", recording)
    alive_after_validation: list = []
    real_materialize = build_module.materialize_types

    def materialize(*args, **kwargs):
        alive_after_validation.extend(ref() is not None for ref in copies)
        return real_materialize(*args, **kwargs)

    monkeypatch.setattr(build_module, "materialize_types", materialize)
    from pyparsing import ParserElement

    caching = ParserElement._parse != ParserElement._parseNoCache
    ParserElement.enable_packrat()  # as importing matplotlib's mathtext does, for the whole process
    was_enabled = gc.isenabled()
    gc.disable()  # no collection by chance: only the build's own
    try:
        build(project, run_reasoner=False, write=False)
    finally:
        if was_enabled:
            gc.enable()
        if not caching:
            ParserElement.disable_memoization()
    assert alive_after_validation == [False]


def _rdf_outputs(project) -> dict:
    return {name: (project.build_dir / name).read_bytes() for name in ("eurokg.ttl", "eurokg.trig")}


def test_a_build_with_the_rdf_in_a_child_process_writes_the_same_files(project, monkeypatch):
    """Above ``BACKGROUND_MIN_TRIPLES`` a child serializes the Turtle and TriG while the
    build writes the Gephi view: the same bytes as written in process, and the child's
    folder is gone afterwards."""
    from eurokg import rdfwrite

    build(project, run_reasoner=False, extract=False)
    inline = _rdf_outputs(project)
    monkeypatch.setattr(rdfwrite, "BACKGROUND_MIN_TRIPLES", 1)
    folders = []
    real = rdfwrite.RdfJob._prepare

    def prepare(self, folder, *args):
        folders.append(folder)
        return real(self, folder, *args)

    monkeypatch.setattr(rdfwrite.RdfJob, "_prepare", prepare)
    (project.build_dir / "eurokg.ttl").unlink()
    build(project, run_reasoner=False, extract=False)
    assert folders and not folders[0].exists()
    assert _rdf_outputs(project) == inline


def test_a_failed_rdf_child_falls_back_with_a_warning(project, monkeypatch):
    import sys

    from eurokg import rdfwrite

    build(project, run_reasoner=False, extract=False)
    inline = _rdf_outputs(project)
    (project.build_dir / "eurokg.ttl").unlink()
    monkeypatch.setattr(rdfwrite, "BACKGROUND_MIN_TRIPLES", 1)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the children fail at once
    with pytest.warns(RuntimeWarning, match="RDF writer process failed"):
        build(project, run_reasoner=False, extract=False)
    assert _rdf_outputs(project) == inline


def test_rdf_child_input_that_cannot_be_written_falls_back_with_a_warning(project, monkeypatch, tmp_path):
    """The child's input goes to a temporary folder first. If that cannot be written (a full
    /tmp), the build writes the Turtle and TriG itself after a warning, leaving no folder."""
    import errno
    import tempfile

    import numpy as np

    from eurokg import rdfwrite

    build(project, run_reasoner=False, extract=False)
    inline = _rdf_outputs(project)
    (project.build_dir / "eurokg.ttl").unlink()
    monkeypatch.setattr(rdfwrite, "BACKGROUND_MIN_TRIPLES", 1)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    with pytest.warns(RuntimeWarning, match="RDF writer process could not be started.*No space left"):
        build(project, run_reasoner=False, extract=False)
    assert _rdf_outputs(project) == inline
    assert not [p for p in scratch.iterdir() if p.name.startswith("eurokg-rdf-")]


def test_two_articles_with_one_id_stop_the_build(project):
    """Two articles whose ids are the same would share one claims graph and one source: the
    build stops, naming both files, and writes nothing."""
    from eurokg.errors import InputError

    original = project.articles / "cku-railway.md"
    text = original.read_text(encoding="utf-8")
    (project.articles / "cku railway.md").write_text(text, encoding="utf-8")  # its id from the name: cku-railway
    with pytest.raises(InputError) as err:
        build(project, run_reasoner=False)
    named = f"{err.value.path} {err.value.message}"
    assert "'cku-railway'" in err.value.message and "cku-railway.md" in named and "cku railway.md" in named
    assert not (project.build_dir / "manifest.json").exists()


# --- validation in a child process, beside the writing (eurokg.validate.ValidationJob)

def _on_the_store(project) -> None:
    (project.root / "pyproject.toml").write_text('[tool.eurokg]\nvalidator = "oxigraph"\n', encoding="utf-8")


def _validation_folders(scratch: Path) -> list[Path]:
    return [p for p in scratch.iterdir() if p.name.startswith("eurokg-validate-")]


@contextmanager
def _child_did_the_work():
    """No fallback to validation in process (it warns): the child's own report or error was read."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("error", "the validation process", RuntimeWarning)
        yield


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """The temporary folder children's folders are made in, to see that none is left."""
    import tempfile

    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_build_validated_in_a_child_process_writes_the_same_files(project, monkeypatch, scratch):
    """From ``BACKGROUND_VALIDATION_TRIPLES`` on, a build without the reasoner validates in a
    child while it writes: every output (the reports and the manifest included) is the same
    bytes as with validation first in process, and the child's folder is gone."""
    import importlib

    build_module = importlib.import_module("eurokg.build")
    validation = importlib.import_module("eurokg.validate")
    _on_the_store(project)
    _turtle_warning(project)
    first = build(project, run_reasoner=False)
    in_process = _digests(project.build_dir)
    assert "validation.ttl" in in_process and _found_in_turtle(first.report, "Warning")
    started = []
    real = validation.ValidationJob.__init__

    def recording(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.append(self._child._folder)

    monkeypatch.setattr(validation.ValidationJob, "__init__", recording)
    monkeypatch.setattr(build_module, "BACKGROUND_VALIDATION_TRIPLES", 1)
    with _child_did_the_work():
        second = build(project, run_reasoner=False)
    assert started and not started[0].exists() and not _validation_folders(scratch)
    assert _digests(project.build_dir) == in_process
    assert second.report.findings == first.report.findings and _found_in_turtle(second.report, "Warning")
    assert "wait for validation" in second.timings


def _turtle_warning(project) -> None:
    """A second English label for a summit in the curated Turtle (a warning, in g7.ttl): a
    report with it shows that the child's copy held the Turtle's triples."""
    g7 = project.curated / "g7.ttl"
    text = g7.read_text(encoding="utf-8")
    assert 'rdfs:label "49th G7 summit"@en ;' in text
    g7.write_text(text.replace('rdfs:label "49th G7 summit"@en ;', 'rdfs:label "49th G7 summit"@en , "Hiroshima summit"@en ;'),
                  encoding="utf-8")


def _turtle_violation(project) -> None:
    """A summit in the curated Turtle that ends before it starts (a violation, in g7.ttl)."""
    g7 = project.curated / "g7.ttl"
    text = g7.read_text(encoding="utf-8")
    assert 'ek:endDate "2023-05-21"^^xsd:date ;' in text
    g7.write_text(text.replace('ek:endDate "2023-05-21"^^xsd:date ;', 'ek:endDate "2023-05-01"^^xsd:date ;'),
                  encoding="utf-8")


def _found_in_turtle(report, severity: str) -> bool:
    return any(f.severity == severity and "g7-summit-2023" in f.focus and "g7.ttl" in f.origin for f in report.findings)


def _invalid_trade(project) -> None:
    trade = project.curated / "trade.csv"
    text = trade.read_text(encoding="utf-8").replace("2025-01-01,2025-05-31", "2025-05-31,2025-01-01")
    trade.write_text(text, encoding="utf-8")


def test_violations_found_in_the_child_stop_the_build_and_write_nothing(project, monkeypatch, scratch):
    import importlib

    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    _on_the_store(project)
    build(project, run_reasoner=False)
    before = _digests(project.build_dir)
    _invalid_trade(project)
    with pytest.raises(ValidationFailed) as info, _child_did_the_work():
        build(project, run_reasoner=False)
    messages = [f.message for f in info.value.report.findings if f.severity == "Violation"]
    assert any("ends (2025-01-01) before it starts (2025-05-31)" in m for m in messages)
    assert _digests(project.build_dir) == before  # the last good build stands, whole
    assert not _validation_folders(scratch)


def test_validations_verdict_comes_before_a_failure_in_the_writing(project, monkeypatch, scratch):
    """Where validation runs first, a failing report is what the user sees; with the child
    it still is, when the writing fails meanwhile (here: the GraphML cannot be written)."""
    import importlib

    from eurokg.exporters import GraphExport

    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    _on_the_store(project)
    _invalid_trade(project)

    def broken(self, fh):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GraphExport, "write", broken)
    validation = importlib.import_module("eurokg.validate")
    # the child's end is not looked at while writing: the write error comes first, whatever the timing
    monkeypatch.setattr(validation.ValidationJob, "finished", lambda self: False)
    with pytest.raises(ValidationFailed) as info:
        build(project, run_reasoner=False)
    assert isinstance(info.value.__cause__, OSError)  # (the writing's error, chained)
    assert not project.build_dir.exists() or not [p for p in project.build_dir.iterdir() if p.name != ".lock"]
    assert not _validation_folders(scratch)


def test_shapes_the_engine_cannot_use_stop_the_build_from_the_child_as_in_process(project, monkeypatch, scratch):
    import importlib

    from eurokg.errors import InputError

    _on_the_store(project)
    shapes = project.root / "ontology" / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    assert "sh:path ek:connects ; sh:minCount 2 ;" in text
    shapes.write_text(text.replace("sh:path ek:connects ; sh:minCount 2 ;", 'sh:path ek:connects ; sh:minCount "two" ;'),
                      encoding="utf-8")
    with pytest.raises(InputError) as in_process:
        build(project, run_reasoner=False)
    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    with pytest.raises(InputError) as in_child, _child_did_the_work():
        build(project, run_reasoner=False)
    assert str(in_child.value) == str(in_process.value)
    assert str(in_child.value).startswith("ontology/shapes.ttl: the shapes cannot be used: ")
    assert not project.build_dir.exists() or not [p for p in project.build_dir.iterdir() if p.name != ".lock"]
    assert not _validation_folders(scratch)


def test_a_failed_validation_child_falls_back_with_a_warning(project, monkeypatch, scratch):
    import importlib
    import sys

    _on_the_store(project)
    build(project, run_reasoner=False)
    in_process = _digests(project.build_dir)
    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the child fails at once
    with pytest.warns(RuntimeWarning, match="validation process failed"):
        build(project, run_reasoner=False)
    assert _digests(project.build_dir) == in_process
    assert not _validation_folders(scratch)


def test_validation_child_input_that_cannot_be_written_falls_back_with_a_warning(project, monkeypatch, scratch):
    """The hand-over fails (here once all of it was written, as a full disk could at the
    last byte): the build validates in process, from the store copy left whole, and still
    finds what is wrong in the curated Turtle."""
    import importlib

    from eurokg.shacl_store import StoreCopy

    _on_the_store(project)
    _turtle_violation(project)
    with pytest.raises(ValidationFailed) as in_process:
        build(project, run_reasoner=False)
    assert _found_in_turtle(in_process.value.report, "Violation")
    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    real = StoreCopy.hand_over

    def full(self, folder, triples):
        real(self, folder, triples)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(StoreCopy, "hand_over", full)
    with pytest.warns(RuntimeWarning, match="validation process could not be started"), \
            pytest.raises(ValidationFailed) as fallback:
        build(project, run_reasoner=False)
    assert fallback.value.report.findings == in_process.value.report.findings
    assert not project.build_dir.exists() or not [p for p in project.build_dir.iterdir() if p.name != ".lock"]
    assert not _validation_folders(scratch)


def test_a_validation_child_that_cannot_be_started_leaves_validation_to_the_build(project, monkeypatch, scratch):
    """The child's process cannot be made (no fork: EAGAIN, ENOMEM): the build validates in
    process from the whole copy, the curated Turtle included."""
    import importlib

    from eurokg.child import ChildProcess

    _on_the_store(project)
    _turtle_violation(project)
    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    real = ChildProcess._launch

    def no_fork(self, cmd, env=None):
        if "eurokg._validate_worker" in cmd:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real(self, cmd, env)

    monkeypatch.setattr(ChildProcess, "_launch", no_fork)
    with pytest.warns(RuntimeWarning, match="validation process could not be started"), \
            pytest.raises(ValidationFailed) as info:
        build(project, run_reasoner=False)
    assert _found_in_turtle(info.value.report, "Violation")
    assert not _validation_folders(scratch)


def test_what_the_extraction_adds_is_validated_by_the_child(project, monkeypatch, scratch):
    """The child gets the named graphs the extraction makes (the facts the articles
    corroborate) with the rest: they are in what it is handed, and the report is the
    in-process one."""
    import importlib

    _on_the_store(project)
    first = build(project, run_reasoner=False)
    corroborated = set(first.claims.corroboration.asserted)
    assert corroborated  # the articles add facts
    monkeypatch.setattr(importlib.import_module("eurokg.build"), "BACKGROUND_VALIDATION_TRIPLES", 1)
    validation = importlib.import_module("eurokg.validate")
    real = validation.ValidationJob.__init__
    handed: list = []

    def handing(self, copy, other_triples, *args, **kwargs):
        handed.extend(other_triples)
        real(self, copy, iter(handed), *args, **kwargs)

    monkeypatch.setattr(validation.ValidationJob, "__init__", handing)
    with _child_did_the_work():
        second = build(project, run_reasoner=False)
    assert corroborated <= set(handed)
    assert second.report.findings == first.report.findings
