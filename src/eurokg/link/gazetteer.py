"""The gazetteer: entities with their Wikidata ids, types, countries, and every name
they go by, with the dates a name was in use (Astana was Nur-Sultan 2019–2022).

Files (``data/gazetteer/``):

* ``entities.csv``: ``id,qid,label,type,country,start,end,evidence``. ``qid`` is
  empty where no Wikidata item was verified; ``evidence`` says how it was checked.
* ``names.csv``: ``id,name,lang,valid_from,valid_to,note``.

Bad rows are :class:`~eurokg.errors.InputError` with ``file:line:column``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..sources.text import check_cell_lengths, csv_dict_rows, read_utf8
from ..timespan import interval_of_text

QID = re.compile(r"^Q[1-9][0-9]*$")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ENTITY_COLUMNS = ["id", "qid", "label", "type", "country", "start", "end", "evidence"]
NAME_COLUMNS = ["id", "name", "lang", "valid_from", "valid_to", "note"]

_QUOTES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_SPACE_LIKE = re.compile(r"[-‐‑‒–—_/.,;:()\[\]\"“”]+")


def normalize(text: str) -> str:
    """Fold a name for matching: no accents, no quotes or punctuation, lower case,
    single spaces, no leading "the" (Xi'an = xian, Kyrgyz Republic = kyrgyz republic)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_QUOTES).casefold()
    text = _SPACE_LIKE.sub(" ", text)
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def _date(text: str, *, end: bool = False) -> dt.date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as a date (an ``end`` year or month means its last day)."""
    if not text.strip():
        return None
    span = interval_of_text(text)
    if span is None:
        raise ValueError(f"{text.strip()!r} is not a date (write YYYY, YYYY-MM or YYYY-MM-DD)")
    return dt.date.fromisoformat(span[1] if end else span[0])


@dataclass(frozen=True)
class Name:
    text: str
    lang: str = "en"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str = ""

    def in_use(self, when: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= when) and (self.valid_to is None or when <= self.valid_to)


@dataclass(frozen=True)
class Entry:
    id: str
    qid: str | None
    label: str
    type: str
    country: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    evidence: str = ""
    names: tuple[Name, ...] = ()

    def active(self, when: dt.date) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass
class Gazetteer:
    entries: dict[str, Entry] = field(default_factory=dict)
    index: dict[str, list[tuple[str, Name]]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | str, *, display=lambda p: str(p), types: set[str] | None = None) -> "Gazetteer":
        """Read the two CSV files; ``types`` (if given) are the allowed values of ``type``."""
        folder = Path(folder)
        ent_path, name_path = folder / "entities.csv", folder / "names.csv"
        rows = _rows(ent_path, ENTITY_COLUMNS, display(ent_path))
        raw: dict[str, dict] = {}
        for line, row, col in rows:
            where = (display(ent_path), line)
            ident = row["id"].strip()
            if not ID.match(ident):
                raise InputError(f'column "id": {ident!r} is not a valid id', *where, col["id"])
            if ident in raw:
                raise InputError(f"id {ident!r} already used on line {raw[ident]['line']}", *where, col["id"])
            qid = row["qid"].strip() or None
            if qid is not None and not QID.match(qid):
                raise InputError(f'column "qid": {qid!r} is not a Wikidata item id (Q followed by digits)', *where, col["qid"])
            if types is not None and row["type"].strip() not in types:
                raise InputError(f'column "type": {row["type"]!r} is not a class of the ontology', *where, col["type"])
            try:
                start, end = _date(row["start"]), _date(row["end"], end=True)
            except ValueError as exc:
                raise InputError(f"start/end: {exc}", *where, col["start"]) from None
            raw[ident] = dict(line=line, id=ident, qid=qid, label=row["label"].strip(), type=row["type"].strip(),
                              country=row["country"].strip() or None, start=start, end=end,
                              evidence=row["evidence"].strip())
        for ident, r in raw.items():
            if r["country"] and r["country"] not in raw:
                raise InputError(f'column "country": unknown entity {r["country"]!r}', display(ent_path), r["line"],
                                 ENTITY_COLUMNS.index("country") + 1)
        names: dict[str, list[Name]] = {i: [Name(r["label"])] for i, r in raw.items()}
        if name_path.exists():
            for line, row, col in _rows(name_path, NAME_COLUMNS, display(name_path)):
                where = (display(name_path), line)
                ident = row["id"].strip()
                if ident not in raw:
                    raise InputError(f'column "id": unknown entity {ident!r}', *where, col["id"])
                text = row["name"].strip()
                if not text:
                    raise InputError('column "name": empty name', *where, col["name"])
                try:
                    name = Name(text, row["lang"].strip() or "en", _date(row["valid_from"]),
                                _date(row["valid_to"], end=True), row["note"].strip())
                except ValueError as exc:
                    raise InputError(f"valid_from/valid_to: {exc}", *where, col["valid_from"]) from None
                existing = [n for n in names[ident] if n.text == text]
                if existing and existing[0].valid_from is None and existing[0].valid_to is None and not existing[0].note:
                    names[ident].remove(existing[0])  # the label again, now with dates or a note
                names[ident].append(name)
        gaz = cls()
        for ident, r in raw.items():
            r.pop("line")
            gaz.entries[ident] = Entry(names=tuple(names[ident]), **r)
        for ident, entry in sorted(gaz.entries.items()):
            for name in entry.names:
                gaz.index.setdefault(normalize(name.text), []).append((ident, name))
        return gaz

    def qid_of(self, ident: str) -> str | None:
        entry = self.entries.get(ident)
        return entry.qid if entry else None


def _rows(path: Path, columns: list[str], shown: str):
    header, rows = csv_dict_rows(read_utf8(path, shown), shown)
    if header != columns:
        raise InputError(f"header must be {','.join(columns)} (got {','.join(header)})", shown, 1, None)
    col = {name: i + 1 for i, name in enumerate(columns)}
    for line, row in rows:
        if None in row:
            raise InputError(f"row has more cells than the header's {len(columns)}", shown, line, len(columns) + 1)
        if any(v is None for v in row.values()):
            raise InputError(f"row has fewer cells than the header's {len(columns)}", shown, line, None)
        check_cell_lengths(row.values(), shown, line)
        if not any(v.strip() for v in row.values()):
            continue
        yield line, row, col
