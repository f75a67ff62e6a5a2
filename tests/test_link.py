"""The offline linker: gazetteer loading, scoring, NIL, ambiguity and the review file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from eurokg import InputError
from eurokg.cli import main
from eurokg.link import Gazetteer, Linker, ReviewFile, normalize
from eurokg.ontology import Ontology

from conftest import ROOT

ENTITIES = """\
id,qid,label,type,country,start,end,evidence
kazakhstan,Q232,Kazakhstan,State,,,,country note
china,Q148,China,State,,,,country note
georgia,Q230,Georgia,State,,,,country note
georgia-us-state,Q1428,Georgia,Region,,,,US state
astana,Q1520,Astana,City,kazakhstan,,,capital field
almaty,Q35493,Almaty,City,kazakhstan,,,city list
nursultan-nazarbayev,Q4369,Nursultan Nazarbayev,Person,kazakhstan,1990-04-24,2019-03-20,head of state field
kassym-jomart-tokayev,Q200881,Kassym-Jomart Tokayev,Person,kazakhstan,2019-03-20,,head of state field
xinhua,Q204839,Xinhua News Agency,NewsAgency,china,,,agency map
kananaskis,,Kananaskis,City,,,,no item verified
"""

NAMES = """\
id,name,lang,valid_from,valid_to,note
astana,Nur-Sultan,en,2019-03-23,2022-09-17,renamed after Nazarbayev
astana,Akmola,en,1992,1998,
almaty,Alma-Ata,en,,1993,
china,Beijing,en,,,metonym for the government
china,People's Republic of China,en,,,
xinhua,Xinhua,en,,,
"""


@pytest.fixture
def gaz_dir(tmp_path: Path) -> Path:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "names.csv").write_text(NAMES, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def ontology():
    return Ontology.load(ROOT / "ontology" / "eurokg.ttl")


@pytest.fixture
def linker(gaz_dir, ontology):
    gaz = Gazetteer.load(gaz_dir)
    return Linker(gaz, ontology, review=ReviewFile(gaz_dir / "review.csv", gaz))


def test_normalize_folds_spelling():
    assert normalize("Xi’an") == normalize("Xian") == "xian"
    assert normalize("Nur-Sultan") == "nur sultan"
    assert normalize("The Kyrgyz Republic") == "kyrgyz republic"
    assert normalize("Türkmenbaşy") == "turkmenbasy"


def test_label_beats_other_name(linker):
    r = linker.link("Astana")
    assert (r.status, r.id, r.qid) == ("linked", "astana", "Q1520")
    assert r.candidates[0].score == 1.0 and r.candidates[0].reasons[0] == "label 'Astana'"


def test_former_name_links_with_a_date_penalty(linker):
    r = linker.link("Nur-Sultan", type="City", date=dt.date(2023, 5, 18))
    assert (r.status, r.id) == ("linked", "astana")
    c = r.candidates[0]
    assert c.score == pytest.approx(0.75)
    assert "name 'Nur-Sultan' not in use on 2023-05-18" in c.reasons
    assert linker.link("Nur-Sultan", date=dt.date(2020, 1, 1)).candidates[0].score == pytest.approx(0.9)


def test_type_compatibility_drops_candidates(linker):
    # Beijing is also a name of the state (metonym); as a city it is not in this gazetteer
    assert linker.link("Beijing", type="City").status == "nil"
    assert linker.link("Beijing", type="State").id == "china"
    # a subclass counts: a news agency is an organization
    assert linker.link("Xinhua", type="Organization").id == "xinhua"


def test_leader_out_of_office_is_penalised(linker):
    r = linker.link("Nazarbayev Nursultan", type="Person", date=dt.date(2025, 6, 17))
    assert r.candidates and r.candidates[0].id == "nursultan-nazarbayev"
    assert any(reason.startswith("not active on 2025-06-17") for reason in r.candidates[0].reasons)


def test_fuzzy_match_for_a_transliteration(linker):
    r = linker.link("Kassym-Zhomart Tokayev")
    assert r.id == "kassym-jomart-tokayev" and r.candidates[0].reasons[0].startswith("close to")


def test_nil_when_nothing_fits(linker):
    r = linker.link("Atlantis")
    assert (r.status, r.candidates, r.id) == ("nil", [], None)


def test_entity_without_wikidata_item_links_with_no_qid(linker):
    r = linker.link("Kananaskis")
    assert (r.status, r.id, r.qid) == ("linked", "kananaskis", None)


def test_ambiguous_goes_to_review_and_the_decision_persists(gaz_dir, ontology):
    gaz = Gazetteer.load(gaz_dir)
    review = ReviewFile(gaz_dir / "review.csv", gaz)
    lk = Linker(gaz, ontology, review=review)
    r = lk.link("Georgia", context="talks in Tbilisi")
    assert r.status == "ambiguous" and {c.id for c in r.candidates} == {"georgia", "georgia-us-state"}
    text = (gaz_dir / "review.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "mention,type,date,context,candidates,decision"
    assert text.splitlines()[1].startswith("Georgia,,,talks in Tbilisi,georgia 1.00 | georgia-us-state 1.00,")
    lk.link("Georgia")  # recorded once only
    assert len((gaz_dir / "review.csv").read_text(encoding="utf-8").splitlines()) == 2
    # the researcher decides by editing the file; a new run (a new build) follows the decision
    (gaz_dir / "review.csv").write_text(text.replace("georgia-us-state 1.00,\n", "georgia-us-state 1.00,georgia\n"),
                                        encoding="utf-8")
    again = Linker(gaz, ontology, review=ReviewFile(gaz_dir / "review.csv", gaz)).link("georgia")
    assert (again.status, again.id, again.qid) == ("reviewed", "georgia", "Q230")


def test_review_decision_must_be_known(gaz_dir):
    gaz = Gazetteer.load(gaz_dir)
    (gaz_dir / "review.csv").write_text("mention,type,date,context,candidates,decision\nGeorgia,,,,,gerogia\n",
                                        encoding="utf-8")
    with pytest.raises(InputError) as info:
        ReviewFile(gaz_dir / "review.csv", gaz, display="review.csv")
    assert str(info.value) == "review.csv:2:6: column \"decision\": 'gerogia' is neither an entity id nor NIL"


@pytest.mark.parametrize("row,message", [
    ("astana2,Q01520,Astana,City,kazakhstan,,,x", "12:2: column \"qid\": 'Q01520' is not a Wikidata item id"),
    ("astana,Q1520,Astana,City,kazakhstan,,,x", "12:1: id 'astana' already used on line 6"),
    ("x,Q1,X,City,atlantis,,,x", "12:5: column \"country\": unknown entity 'atlantis'"),
    ("y,Q2,Y,Planet,,,,x", "12:4: column \"type\": 'Planet' is not a class of the ontology"),
])
def test_bad_gazetteer_rows_are_located(gaz_dir, ontology, row, message):
    (gaz_dir / "entities.csv").write_text(ENTITIES + row + "\n", encoding="utf-8")
    classes = {str(c).rsplit("/", 1)[-1] for c in ontology.classes}
    with pytest.raises(InputError) as info:
        Gazetteer.load(gaz_dir, display=lambda p: p.name, types=classes)
    assert str(info.value).startswith("entities.csv:" + message)


def test_unknown_entity_in_names_is_located(gaz_dir):
    (gaz_dir / "names.csv").write_text(NAMES + "astna,Astana City,en,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"names.csv:8:1: column \"id\": unknown entity 'astna'"):
        Gazetteer.load(gaz_dir, display=lambda p: p.name)


def test_link_command(project):
    gaz = project.root / "data" / "gazetteer"
    gaz.mkdir(parents=True, exist_ok=True)
    (gaz / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (gaz / "names.csv").write_text(NAMES, encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project.root), "link", "Nur-Sultan", "Atlantis",
                                       "--type", "City", "--date", "2023-05-18"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "'Nur-Sultan' → linked: astana (Q1520)",
        "  1. astana\tQ1520\tCity\t0.75\tother name 'Nur-Sultan'; type City fits City; "
        "name 'Nur-Sultan' not in use on 2023-05-18",
        "'Atlantis' → NIL: no entity fits",
    ]
    bad = CliRunner().invoke(main, ["--project", str(project.root), "link", "X", "--type", "Planet"])
    assert bad.exit_code == 2 and "'Planet' is not a class of the ontology" in bad.stderr


# ------------------------------------------------------------------ in the graph

@pytest.mark.parametrize("edit,expected", [
    # a state with no id and no statement that none exists
    (lambda t: t.replace("kazakhstan,Kazakhstan,Republic of Kazakhstan,Q232,", "kazakhstan,Kazakhstan,Republic of Kazakhstan,,"),
     "data/curated/states.csv:3: VIOLATION: id:kazakhstan: Needs exactly one Wikidata id"),
])
def test_linked_classes_need_an_id_or_a_stated_absence(project, edit, expected):
    import eurokg

    states = project.curated / "states.csv"
    states.write_text(edit(states.read_text(encoding="utf-8")), encoding="utf-8")
    lines = [f.line() for f in eurokg.validate(project).findings if f.severity == "Violation"]
    assert len(lines) == 1 and lines[0].startswith(expected)


def test_an_id_and_a_stated_absence_together_are_a_violation(project):
    import eurokg

    cities = project.curated / "cities.csv"
    text = cities.read_text(encoding="utf-8")
    cities.write_text(text.replace("kananaskis,Kananaskis,,,true,", "kananaskis,Kananaskis,,Q1,true,"), encoding="utf-8")
    lines = [f.line() for f in eurokg.validate(project).findings if f.severity == "Violation"]
    assert len(lines) == 1 and "id:kananaskis: Needs exactly one Wikidata id" in lines[0]


def test_the_same_qid_on_two_entities_is_a_violation(project):
    import eurokg

    states = project.curated / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace(",Q813,KGZ,", ",Q232,KGZ,"), encoding="utf-8")
    lines = sorted(f.line() for f in eurokg.validate(project).findings if f.severity == "Violation")
    assert lines == [
        "data/curated/states.csv:3: VIOLATION: id:kazakhstan: Wikidata id Q232 is also given to id:kyrgyzstan: "
        "one item cannot be two entities.",
        "data/curated/states.csv:4: VIOLATION: id:kyrgyzstan: Wikidata id Q232 is also given to id:kazakhstan: "
        "one item cannot be two entities.",
    ]


def test_series_name_means_the_edition_nearest_the_date():
    from eurokg import Project
    from eurokg.link.gazetteer import Gazetteer
    from eurokg.link.linker import Linker
    from eurokg.ontology import Ontology
    import datetime as dt
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    project = Project(root)
    linker = Linker(Gazetteer.load(project.gazetteer), Ontology.load(project.ontology))
    assert linker.link("G7 summit", date=dt.date(2023, 5, 20), record=False).id == "g7-summit-2023"
    assert linker.link("G7 summit", date=dt.date(2025, 7, 1), record=False).id == "g7-summit-2025"
    assert linker.link("China–Central Asia summit", date=dt.date(2025, 6, 18), record=False).id == \
        "china-central-asia-summit-2025"
    # no date, or a date far from every edition: nothing to tell them apart
    assert linker.link("G7 summit", record=False).status == "ambiguous"
    assert linker.link("G7 summit", date=dt.date(2019, 1, 1), record=False).status == "ambiguous"
    # a summit is not "out of office" after it ended: its own name still links
    assert linker.link("Astana summit", date=dt.date(2026, 1, 1), record=False).id == "china-central-asia-summit-2025"
