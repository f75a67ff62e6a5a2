"""The shipped gazetteer (data/gazetteer/): loads cleanly, agrees with the curated data,
and keeps the known traps out."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

import eurokg
from eurokg.link import Gazetteer
from eurokg.ontology import Ontology

from conftest import ROOT

GAZ = ROOT / "data" / "gazetteer"


@pytest.fixture(scope="module")
def gazetteer():
    onto = Ontology.load(ROOT / "ontology" / "eurokg.ttl")
    return Gazetteer.load(GAZ, types={str(c).rsplit("/", 1)[-1] for c in onto.classes})


@pytest.fixture(scope="module")
def linker():
    return eurokg.linker(eurokg.Project(ROOT), review=False)


def test_traps(gazetteer):
    assert gazetteer.qid_of("china") == "Q148"  # the People's Republic, not Q29520 (the historical region)
    assert "Q29520" not in {e.qid for e in gazetteer.entries.values()}
    assert gazetteer.qid_of("g7") == "Q1764511"  # not Q8298
    assert "Q8298" not in {e.qid for e in gazetteer.entries.values()}


def test_every_qid_is_unique_and_every_entry_has_evidence(gazetteer):
    qids = [e.qid for e in gazetteer.entries.values() if e.qid]
    assert len(qids) == len(set(qids))
    assert len(qids) >= 60
    assert all(e.evidence for e in gazetteer.entries.values())


def test_gazetteer_agrees_with_the_curated_data(gazetteer):
    """Every entity curated with a Wikidata id has the same id in the gazetteer."""
    disagree = []
    for sheet in sorted((ROOT / "data" / "curated").glob("*.csv")):
        with open(sheet, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                qid = (row.get("wikidata") or "").strip()
                if qid and row["id"] in gazetteer.entries and gazetteer.qid_of(row["id"]) != qid:
                    disagree.append((row["id"], qid, gazetteer.qid_of(row["id"])))
    assert disagree == []


@pytest.mark.parametrize("mention,type_,expected", [
    ("Kirghizia", None, "kyrgyzstan"),
    ("Alma-Ata", "City", "almaty"),
    ("Kiev", "City", "kyiv"),
    ("Zhaparov", "Person", "sadyr-japarov"),
    ("RMB", "Currency", "cny"),
    ("Xinhua", "Organization", "xinhua"),
    ("PRC", "State", "china"),
])
def test_names_link(linker, mention, type_, expected):
    assert linker.link(mention, type=type_).id == expected


def test_a_city_and_its_government_are_told_apart_by_type(linker):
    assert linker.link("Beijing", type="City").id == "beijing"
    assert linker.link("Beijing", type="State").id == "china"
    assert linker.link("Moscow", type="State").id == "russia"


def test_former_name_in_a_dated_text(linker):
    r = linker.link("Nur-Sultan", type="City", date=dt.date(2020, 6, 1))
    assert (r.id, r.candidates[0].score) == ("astana", 0.9)
    later = linker.link("Nur-Sultan", type="City", date=dt.date(2024, 6, 1))
    assert later.id == "astana" and later.candidates[0].score < 0.9
