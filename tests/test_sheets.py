"""eurokg.sources.sheets.read_sheet: rows -> contributions, and every error as ``file:line:col: message``."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from eurokg import Ontology, Project
from eurokg.errors import InputError
from eurokg.merge import check_contributions
from eurokg.sources import Reference, curated_files, load_files
from eurokg.sources.sheets import read_sheet
from eurokg import vocab as V  # via the module: pytest probes module-level names (DefinedNamespace warns)


@pytest.fixture
def ontology(project: Project) -> Ontology:
    return Ontology.load(project.ontology)


def write_sheet(project: Project, name: str, content: str | bytes) -> Path:
    path = project.curated / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def read(project: Project, ontology: Ontology, name: str, content: str | bytes):
    path = write_sheet(project, name, content)
    return read_sheet(path, ontology, display=project.relpath(path))


def error(project: Project, ontology: Ontology, name: str, content: str | bytes) -> str:
    with pytest.raises(InputError) as info:
        read(project, ontology, name, content)
    return str(info.value)


# ------------------------------------------------------------------ valid rows

def test_valid_row_gives_its_triples_in_its_own_named_graph(project, ontology):
    contributions = read(
        project, ontology, "people.csv",
        "id,label,label@kk,altLabel,wikidata,source\n"
        "new-person,New Person,Жаңа адам,NP|N. P.@fr,Q42,wikidata|founding-article\n",
    )
    assert len(contributions) == 1
    c = contributions[0]
    s = V.ID["new-person"]
    assert c.graph == V.GRAPH["curated/people/new-person"]
    assert c.file == "data/curated/people.csv"
    assert c.row == 2
    assert c.defines == (s,)
    assert c.sources == (V.ID["wikidata"], V.ID["founding-article"])
    assert set(c.triples) == {
        (s, V.RDF.type, V.EK.Person),
        (s, V.RDFS.label, Literal("New Person", lang="en")),
        (s, V.RDFS.label, Literal("Жаңа адам", lang="kk")),
        (s, V.SKOS.altLabel, Literal("NP", lang="en")),
        (s, V.SKOS.altLabel, Literal("N. P.", lang="fr")),
        (s, V.EK.wikidataId, Literal("Q42")),
        (s, V.SKOS.exactMatch, V.WD["Q42"]),
        (s, V.PROV.wasDerivedFrom, V.ID["wikidata"]),
        (s, V.PROV.wasDerivedFrom, V.ID["founding-article"]),
    }
    assert len(c.triples) == 9


def test_typed_columns_and_entity_references(project, ontology):
    (c,) = read(
        project, ontology, "offices.csv",
        "id,holder,officeOf,title,startDate,endDate,source\n"
        "office-x,xi-jinping,china,President@en,2013-03,,wp-xi-jinping\n",
    )
    s = V.ID["office-x"]
    assert (s, V.RDF.type, V.EK.Office) in c.triples
    assert (s, V.EK.holder, V.ID["xi-jinping"]) in c.triples
    assert (s, V.EK.officeOf, V.ID["china"]) in c.triples
    assert (s, V.EK.title, Literal("President", lang="en")) in c.triples
    assert (s, V.EK.startDate, Literal("2013-03", datatype=V.XSD.gYearMonth)) in c.triples
    assert not any(p == V.EK.endDate for _, p, _ in c.triples)  # blank cell: no triple
    shown = "data/curated/offices.csv"
    assert Reference(V.ID["xi-jinping"], shown, 2, 2) in c.references
    assert Reference(V.ID["china"], shown, 2, 3) in c.references
    assert Reference(V.ID["wp-xi-jinping"], shown, 2, 7) in c.references


def test_type_column_picks_a_subclass_and_individuals_resolve(project, ontology):
    (c,) = read(
        project, ontology, "treaties.csv",
        "id,type,label,signatory,signingDate,treatyStatus,source\n"
        "t1,BilateralTreaty,T1,china|kazakhstan,2025-06-17,Signed,founding-article\n",
    )
    s = V.ID["t1"]
    assert (s, V.RDF.type, V.EK.BilateralTreaty) in c.triples
    assert (s, V.RDF.type, V.EK.Treaty) not in c.triples
    assert (s, V.EK.treatyStatus, V.EK.Signed) in c.triples  # an ontology individual, not id:Signed
    assert (s, V.EK.signingDate, Literal("2025-06-17", datatype=V.XSD.date)) in c.triples
    assert {o for _, p, o in c.triples if p == V.EK.signatory} == {V.ID["china"], V.ID["kazakhstan"]}


def test_columns_locate_every_property_the_row_gives_values_for(project, ontology):
    (c,) = read(
        project, ontology, "people.csv",
        "id,label,label@kk,altLabel,wikidata,source\n"
        "new-person,New Person,Жаңа адам,NP,Q42,wikidata\n",
    )
    assert c.columns == {
        V.RDFS.label: 2,  # label and label@kk: the first column giving rdfs:label
        V.SKOS.altLabel: 4,
        V.EK.wikidataId: 5,
        V.SKOS.exactMatch: 5,  # one wikidata cell gives both
        V.PROV.wasDerivedFrom: 6,
    }  # id gives no property; rdf:type comes from the sheet, not from a column
    assert c.lines == {V.ID["new-person"]: 2}


def test_columns_of_type_and_ontology_properties(project, ontology):
    contributions = read(
        project, ontology, "treaties.csv",
        "# a comment line\n"
        "id,type,label,signatory,signingDate,treatyStatus,source\n"
        "t1,BilateralTreaty,T1,china|kazakhstan,2025-06-17,,founding-article\n"
        "t2,,T2,,,Signed,founding-article\n",
    )
    t1, t2 = contributions
    assert t1.columns == {
        V.RDF.type: 2, V.RDFS.label: 3, V.EK.signatory: 4, V.EK.signingDate: 5, V.PROV.wasDerivedFrom: 7,
    }
    assert t1.lines == {V.ID["t1"]: 3}
    # blank cells give no values, so no columns: only what this row says is located
    assert t2.columns == {V.RDFS.label: 3, V.EK.treatyStatus: 6, V.PROV.wasDerivedFrom: 7}
    assert t2.lines == {V.ID["t2"]: 4}


def test_a_special_column_is_one_registry_entry(project, ontology, monkeypatch):
    from eurokg.sources import sheets

    def comment(row, column, raw):
        if raw == "bad":
            raise ValueError("not a comment")
        row.add(V.RDFS.comment, Literal(raw), column)

    monkeypatch.setitem(sheets.SPECIAL_COLUMNS, "comment", comment)
    (c,) = read(project, ontology, "people.csv", "id,comment,source\nab,hello,wikidata\n")
    assert (V.ID["ab"], V.RDFS.comment, Literal("hello")) in c.triples
    assert c.columns[V.RDFS.comment] == 2
    # a handler's ValueError is located like any other cell error
    assert error(project, ontology, "people.csv", "id,comment,source\nab,bad,wikidata\n") == (
        'data/curated/people.csv:2:2: column "comment": not a comment'
    )


def test_the_shipped_sheets_all_read(project, ontology):
    contributions = load_files(curated_files(project.curated), ontology, display=project.relpath)
    assert len(contributions) > 50
    check_contributions(contributions)  # no unknown entity, duplicate or ill-typed literal


# ---------------------------------------------------------------- header errors

def test_unknown_column_with_did_you_mean(project, ontology):
    assert error(project, ontology, "people.csv", "id,labl,source\nx,X,wikidata\n") == (
        'data/curated/people.csv:1:2: unknown column "labl": not a property of the ontology — did you mean label?'
    )


def test_unknown_column_suggests_a_property(project, ontology):
    msg = error(project, ontology, "offices.csv", "id,holder,startdate,source\no,xi-jinping,2020,w\n")
    assert msg == ('data/curated/offices.csv:1:3: unknown column "startdate": '
                   "not a property of the ontology — did you mean startDate?")


def test_column_of_another_class_is_refused(project, ontology):
    msg = error(project, ontology, "people.csv", "id,label,signingDate,source\nx,X,2025-01-01,wikidata\n")
    assert msg == ('data/curated/people.csv:1:3: column "signingDate": property signingDate '
                   "applies to treaty, not to person")


def test_missing_source_column(project, ontology):
    assert error(project, ontology, "people.csv", "id,label\nx,X\n") == (
        'data/curated/people.csv:1: missing column "source" (every fact needs its source)'
    )


def test_unknown_sheet_name_with_did_you_mean(project, ontology):
    msg = error(project, ontology, "peeple.csv", "id,label,source\nx,X,wikidata\n")
    assert msg.startswith('data/curated/peeple.csv: no class is made from a sheet named "peeple" — did you mean people? (sheets: ')
    assert "people, pledges" in msg


# ------------------------------------------------------------------- row errors

def test_bad_id(project, ontology):
    msg = error(project, ontology, "people.csv", "id,label,source\nok-id,A,wikidata\nXi Jinping,B,wikidata\n")
    assert msg == ("data/curated/people.csv:3:1: column \"id\": 'Xi Jinping' is not a valid id "
                   "(lower-case letters, digits and '-', e.g. xi-jinping)")


def test_duplicate_id(project, ontology):
    msg = error(project, ontology, "people.csv", "id,label,source\nab,A,wikidata\ncd,C,wikidata\nab,B,wikidata\n")
    assert msg == "data/curated/people.csv:4:1: column \"id\": id 'ab' already used on line 2"


def test_unknown_type(project, ontology):
    msg = error(project, ontology, "organizations.csv", "id,type,label,source\nacme,Company,Acme,wikidata\n")
    assert msg == ("data/curated/organizations.csv:2:2: column \"type\": 'Company' is not a kind of organization "
                   "(allowed: IntergovernmentalOrganization, NewsAgency, Organization)")


@pytest.mark.parametrize(
    "value, message",
    [
        ("2025-13", "'2025-13': month 13 does not exist"),
        ("2025-02-30", "'2025-02-30' is not a date (expected YYYY-MM-DD)"),
        ("June 2025", "'June 2025' is not a date: write YYYY-MM-DD, YYYY-MM, YYYY or a decade such as 1990s"),
    ],
)
def test_bad_date_is_located_at_its_line_and_column(project, ontology, value, message):
    content = (
        "id,holder,officeOf,title,startDate,endDate,source\n"
        "office-a,xi-jinping,china,President,2013-03-14,,wp-xi-jinping\n"
        f"office-b,xi-jinping,china,President,2013-03-14,{value},wp-xi-jinping\n"
    )
    assert error(project, ontology, "offices.csv", content) == (
        f'data/curated/offices.csv:3:6: column "endDate": {message}'
    )


def test_bad_value_in_other_typed_columns(project, ontology):
    msg = error(project, ontology, "pledges.csv",
                "id,donor,amount,currency,source\np,china,lots,cny,founding-article\n")
    assert msg == ("data/curated/pledges.csv:2:3: column \"amount\": 'lots' is not a number "
                   "(write digits, e.g. 1500000000 or 10.4)")
    msg = error(project, ontology, "sources.csv", "id,url,source\ns,ftp://x.org/a,s\n")
    assert msg == "data/curated/sources.csv:2:2: column \"url\": 'ftp://x.org/a' is not an http(s) URL"
    msg = error(project, ontology, "people.csv", "id,label,wikidata,source\nx,X,42,wikidata\n")
    assert msg == "data/curated/people.csv:2:3: column \"wikidata\": '42' is not a Wikidata item id (Q followed by digits)"


def test_functional_object_property_takes_one_value(project, ontology):
    msg = error(project, ontology, "trade.csv", "id,reporter,partner,source\nt,china|russia,kazakhstan,founding-article\n")
    assert msg == 'data/curated/trade.csv:2:2: column "reporter": reporter takes one value, got 2'


def test_row_with_too_many_cells(project, ontology):
    msg = error(project, ontology, "people.csv", "id,label,source\nab,A,wikidata\ncd,C,wikidata,extra\n")
    assert msg == "data/curated/people.csv:3:4: row has 4 cells but the header has 3 columns"


def test_missing_source(project, ontology):
    msg = error(project, ontology, "people.csv", "id,label,source\nab,A,\n")
    assert msg == 'data/curated/people.csv:2:3: column "source": missing source (every fact needs its source)'


def test_multi_line_quoted_cell_shifts_the_line_numbers(project, ontology):
    content = (
        "id,label,source\n"                 # 1
        "ab,A,wikidata\n"                   # 2
        'cd,"a label\nover\nthree lines",wikidata\n'  # 3-5
        "ef,E,wikidata\n"                   # 6
        "Bad Id,E,wikidata\n"               # 7
    )
    assert error(project, ontology, "people.csv", content).startswith("data/curated/people.csv:7:1: ")
    ok = read(project, ontology, "people.csv", content.rsplit("Bad Id", 1)[0])
    assert [c.row for c in ok] == [2, 3, 6]
    assert (V.ID["cd"], V.RDFS.label, Literal("a label\nover\nthree lines", lang="en")) in ok[1].triples


def test_comment_and_blank_rows_are_skipped(project, ontology):
    content = (
        "# people added for the test\n"    # 1 (before the header)
        "\n"                                # 2
        "id,label,source\n"                 # 3
        "ab,A,wikidata\n"                   # 4
        "# a comment row,ignored,\n"        # 5
        "\n"                                # 6
        ",,\n"                              # 7 (all cells blank)
        "  #indented comment,,\n"           # 8
        "cd,C,wikidata\n"                   # 9
    )
    contributions = read(project, ontology, "people.csv", content)
    assert [(c.defines[0], c.row) for c in contributions] == [(V.ID["ab"], 4), (V.ID["cd"], 9)]


def test_header_errors_after_leading_comments_give_the_header_line(project, ontology):
    msg = error(project, ontology, "people.csv", "# note\nid,labl,source\nx,X,wikidata\n")
    assert msg.startswith('data/curated/people.csv:2:2: unknown column "labl"')


def test_empty_sheet(project, ontology):
    assert error(project, ontology, "people.csv", "") == "data/curated/people.csv:1: empty sheet (no header row)"


def test_malformed_quoting(project, ontology):
    msg = error(project, ontology, "people.csv", 'id,label,source\nab,"A"x",wikidata\n')
    assert msg.startswith("data/curated/people.csv:2: malformed CSV: ")


# ------------------------------------------------------------------- encoding

def test_non_utf8_byte_is_located(project, ontology):
    content = "id,label,source\nab,A,wikidata\ncd,Caf\xe9,wikidata\n".encode("latin-1")
    assert error(project, ontology, "people.csv", content) == (
        "data/curated/people.csv:3:7: not valid UTF-8: byte 0xe9 at offset 36; save the file as UTF-8"
    )


def test_non_utf8_column_counts_characters_not_bytes(project, ontology):
    # "Жж" is 2 characters but 4 bytes: the bad byte is character 6 on line 2
    content = "id,label,source\n".encode() + "ab,Жж".encode("utf-8") + b"\xff,wikidata\n"
    msg = error(project, ontology, "people.csv", content)
    assert msg.startswith("data/curated/people.csv:2:6: not valid UTF-8: byte 0xff")


def test_utf8_bom_is_accepted(project, ontology):
    (c,) = read(project, ontology, "people.csv", "\ufeffid,label,source\nab,A,wikidata\n".encode("utf-8"))
    assert c.defines == (V.ID["ab"],)


# ------------------------------------------------------- references across files

def test_unknown_entity_reference_is_located_with_a_suggestion(project, ontology):
    cities = project.curated / "cities.csv"
    text = cities.read_text(encoding="utf-8")
    assert text.endswith("\n")
    line = text.count("\n") + 1
    cities.write_text(text + "almaty,Almaty,,Q35493,,kazakstan,central-asia,,wikidata\n", encoding="utf-8")
    contributions = load_files(curated_files(project.curated), ontology, display=project.relpath)
    with pytest.raises(InputError) as info:
        check_contributions(contributions)
    assert str(info.value) == f'data/curated/cities.csv:{line}:6: unknown entity "kazakstan" — did you mean kazakhstan?'
    assert (info.value.path, info.value.line, info.value.col) == ("data/curated/cities.csv", line, 6)


def test_unknown_source_is_an_unknown_entity(project, ontology):
    people = project.curated / "people.csv"
    text = people.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    people.write_text(text + "someone,Someone,,,no-such-source-at-all\n", encoding="utf-8")
    contributions = load_files(curated_files(project.curated), ontology, display=project.relpath)
    with pytest.raises(InputError) as info:
        check_contributions(contributions)
    assert str(info.value).startswith(f'data/curated/people.csv:{line}:5: unknown entity "no-such-source-at-all"')


def test_entity_defined_twice_across_sheets(project, ontology):
    regions = project.curated / "regions.csv"
    text = regions.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    regions.write_text(text + "kazakhstan,Kazakhstan again,,,,,,,wikidata\n", encoding="utf-8")
    contributions = load_files(curated_files(project.curated), ontology, display=project.relpath)
    with pytest.raises(InputError) as info:
        check_contributions(contributions)
    # files are read in name order: regions.csv comes first, so states.csv is the repeat
    assert str(info.value) == ("data/curated/states.csv:3: entity 'kazakhstan' is already defined at "
                               f"data/curated/regions.csv:{line}")


def test_a_cell_over_the_literal_limit_is_located(project, ontology):
    """A cell longer than max-literal-chars is refused at its line and column; one at the limit is
    read. (Before: Python's csv module stopped it first, as "malformed CSV: field larger than
    field limit (131072)", with no column; and the cap could not be raised.)"""
    from eurokg.limits import Limits, applied

    head = "id,label,source\nkazakhstan,Kazakhstan,founding-article\n"
    with applied(Limits(max_literal_chars=300)):
        message = error(project, ontology, "states.csv", head + f"turkmenistan,{'x' * 301},founding-article\n")
        assert message == ("data/curated/states.csv:3:2: a cell of 301 characters is over the 300-character "
                           "limit (max-literal-chars)")
        assert len(read(project, ontology, "states.csv", head + f"turkmenistan,{'x' * 300},founding-article\n")) == 2
    long_cell = "x" * 200_000  # over the csv module's own default cap, under a raised limit
    with applied(Limits(max_literal_chars=250_000)):
        assert len(read(project, ontology, "states.csv", head + f"turkmenistan,{long_cell},founding-article\n")) == 2
