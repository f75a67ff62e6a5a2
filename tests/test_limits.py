"""Limits are settings: `[tool.eurokg.limits]` in the project's pyproject.toml, checked, and
honoured by every command that reads input or runs queries."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from eurokg.cli import main
from eurokg.errors import InputError
from eurokg.limits import Limits, applied, current


def run(project, *args):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def settings(project, text: str) -> None:
    (project.root / "pyproject.toml").write_text("[tool.eurokg.limits]\n" + text, encoding="utf-8")


@pytest.mark.parametrize("text, message", [
    ("max-input-byte = 5\n", "has no setting 'max-input-byte' (known: max-article-bytes, max-input-bytes,"),
    ("max-input-bytes = -5\n", "max-input-bytes must be a whole number above 0 and at most 1,099,511,627,776, not -5"),
    ("max-input-bytes = 0\n", "max-input-bytes must be a whole number above 0"),
    ("max-input-bytes = 2.5\n", "max-input-bytes must be a whole number above 0"),
    ("max-literal-chars = 9223372036854775807\n", "max-literal-chars must be a whole number above 0 and at most"),
    ("max-rows = true\n", "max-rows must be a whole number above 0 and at most 1,099,511,627,776, not True"),
    ('query-timeout-s = "10"\n', "query-timeout-s must be a number above 0 and at most 1,000,000.0, not '10'"),
    ("query-timeout-s = inf\n", "query-timeout-s must be a number above 0 and at most 1,000,000.0, not inf"),
    ("query-timeout-s = nan\n", "query-timeout-s must be a number above 0 and at most 1,000,000.0, not nan"),
    ("query-timeout-s = 1e300\n", "query-timeout-s must be a number above 0 and at most 1,000,000.0, not 1e+300"),
])
def test_a_bad_setting_names_the_file_and_the_setting(project, text, message):
    settings(project, text)
    result = run(project, "validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: pyproject.toml: [tool.eurokg.limits] ") and message in result.stderr


def test_a_table_is_needed(project):
    (project.root / "pyproject.toml").write_text("[tool.eurokg]\nlimits = 5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[tool.eurokg\] limits must be dict, not 5"):
        project.limits()
    with pytest.raises(InputError, match=r"\[tool.eurokg.limits\] must be a table, not 5"):
        Limits.from_settings(5, "pyproject.toml")


def test_settings_give_the_limits_and_the_rest_stay_default(project):
    settings(project, "max-input-bytes = 1000\nquery-timeout-s = 5\n")
    limits = project.limits()
    assert limits == Limits(max_input_bytes=1000, query_timeout_s=5.0)
    assert isinstance(limits.query_timeout_s, float)


def test_applied_limits_end_with_their_block():
    assert current() == Limits()
    with applied(Limits(max_rows=3)):
        assert current().max_rows == 3
        with applied(Limits(max_rows=4)):
            assert current().max_rows == 4
        assert current().max_rows == 3
    assert current() == Limits()


def test_the_build_honours_max_input_bytes(project):
    """A curated RDF file over the project's limit stops the build, naming file and limit;
    nothing is written."""
    limit = max(p.stat().st_size for p in [*project.ontology.parent.glob("*.ttl"), *project.curated.glob("*.ttl")])
    settings(project, f"max-input-bytes = {limit}\n")
    assert run(project, "build", "--no-reason", "-q").exit_code == 0  # every file at or under it
    before = (project.build_dir / "manifest.json").read_bytes()
    (project.curated / "big.ttl").write_text("# " + "x" * (limit - 2) + "\n", encoding="utf-8")  # one byte over
    result = run(project, "build", "--no-reason", "-q", "--force")
    assert result.exit_code == 1
    assert f"data/curated/big.ttl: file is {limit + 1} bytes, over the {limit}-byte input limit" in result.stderr
    assert (project.build_dir / "manifest.json").read_bytes() == before  # the last build stands


def test_a_raised_literal_limit_admits_a_long_literal(project):
    """A 200,000-character comment is refused by default and read once the project allows it."""
    (project.curated / "notes.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "<https://w3id.org/eurokg/id/kazakhstan> rdfs:comment \"" + "long notes " * 20_000 + "\" ;\n"
        "    prov:wasDerivedFrom <https://w3id.org/eurokg/id/founding-article> .\n", encoding="utf-8")
    refused = run(project, "validate")
    assert refused.exit_code == 1 and "data/curated/notes.ttl: a literal of 220000 characters" in refused.stderr
    assert "over the 131072-character limit" in refused.stderr
    settings(project, "max-literal-chars = 250000\n")
    accepted = run(project, "validate")
    assert accepted.exit_code == 0, accepted.output


def test_extract_honours_max_article_bytes(project):
    article = sorted(project.articles.glob("*.md"))[0]
    settings(project, "max-article-bytes = 1000\n")
    result = run(project, "extract", str(article))
    assert result.exit_code == 1
    assert f"file is {article.stat().st_size} bytes, over the 1000-byte limit" in result.stderr


def test_query_limits_come_from_the_settings_unless_given(project, tmp_path):
    data = tmp_path / "g.trig"
    data.write_text("<https://e.org/g> { " + " ".join(f"<https://e.org/s{i}> <https://e.org/p> {i} ." for i in range(5))
                    + " }\n", encoding="utf-8")
    ask = ["query", "--data", str(data), "-e", "SELECT ?s WHERE { ?s ?p ?o }"]
    assert run(project, *ask).exit_code == 0  # 5 rows, under the default 10,000
    settings(project, "max-rows = 2\n")
    capped = run(project, *ask)
    assert capped.exit_code == 3 and "more than 2 rows" in capped.stderr
    assert run(project, *ask, "--max-rows", "10").exit_code == 0


def test_the_api_takes_query_limits_from_the_project(project, tmp_path):
    import eurokg

    data = tmp_path / "g.trig"
    data.write_text("<https://e.org/g> { " + " ".join(f"<https://e.org/s{i}> <https://e.org/p> {i} ." for i in range(5))
                    + " }\n", encoding="utf-8")
    settings(project, "max-rows = 2\n")
    result = eurokg.query_build(project, text="SELECT ?s WHERE { ?s ?p ?o }", data=data)
    assert result.truncated and len(result.rows) == 2
    assert not eurokg.query_build(project, text="SELECT ?s WHERE { ?s ?p ?o }", data=data, max_rows=10).truncated
    assert not eurokg.query_build(text="SELECT ?s WHERE { ?s ?p ?o }", data=data).truncated  # no project: defaults


def test_what_a_raised_literal_limit_built_can_be_queried_and_counted(project):
    """The build read a long literal under the project's limit, then `query` and `stats`
    re-read build/eurokg.trig under the defaults and refused the project's own output."""
    (project.curated / "notes.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "<https://w3id.org/eurokg/id/kazakhstan> rdfs:comment \"" + "long notes " * 20_000 + "\" ;\n"
        "    prov:wasDerivedFrom <https://w3id.org/eurokg/id/founding-article> .\n", encoding="utf-8")
    settings(project, "max-literal-chars = 250000\n")
    assert run(project, "build", "--no-reason", "-q").exit_code == 0
    asked = run(project, "query", "-e", "SELECT (STRLEN(?c) AS ?n) WHERE { ?s rdfs:comment ?c FILTER(STRLEN(?c) > 1000) }")
    assert asked.exit_code == 0 and "220000" in asked.stdout, asked.output
    assert run(project, "stats").exit_code == 0


def test_the_builds_own_output_has_no_size_cap(project):
    """Each input file is under max-input-bytes; the build's TriG holds them all at once and may
    be larger, and is still read back."""
    settings(project, "max-input-bytes = 60000\n")  # over every shipped file, under the built TriG
    assert run(project, "build", "--no-reason", "-q").exit_code == 0
    assert (project.build_dir / "eurokg.trig").stat().st_size > 60_000
    assert run(project, "query", "-e", "SELECT ?s WHERE { ?s a ek:State }").exit_code == 0
    refused = run(project, "query", "--data", str(project.build_dir / "eurokg.trig"), "-e", "ASK {}")
    assert refused.exit_code == 1 and "over the 60000-byte input limit" in refused.stderr  # a file given by hand


def test_a_long_gazetteer_cell_is_located(project):
    """The gazetteer's cells obey max-literal-chars too; a cell over the csv module's own cap
    crashed `eurokg link` with a raw csv.Error."""
    names = project.gazetteer / "names.csv"
    text = names.read_text(encoding="utf-8")
    lines = text.splitlines()
    names.write_text(text + "astana," + "A" * 200_000 + ",en,,,\n", encoding="utf-8")
    refused = run(project, "link", "Astana")
    assert refused.exit_code == 1
    assert f"data/gazetteer/names.csv:{len(lines) + 1}:2: a cell of 200000 characters is over the 131072" in refused.stderr
    settings(project, "max-literal-chars = 250000\n")
    assert run(project, "link", "Astana").exit_code == 0


def test_a_long_review_cell_is_located(project):
    """The review file's cells obey max-literal-chars as the gazetteer's do."""
    from eurokg.link.linker import REVIEW_COLUMNS

    review = project.gazetteer / "review.csv"
    cells = ["A" * 200_000 if n == 0 else "" for n in range(len(REVIEW_COLUMNS))]
    review.write_text(",".join(REVIEW_COLUMNS) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    refused = run(project, "link", "Astana")
    assert refused.exit_code == 1
    assert "data/gazetteer/review.csv:2:1: a cell of 200000 characters is over the 131072" in refused.stderr
