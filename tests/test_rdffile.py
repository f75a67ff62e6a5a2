"""eurokg.sources.rdffile: RDF files in, positioned InputErrors out (never a parser's own exception)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from eurokg import Ontology, Project
from eurokg.errors import InputError
from eurokg.merge import merge
from eurokg.sources import curated_files, load_files, rdffile
from eurokg.sources.rdffile import iter_quads, parse_dataset_file, parse_rdf_file
from eurokg.sources.turtle import read_turtle
from eurokg import vocab as V  # via the module: pytest probes module-level names (DefinedNamespace warns)

PREFIXES = "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def curated(project: Project, name: str, content: str | bytes) -> tuple[Path, str]:
    path = project.curated / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path, project.relpath(path)


def parse_error(path: Path, shown: str) -> InputError:
    with pytest.raises(InputError) as info:
        list(iter_quads(path, display=shown))
    return info.value


# ------------------------------------------------------------- syntax errors

def test_rdflib_issue_3404_input_is_a_positioned_error(project):
    # rdflib raises IndexError on this (RDFLib/rdflib#3404): a statement cut off before its '.'
    path, shown = curated(project, "cut.ttl", '@prefix ex: <http://example.org/>. ex:Cat ex:hasName "Kitty"')
    err = parse_error(path, shown)
    assert (err.path, err.line, err.col) == ("data/curated/cut.ttl", 1, 61)
    assert str(err) == "data/curated/cut.ttl:1:61: Triples should be followed by a dot"


def test_missing_final_dot(project):
    path, shown = curated(project, "nodot.ttl", PREFIXES + "ex:a ex:b ex:c .\nex:d ex:e ex:f\n")
    err = parse_error(path, shown)
    assert err.path == "data/curated/nodot.ttl"
    assert err.line in (4, 5) and err.col is not None  # at or just after the unfinished statement
    assert str(err).startswith(f"data/curated/nodot.ttl:{err.line}:{err.col}: ")


def test_truncated_string_literal(project):
    path, shown = curated(project, "trunc.ttl", PREFIXES + 'ex:a ex:b "never closed\n')
    err = parse_error(path, shown)
    assert (err.line, err.col) == (3, 11)
    assert str(err) == "data/curated/trunc.ttl:3:11: Unexpected end of file"


def test_bad_iri(project):
    path, shown = curated(project, "iri.ttl", PREFIXES + "ex:a ex:b <http://example.org/has space> .\n")
    err = parse_error(path, shown)
    assert err.line == 3 and err.col is not None
    assert "Invalid IRI" in err.message


def test_unknown_prefix_names_the_prefix_and_the_declared_ones(project):
    path, shown = curated(project, "prefix.ttl", PREFIXES + "ex:a ex:b foo:bar .\n")
    err = parse_error(path, shown)
    assert (err.path, err.line, err.col) == ("data/curated/prefix.ttl", 3, 11)
    assert "foo:" in err.message
    assert str(err) == "data/curated/prefix.ttl:3:11: The prefix foo: has not been declared (declared: ex:, xsd:)"


def test_column_counts_characters(project):
    path, shown = curated(project, "wide.ttl", PREFIXES + 'ex:a ex:b "Жж" ; foo:x 1 .\n')
    err = parse_error(path, shown)
    assert (err.line, err.col) == (3, 18)


def test_latin1_byte_is_located(project):
    path, shown = curated(project, "latin1.ttl", (PREFIXES + 'ex:a ex:b "Caf\xe9" .\n').encode("latin-1"))
    err = parse_error(path, shown)
    assert (err.path, err.line, err.col) == ("data/curated/latin1.ttl", 3, 15)
    assert "UTF-8" in err.message


def test_latin1_byte_in_a_comment_is_located_with_its_offset(project):
    """The parser skips comments without decoding them; the file must still be UTF-8."""
    text = PREFIXES + "# caf\xe9 au lait\nex:a ex:b 1 .\n"
    path, shown = curated(project, "comment.ttl", text.encode("latin-1"))
    err = parse_error(path, shown)
    assert (err.path, err.line, err.col) == ("data/curated/comment.ttl", 3, 6)
    assert f"offset {text.index(chr(0xe9))}" in err.message and "0xe9" in err.message


def test_a_term_too_large_for_the_parser_is_an_input_error(project):
    path, shown = curated(project, "huge.ttl", PREFIXES + 'ex:a ex:b "' + "x" * 17_000_000 + '" .\n')
    err = parse_error(path, shown)
    assert err.path == "data/curated/huge.ttl" and "too large" in err.message


def test_a_literal_over_the_literal_limit_is_refused_with_its_entity(project):
    """Just over MAX_LITERAL_CHARS: refused, naming the subject and predicate; just at it: read."""
    from eurokg.sources.rdffile import MAX_LITERAL_CHARS, iter_quads

    path, shown = curated(project, "long.ttl", PREFIXES + 'ex:a ex:b "' + "x" * (MAX_LITERAL_CHARS + 1) + '" .\n')
    err = parse_error(path, shown)
    assert err.path == "data/curated/long.ttl"
    assert f"a literal of {MAX_LITERAL_CHARS + 1} characters" in err.message
    assert "<http://example.org/b> on <http://example.org/a>" in err.message
    path, shown = curated(project, "fits.ttl", PREFIXES + 'ex:a ex:b "' + "\u00e9" * MAX_LITERAL_CHARS + '" .\n')
    [(_, _, o, _)] = list(iter_quads(path, display=shown))
    assert len(o) == MAX_LITERAL_CHARS  # characters, not bytes (é is two bytes in UTF-8)


def test_syntax_error_surfaces_through_the_curated_reader(project):
    path, shown = curated(project, "cut.ttl", '@prefix ex: <http://example.org/>. ex:Cat ex:hasName "Kitty"')
    ontology = Ontology.load(project.ontology)
    with pytest.raises(InputError) as info:
        load_files(curated_files(project.curated), ontology, display=project.relpath)
    assert str(info.value).startswith("data/curated/cut.ttl:1:61: ")


# ---------------------------------------------------------- what gets through

def test_plain_strings_compare_equal_to_rdflib_plain_literals(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(PREFIXES + 'ex:a ex:b "plain", "tagged"@kk, "5"^^xsd:decimal .\n', encoding="utf-8")
    g = parse_rdf_file(path)
    a, b = URIRef("http://example.org/a"), URIRef("http://example.org/b")
    assert (a, b, Literal("plain")) in g  # not "plain"^^xsd:string
    assert (a, b, Literal("tagged", lang="kk")) in g
    assert (a, b, Literal("5", datatype=V.XSD.decimal)) in g
    assert len(g) == 3


def test_trig_keeps_named_graphs(tmp_path):
    path = tmp_path / "x.trig"
    path.write_text("<http://e/g> { <http://e/a> <http://e/b> <http://e/c> . }\n<http://e/d> <http://e/e> 1 .\n")
    ds = parse_dataset_file(path)
    assert (URIRef("http://e/a"), URIRef("http://e/b"), URIRef("http://e/c")) in ds.graph(URIRef("http://e/g"))
    assert len(ds.graph(URIRef("http://e/g"))) == 1
    by_graph = {}
    for *_, g in ds.quads((None, None, None, None)):
        gid = getattr(g, "identifier", g)
        by_graph[gid] = by_graph.get(gid, 0) + 1
    assert by_graph == {URIRef("http://e/g"): 1, DATASET_DEFAULT_GRAPH_ID: 1}


def test_named_graph_in_a_plain_rdf_file_is_refused(tmp_path):
    path = tmp_path / "x.trig"
    path.write_text("<http://e/g> { <http://e/a> <http://e/b> <http://e/c> . }\n")
    with pytest.raises(InputError, match="named graph"):
        parse_rdf_file(path)


def test_curated_turtle_may_not_hold_named_graphs(project):
    # the reader takes .ttl only, but a Turtle file cannot hold graphs: a .trig renamed .ttl is a syntax error
    path, shown = curated(project, "graphs.ttl", "<http://e/g> { <http://e/a> <http://e/b> <http://e/c> . }\n")
    with pytest.raises(InputError) as info:
        read_turtle(path, None, display=shown)
    assert info.value.path == "data/curated/graphs.ttl" and info.value.line == 1


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(iter_quads(tmp_path / "absent.ttl"))
    other = tmp_path / "x.rdf"
    other.write_text("<rdf:RDF/>")
    with pytest.raises(InputError, match="unsupported RDF file type '.rdf'"):
        list(iter_quads(other))


# ---------------------------------------------------------- ill-typed literals

def test_ill_typed_literal_in_curated_turtle_is_refused_at_merge(project, caplog):
    path, shown = curated(
        project, "bad-value.ttl",
        "@prefix ek: <https://w3id.org/eurokg/> .\n@prefix id: <https://w3id.org/eurokg/id/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'id:china-central-asia-trade-2025-jan-may ek:changePercent "abc"^^xsd:decimal .\n',
    )
    ontology = Ontology.load(project.ontology)
    caplog.set_level(logging.DEBUG)
    contributions = load_files(curated_files(project.curated), ontology, display=project.relpath)  # parses fine
    with pytest.raises(InputError) as info:
        merge(contributions)
    err = info.value
    assert err.path == "data/curated/bad-value.ttl"
    assert str(err) == ('data/curated/bad-value.ttl:4: "abc" is not a valid xsd:decimal '
                        '(value of ek:changePercent on id:china-central-asia-trade-2025-jan-may)')
    # eurokg reports it; rdflib's own logged traceback is kept out of the user's terminal
    assert not [r for r in caplog.records if "Failed to convert Literal" in r.getMessage()]


# ------------------------------------------------------------------ size limit

def test_oversize_file_is_refused_before_parsing(project, monkeypatch):
    from eurokg.limits import Limits, applied

    path, shown = curated(project, "big.ttl", PREFIXES + "ex:a ex:b ex:c .\n" * 20)
    size = path.stat().st_size

    def no_parse(*args, **kwargs):
        raise AssertionError("the parser must not be called for an oversize file")

    monkeypatch.setattr(rdffile.ox, "parse", no_parse)
    with applied(Limits(max_input_bytes=size - 1)), pytest.raises(InputError) as info:
        read_turtle(path, None, display=shown)
    assert str(info.value) == f"data/curated/big.ttl: file is {size} bytes, over the {size - 1}-byte input limit"


def test_file_at_the_limit_is_read(tmp_path):
    from eurokg.limits import Limits, applied

    path = tmp_path / "ok.ttl"
    path.write_text(PREFIXES + "ex:a ex:b ex:c .\n", encoding="utf-8")
    with applied(Limits(max_input_bytes=path.stat().st_size)):
        assert len(list(iter_quads(path))) == 1
    assert len(list(iter_quads(path))) == 1  # the default again outside the block
