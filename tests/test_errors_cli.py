"""Bad input through ``eurokg build``: exit 1, a located one-line message, and nothing written.

Click >= 8.2's CliRunner keeps stderr apart: ``result.stderr`` holds the error
messages, ``result.stdout`` the normal output, ``result.output`` both.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import eurokg.cli
from eurokg import Project

OLD_OUTPUTS = {
    "eurokg.ttl": b"# the previous build's Turtle\n",
    "eurokg.graphml": b"<graphml/>\n",
    "manifest.json": b'{"files": {}}\n',
}

TTL_HEADER = (
    "@prefix ek:   <https://w3id.org/eurokg/> .\n"
    "@prefix id:   <https://w3id.org/eurokg/id/> .\n"
    "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
    "@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .\n"
)


def build(project: Project, *extra: str):
    runner = CliRunner()
    return runner.invoke(eurokg.cli.main, ["--project", str(project.root), "build", "-q", *extra],
                         catch_exceptions=False)


def snapshot(project: Project) -> dict[str, bytes]:
    folder = project.build_dir
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def seeded(project: Project) -> Project:
    """The project with a previous build's outputs in build/ (which a failed build must leave alone)."""
    project.build_dir.mkdir()
    for name, data in OLD_OUTPUTS.items():
        (project.build_dir / name).write_bytes(data)
    return project


def assert_nothing_written(project: Project) -> None:
    after = snapshot(project)
    assert after == OLD_OUTPUTS, f"build/ changed: {sorted(after)}"
    assert not list(project.build_dir.glob("*.tmp")) and not list(project.build_dir.glob(".*.tmp"))


def append(path, text: str) -> int:
    """Append ``text`` to ``path``; return the line number its first line gets."""
    old = path.read_text(encoding="utf-8")
    assert old.endswith("\n")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


# -------------------------------------------------------------- the control

def test_control_the_shipped_data_builds_and_writes(project):
    result = build(project, "--no-reason")
    assert result.exit_code == 0, result.output
    assert "validation conforms" in result.stdout
    assert (project.build_dir / "eurokg.ttl").stat().st_size > 1000
    assert not list(project.build_dir.glob("*.tmp")) and not list(project.build_dir.glob(".*.tmp"))


# ---------------------------------------------------------- syntax and sheets

def test_malformed_turtle_is_located_and_nothing_is_written(seeded):
    (seeded.curated / "broken.ttl").write_text(
        '@prefix ex: <http://example.org/>. ex:Cat ex:hasName "Kitty"', encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert "error: data/curated/broken.ttl:1:61: Triples should be followed by a dot" in result.stderr
    assert "Traceback" not in result.output
    assert "wrote" not in result.stdout
    assert_nothing_written(seeded)


def test_turtle_missing_a_dot_mid_file(seeded):
    (seeded.curated / "extra.ttl").write_text(
        TTL_HEADER + "id:kazakhstan ek:isoCode \"KAZ\"\nid:china ek:isoCode \"CHN\" .\n", encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert "data/curated/extra.ttl:6:" in result.stderr
    assert_nothing_written(seeded)


def test_bad_csv_row_is_located_and_nothing_is_written(seeded):
    line = append(seeded.curated / "offices.csv",
                  "office-new,xi-jinping,china,President,2025-02-30,,,wp-xi-jinping\n")
    result = build(seeded)
    assert result.exit_code == 1
    assert (f"error: data/curated/offices.csv:{line}:5: column \"startDate\": "
            "'2025-02-30' is not a date (expected YYYY-MM-DD)") in result.stderr
    assert_nothing_written(seeded)


def test_unknown_entity_in_a_csv_cell(seeded):
    line = append(seeded.curated / "cities.csv", "almaty,Almaty,,,true,kazakstan,central-asia,,wikidata\n")
    result = build(seeded)
    assert result.exit_code == 1
    assert f'data/curated/cities.csv:{line}:6: unknown entity "kazakstan" — did you mean kazakhstan?' in result.stderr
    assert_nothing_written(seeded)


def test_unknown_prefix_is_named(seeded):
    (seeded.curated / "prefixed.ttl").write_text(
        TTL_HEADER + "id:kazakhstan dbo:capital id:astana .\n", encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert "data/curated/prefixed.ttl:5:15: The prefix dbo: has not been declared" in result.stderr
    assert_nothing_written(seeded)


def test_non_utf8_sheet(seeded):
    path = seeded.curated / "topics.csv"
    data = path.read_bytes()
    line = data.count(b"\n") + 1
    path.write_bytes(data + b"caf\xe9,,caf\xe9,,founding-article\n")
    result = build(seeded)
    assert result.exit_code == 1
    assert f"data/curated/topics.csv:{line}:4: not valid UTF-8: byte 0xe9" in result.stderr
    assert_nothing_written(seeded)


# ------------------------------------------------ well-formed but wrong: SHACL

BAD_TRADE = TTL_HEADER + """
id:bad-trade a ek:TradeRelation ;
    ek:reporter id:china ;
    ek:partner id:kazakhstan ;
    ek:tradeValue "12" ;
    ek:periodStart "2025-01-01"^^xsd:date ;
    ek:periodEnd "2025-05-31"^^xsd:date ;
    ek:currency id:cny ;
    prov:wasDerivedFrom id:founding-article .
"""
TRADE_MESSAGE = "A trade value is one non-negative xsd:decimal (e.g. 286420000000)."


def test_plain_string_trade_value_fails_shacl_with_the_shapes_message(seeded):
    (seeded.curated / "bad-trade.ttl").write_text(BAD_TRADE, encoding="utf-8")
    result = build(seeded, "--no-reason")
    assert result.exit_code == 1
    assert "validation does not conform" in result.stderr
    assert f"VIOLATION: id:bad-trade ek:tradeValue: {TRADE_MESSAGE} (value: 12)" in result.stderr
    assert_nothing_written(seeded)


def test_plain_string_trade_value_fails_the_full_build(seeded):
    (seeded.curated / "bad-trade.ttl").write_text(BAD_TRADE, encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert "error:" in result.stderr or "VIOLATION" in result.stderr
    assert_nothing_written(seeded)


def test_plain_string_trade_value_shows_the_shapes_message_with_the_reasoner_on(seeded):
    (seeded.curated / "bad-trade.ttl").write_text(BAD_TRADE, encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert TRADE_MESSAGE in result.stderr


def test_negative_amount_fails_shacl(seeded):
    path = seeded.curated / "pledges.csv"
    text = path.read_text(encoding="utf-8")
    assert ",1500000000,cny," in text
    path.write_text(text.replace(",1500000000,cny,", ",-1500000000,cny,"), encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert ("VIOLATION: id:china-central-asia-grant-2025 ek:amount: A pledge's amount is one non-negative "
            "xsd:decimal in full units (1.5 billion is 1500000000). (value: -1500000000)") in result.stderr
    assert_nothing_written(seeded)


def test_treaty_signed_before_the_signers_office_started(seeded):
    path = seeded.curated / "offices.csv"
    text = path.read_text(encoding="utf-8")
    assert "office-xi-jinping-president,xi-jinping,china,President of the People's Republic of China,2013-03-14," in text
    path.write_text(text.replace("China,2013-03-14,", "China,2026-01-01,"), encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert ("VIOLATION: id:treaty-permanent-good-neighbourliness-2025: Signed on 2025-06-17 by Xi Jinping, "
            "who took office only on 2026-01-01 (and held no earlier office then).") in result.stderr
    assert_nothing_written(seeded)


def test_failure_leaves_an_empty_project_without_build_folder(project):
    (project.curated / "broken.ttl").write_text("<http://e/a> <http://e/b> .\n", encoding="utf-8")
    result = build(project)
    assert result.exit_code == 1
    assert "data/curated/broken.ttl:1:" in result.stderr
    assert not project.build_dir.exists() or not [p for p in project.build_dir.iterdir() if p.name != ".lock"]


@pytest.mark.parametrize("broken,needle", [
    # an unclosed FILTER in a SPARQL constraint
    ('SELECT $this ?state WHERE { $this ek:bypasses ?state ; ek:passesThrough ?state . }',
     'SELECT $this ?state WHERE { $this ek:bypasses ?state ; ek:passesThrough ?state . FILTER ( }'),
    # a count that is not a number
    ('sh:path ek:connects ; sh:minCount 2 ;', 'sh:path ek:connects ; sh:minCount "two" ;'),
])
def test_broken_shapes_are_reported_without_a_traceback(seeded, broken, needle):
    shapes = seeded.root / "ontology" / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    assert broken in text
    shapes.write_text(text.replace(broken, needle), encoding="utf-8")
    result = build(seeded)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ontology/shapes.ttl: the shapes cannot be used: ")
    assert "Traceback" not in result.stderr
    assert_nothing_written(seeded)
