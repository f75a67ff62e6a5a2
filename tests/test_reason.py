"""eurokg.reason: HermiT in a child process — consistency, disjointness, time limit, what it is fed."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef

import eurokg
from eurokg import ValidationFailed
from eurokg.errors import InconsistentOntology, LimitExceeded
from eurokg.reason import ReasoningReport, check, reason, reasoner_input
from eurokg import vocab as V  # via the module: pytest probes module-level names (DefinedNamespace warns)

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")

PERSON_AS_SIGNATORY = (
    "@prefix ek: <https://w3id.org/eurokg/> .\n"
    "@prefix id: <https://w3id.org/eurokg/id/> .\n"
    "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
    "# ek:signatory has range ek:State, and ek:Person and ek:State are disjoint\n"
    "id:treaty-permanent-good-neighbourliness-2025 ek:signatory id:xi-jinping .\n"
)


@pytest.mark.slow
@needs_java
def test_the_shipped_data_is_consistent_with_no_unsatisfiable_classes(project):
    report = eurokg.reason(project, timeout_s=120)
    assert report.consistent is True
    assert report.unsatisfiable == []
    assert report.individuals > 100
    assert report.omitted_literals > 0  # date literals are kept from HermiT, and counted
    check(report)  # raises nothing
    assert "consistent: yes" in report.text()


@pytest.mark.slow
@needs_java
def test_a_person_as_treaty_signatory_is_inconsistent(project):
    (project.curated / "bad-signatory.ttl").write_text(PERSON_AS_SIGNATORY, encoding="utf-8")
    report = eurokg.reason(project, timeout_s=120)
    assert report.consistent is False
    assert "consistent: NO" in report.text()
    with pytest.raises(InconsistentOntology, match="inconsistent"):
        check(report)


PERSON_AND_STATE = (
    "@prefix ek: <https://w3id.org/eurokg/> .\n"
    "@prefix id: <https://w3id.org/eurokg/id/> .\n"
    "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "# passes every shape, but ek:capital has domain ek:State, so Xi would be a state,\n"
    "# and ek:Person and ek:State are disjoint: only the reasoner sees it\n"
    "id:xi-jinping ek:capital id:astana ; prov:wasDerivedFrom id:founding-article .\n"
)


DISJOINT_TYPES = (
    "@prefix ek: <https://w3id.org/eurokg/> .\n"
    "@prefix id: <https://w3id.org/eurokg/id/> .\n"
    "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "\n"
    'id:confused a ek:Person , ek:State ; rdfs:label "Confused"@en ; prov:wasDerivedFrom id:founding-article .\n'
)


def test_shacl_names_an_entity_typed_with_disjoint_classes(project):
    (project.curated / "confused.ttl").write_text(DISJOINT_TYPES, encoding="utf-8")
    report = eurokg.validate(project)
    violations = [f.line() for f in report.findings if f.severity == "Violation"]
    assert ("data/curated/confused.ttl:6: VIOLATION: id:confused: Typed both ek:Person and ek:State, "
            "which the ontology declares disjoint (nothing can be both).") in violations
    # (it also lacks the Wikidata id people and states need; nothing else is wrong with it)
    assert len(violations) == 2


def test_shacl_reports_a_person_as_signatory_before_the_reasoner_runs(project):
    (project.curated / "bad-signatory.ttl").write_text(PERSON_AS_SIGNATORY, encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        eurokg.build(project)
    assert any(f.path == "ek:signatory" and f.value == "id:xi-jinping" for f in info.value.report.findings)
    assert not (project.build_dir / "eurokg.ttl").exists()


def test_a_failed_validation_stops_the_reasoner_running_beside_it(project, monkeypatch, tmp_path):
    """HermiT starts in a child process before SHACL runs; when SHACL fails, the child is
    stopped (not waited for) and its files are removed."""
    import importlib
    import os
    import sys
    import time

    from eurokg.reason import ReasonerRun

    build_module = importlib.import_module("eurokg.build")  # eurokg.build is also the function

    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(slow))
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name)  # Java or not
    runs = []

    class Spy(ReasonerRun):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            runs.append((self._proc.pid, self._folder))

    monkeypatch.setattr(build_module, "ReasonerRun", Spy)
    (project.curated / "bad-signatory.ttl").write_text(PERSON_AS_SIGNATORY, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ValidationFailed):
        eurokg.build(project)
    assert time.monotonic() - started < 50  # not the child's 60 s
    ((pid, folder),) = runs
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not folder.exists()


def test_without_java_shacl_findings_still_come_first(project, monkeypatch):
    """The reasoner starts before validation, but a missing Java runtime is reported only
    when its result is wanted: invalid data still fails with SHACL's findings."""
    from eurokg.errors import ReasonerError

    monkeypatch.setattr(shutil, "which", lambda name: None)
    (project.curated / "bad-signatory.ttl").write_text(PERSON_AS_SIGNATORY, encoding="utf-8")
    with pytest.raises(ValidationFailed):
        eurokg.build(project)
    (project.curated / "bad-signatory.ttl").unlink()
    with pytest.raises(ReasonerError, match="needs Java"):
        eurokg.build(project)
    assert eurokg.build(project, run_reasoner=False).reasoning is None


@pytest.mark.slow
@needs_java
def test_the_build_stops_on_an_inconsistent_ontology_and_writes_nothing(project):
    (project.curated / "confused.ttl").write_text(PERSON_AND_STATE, encoding="utf-8")
    assert eurokg.validate(project).conforms  # SHACL alone does not see it
    with pytest.raises(InconsistentOntology):
        eurokg.build(project)
    assert not (project.build_dir / "eurokg.ttl").exists()


@needs_java
def test_reasoner_timeout_raises_limit_exceeded(project):
    ontology, dataset = eurokg.load(project)
    with pytest.raises(LimitExceeded, match=r"longer than 0.01 s"):
        reason(ontology.graph, eurokg.union_graph(dataset), timeout_s=0.01)


def test_limit_exceeded_has_its_own_exit_code():
    assert LimitExceeded.exit_code == 3


def test_check_reports_unsatisfiable_classes():
    with pytest.raises(InconsistentOntology, match="unsatisfiable classes: ek:Broken"):
        check(ReasoningReport(consistent=True, unsatisfiable=["ek:Broken"]))
    check(ReasoningReport(consistent=True))


def test_report_is_rendered_as_text_only():
    # the unused JSON form was removed; text() is what the build writes (reasoning.txt)
    assert not hasattr(ReasoningReport, "to_json")
    report = ReasoningReport(consistent=True, inferred_types={"id:x": ["ek:Treaty"]}, individuals=1)
    assert "inferred types: 1 on 1 individuals\n  id:x: ek:Treaty\n" in report.text()


def test_reasoner_input_drops_imports_and_date_literals():
    onto = Graph()
    onto.add((V.ONTOLOGY_IRI, V.RDF.type, V.OWL.Ontology))
    onto.add((V.ONTOLOGY_IRI, V.OWL.imports, URIRef("http://127.0.0.1:9/never-fetched.owl")))
    onto.add((V.EK.signingDate, V.RDFS.range, V.XSD.date))
    onto.add((V.EK.edition, V.RDFS.range, V.XSD.positiveInteger))
    data = Graph()
    t = V.ID["t"]
    data.add((t, V.RDF.type, V.EK.Treaty))
    data.add((t, V.EK.signingDate, Literal("2025-06-17", datatype=V.XSD.date)))
    data.add((t, V.EK.startDate, Literal("1990s", datatype=V.EK.Decade)))
    data.add((t, V.EK.edition, Literal("2", datatype=V.XSD.positiveInteger)))
    g, omitted = reasoner_input(onto, data)
    assert omitted == 2
    assert not list(g.triples((None, V.OWL.imports, None)))  # owlready2 would fetch it over HTTP
    assert (V.EK.signingDate, V.RDFS.range, V.XSD.date) not in g  # HermiT rejects xsd:date
    assert (V.EK.edition, V.RDFS.range, V.XSD.positiveInteger) in g
    assert (t, V.EK.edition, Literal("2", datatype=V.XSD.positiveInteger)) in g
    assert (t, V.RDF.type, V.OWL.NamedIndividual) in g


def test_the_worker_names_no_iri_itself():
    # owl:Thing comes from owlready2 (owlready2.Thing.iri), not from a string typed into the worker
    import ast
    import inspect

    import eurokg._reason_worker as worker

    strings = [n.value for n in ast.walk(ast.parse(inspect.getsource(worker))) if isinstance(n, ast.Constant)
               and isinstance(n.value, str)]
    assert [s for s in strings if "://" in s and s != "file://"] == []


@needs_java
def test_the_worker_reports_gained_types_but_not_owl_thing(tmp_path):
    import json
    import subprocess
    import sys

    g = Graph()
    x, y = V.ID["x"], V.ID["y"]
    g.add((V.EK.Treaty, V.RDF.type, V.OWL.Class))
    g.add((V.EK.signatory, V.RDF.type, V.OWL.ObjectProperty))
    g.add((V.EK.signatory, V.RDFS.domain, V.EK.Treaty))
    for ind in (x, y):
        g.add((ind, V.RDF.type, V.OWL.NamedIndividual))
    g.add((x, V.EK.signatory, y))  # HermiT infers x a Treaty from the domain
    src, dst = tmp_path / "in.nt", tmp_path / "out.json"
    src.write_text(g.serialize(format="nt"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "eurokg._reason_worker", str(src), str(dst)], check=True,
                   capture_output=True, timeout=120)
    result = json.loads(dst.read_text(encoding="utf-8"))
    assert result["consistent"] is True
    assert result["inferred"] == {str(x): [str(V.EK.Treaty)]}  # never owl:Thing, which every individual is
