"""The ontology is the single source of terms, and vocab.py the only place IRIs are spelled."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rdflib import URIRef

from eurokg import Ontology
from eurokg import vocab as V  # via the module: pytest probes module-level names (DefinedNamespace warns)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "eurokg"
MODULES = sorted(SRC.rglob("*.py"))

# EK.name or EK["name"] in code (not in comments or docstrings: those are read from the AST)
_TERM = re.compile(r"""\bEK(?:\.([A-Za-z_]\w*)|\[\s*(['"])([^'"]+)\2\s*\])""")


def ek_terms_used(path: Path) -> dict[str, list[int]]:
    """Every ``EK.<name>`` and ``EK["<name>"]`` in the code of ``path``, with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[str, list[int]] = {}
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "EK":
            name = node.attr
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "EK"
              and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            name = node.slice.value
        if name is not None:
            found.setdefault(name, []).append(node.lineno)
    return found


def regex_terms_in_code(path: Path) -> set[str]:
    """The same scan by regex over the source lines (comments and docstrings removed)."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            doc_lines.update(range(node.lineno, node.end_lineno + 1))
    names = set()
    for no, line in enumerate(text.splitlines(), start=1):
        if no in doc_lines:
            continue
        code = line.split("#", 1)[0]
        for m in _TERM.finditer(code):
            names.add(m.group(1) or m.group(3))
    return names


@pytest.fixture(scope="module")
def declared() -> set[str]:
    ontology = Ontology.load(ROOT / "ontology" / "eurokg.ttl")
    base = str(V.EK)
    names = {str(t)[len(base):] for t in ontology.terms}
    names |= {str(i)[len(base):] for i in ontology.individuals if str(i).startswith(base)}
    return names


def test_the_scan_finds_terms():
    used = {name for path in MODULES for name in ek_terms_used(path)}
    # a scan that finds nothing would pass vacuously
    assert {"Source", "Decade", "sheet", "exportColumn", "CurationRecord", "wikidataId"} <= used


def test_the_scanner_sees_code_but_not_prose(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Docs may say EK.name or EK["prose"]."""\n'
        "from eurokg.vocab import EK\n"
        "# EK.commented\n"
        "x = (EK.Bogus, EK['bogusTwo'], EK[variable])\n"
        "y = EK.Treaty  # EK.trailing\n",
        encoding="utf-8",
    )
    assert ek_terms_used(sample) == {"Bogus": [4], "bogusTwo": [4], "Treaty": [5]}
    assert regex_terms_in_code(sample) == {"Bogus", "bogusTwo", "Treaty"}


def test_ast_and_regex_scans_agree():
    for path in MODULES:
        assert set(ek_terms_used(path)) == regex_terms_in_code(path), path.relative_to(ROOT)


def test_declared_includes_classes_properties_individuals_and_datatypes(declared):
    assert {"Treaty", "signatory", "Signed", "Decade", "sheet", "exportColumn"} <= declared
    assert "" not in declared


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_ek_term_in_the_code_is_declared_in_the_ontology(path, declared):
    missing = {name: lines for name, lines in ek_terms_used(path).items() if name not in declared}
    assert not missing, f"{path.relative_to(ROOT)}: not declared in ontology/eurokg.ttl: {missing}"


@pytest.mark.parametrize("needle", ["https://w3id.org/eurokg", "http://www.wikidata.org"])
def test_only_vocab_spells_the_project_and_wikidata_iris(needle):
    offenders = [str(p.relative_to(ROOT)) for p in MODULES
                 if p.name != "vocab.py" and needle in p.read_text(encoding="utf-8")]
    assert offenders == []
    assert needle in (SRC / "vocab.py").read_text(encoding="utf-8")


def test_no_module_spells_a_wikidata_iri_fragment():
    offenders = [str(p.relative_to(ROOT)) for p in MODULES
                 if p.name != "vocab.py" and "wikidata.org" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_curie_and_expand_round_trip():
    assert V.curie(V.ID["kazakhstan"]) == "id:kazakhstan"  # longest namespace wins over ek:
    assert V.curie(V.EK.Treaty) == "ek:Treaty"
    assert V.curie(V.GRAPH["provenance"]) == "graph:provenance"
    assert V.curie("http://example.org/x") == "http://example.org/x"
    for text in ("id:kazakhstan", "ek:Treaty", "wd:Q232", "xsd:date"):
        assert V.curie(V.expand(text)) == text
    assert V.expand("<http://example.org/x>") == URIRef("http://example.org/x")
    with pytest.raises(ValueError, match="not a known CURIE"):
        V.expand("foo:bar")


# ------------------------------------------------------------------ ontology and shapes

def _ontology():
    from eurokg.ontology import Ontology

    return Ontology.load(ROOT / "ontology" / "eurokg.ttl")


def test_every_term_has_a_label_and_a_comment():
    from rdflib.namespace import RDFS

    onto = _ontology()
    missing = sorted(
        V.curie(t) for t in onto.terms
        if (t, RDFS.label, None) not in onto.graph or (t, RDFS.comment, None) not in onto.graph
    )
    assert missing == []


def test_ontology_header_has_a_version_iri():
    from rdflib.namespace import OWL, RDF

    onto = _ontology()
    assert (V.ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto.graph
    assert onto.graph.value(V.ONTOLOGY_IRI, OWL.versionIRI) is not None


def test_every_class_with_data_is_targeted_by_a_shape(built):
    """A node shape targets each class that has instances (or one of its superclasses)."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    _, result = built
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    targeted = set(shapes.objects(None, V.SH.targetClass))
    onto = result.ontology
    asserted = [g for g in result.dataset.graphs() if g.identifier not in (V.GRAPH["inferred"], V.GRAPH["ontology"])]
    with_data = {o for g in asserted for o in g.objects(None, RDF.type) if o in onto.classes}
    with_data.discard(V.EK.InferredGraph)  # typed by the build after validation, not curated
    assert V.EK.CurationRecord in with_data and V.EK.MultilateralTreaty in with_data
    untargeted = sorted(V.curie(c) for c in with_data if not (onto.superclasses(c) & targeted))
    assert untargeted == []


def test_every_shape_has_a_message():
    from rdflib import Graph
    from rdflib.namespace import RDF

    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    # property shapes and SPARQL constraints carry the message a researcher reads
    nodes = set(shapes.objects(None, V.SH.property)) | set(shapes.objects(None, V.SH.sparql))
    nodes |= set(shapes.subjects(RDF.type, V.SH.PropertyShape))
    silent = [n for n in nodes if (n, V.SH.message, None) not in shapes]
    assert silent == []
