"""Rank gazetteer entities for a mention, offline.

Score of a candidate (reasons are kept with it):

* name: the mention equals the entity's label (1.0) or one of its other names
  (0.9) after :func:`normalize`; otherwise a fuzzy match (the better of
  rapidfuzz's ratio and token-sort ratio, ≥ 85: spelling or word order)
  gives 0.8 × ratio/100.
* type: with ``type=CLASS`` (the range of the property the mention fills), an
  entity whose type is neither that class nor a subclass is dropped.
* date: with ``date=``, a name not in use then costs 0.15 (a 2023 text saying
  "Nur-Sultan" still means Astana, but less surely); an entity not active then
  (a leader out of office, a state that no longer existed) costs 0.25.
* context: each name of the entity's country found in ``context`` adds 0.05,
  once.
* events: a dated event is not penalised for being over (texts report events
  afterwards); when a series name fits several editions ("G7 summit"), the one
  nearest the date, within a year, gains 0.1.

The best candidate is linked when its score is at least ``threshold`` (0.6)
and ahead of the next by at least ``margin`` (0.05); below the threshold the
answer is NIL; a closer call is *ambiguous* and is written to the review file,
where a researcher's decision (an id, or NIL) is used from then on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..iosafe import write_atomic
from ..sources.text import check_cell_lengths, csv_dict_rows, read_utf8
from ..vocab import EK
from .gazetteer import Entry, Gazetteer, normalize

THRESHOLD = 0.6
MARGIN = 0.05
FUZZY_CUTOFF = 85


@dataclass(frozen=True)
class Candidate:
    id: str
    qid: str | None
    label: str
    type: str
    score: float
    reasons: tuple[str, ...]


@dataclass
class LinkResult:
    mention: str
    status: str  # linked | nil | ambiguous | reviewed
    candidates: list[Candidate] = field(default_factory=list)
    chosen: Candidate | None = None

    @property
    def id(self) -> str | None:
        return self.chosen.id if self.chosen else None

    @property
    def qid(self) -> str | None:
        return self.chosen.qid if self.chosen else None


REVIEW_COLUMNS = ["mention", "type", "date", "context", "candidates", "decision"]


class ReviewFile:
    """``mention,type,date,context,candidates,decision``: ambiguous mentions, and the
    researcher's decisions (an entity id, or ``NIL``) that later runs follow."""

    def __init__(self, path: Path | str, gazetteer: Gazetteer, *, display: str | None = None) -> None:
        self.path = Path(path)
        self.shown = display or str(path)
        self.rows: list[dict[str, str]] = []
        if self.path.exists():
            header, rows = csv_dict_rows(read_utf8(self.path, self.shown), self.shown)
            if header != REVIEW_COLUMNS:
                raise InputError(f"header must be {','.join(REVIEW_COLUMNS)}", self.shown, 1, None)
            for line, row in rows:
                check_cell_lengths(row.values(), self.shown, line)
                decision = (row.get("decision") or "").strip()
                if decision and decision != "NIL" and decision not in gazetteer.entries:
                    raise InputError(f'column "decision": {decision!r} is neither an entity id nor NIL',
                                     self.shown, line, REVIEW_COLUMNS.index("decision") + 1)
                self.rows.append({k: (v or "") for k, v in row.items()})

    @staticmethod
    def _key(mention: str, type_: str | None) -> tuple[str, str]:
        return normalize(mention), type_ or ""

    def decision(self, mention: str, type_: str | None) -> str | None:
        key = self._key(mention, type_)
        for row in self.rows:
            if self._key(row["mention"], row["type"] or None) == key and row["decision"].strip():
                return row["decision"].strip()
        return None

    def add(self, mention: str, type_: str | None, date: dt.date | None, context: str | None,
            candidates: list[Candidate]) -> bool:
        """Record an ambiguous mention once; returns False if it was already there."""
        key = self._key(mention, type_)
        if any(self._key(r["mention"], r["type"] or None) == key for r in self.rows):
            return False
        self.rows.append({
            "mention": mention, "type": type_ or "", "date": date.isoformat() if date else "",
            "context": (context or "")[:300],
            "candidates": " | ".join(f"{c.id} {c.score:.2f}" for c in candidates[:5]), "decision": "",
        })
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(self.rows, key=lambda r: (normalize(r["mention"]), r["type"])))
        write_atomic(self.path, buf.getvalue())
        return True


class Linker:
    def __init__(self, gazetteer: Gazetteer, ontology=None, *, review: ReviewFile | None = None,
                 threshold: float = THRESHOLD, margin: float = MARGIN) -> None:
        self.gazetteer = gazetteer
        self.ontology = ontology
        self.review = review
        self.threshold = threshold
        self.margin = margin

    # ------------------------------------------------------------------ scoring
    def _type_ok(self, entry: Entry, type_: str | None) -> bool:
        if not type_:
            return True
        if entry.type == type_:
            return True
        if self.ontology is None:
            return False
        return self.ontology.is_subclass(EK[entry.type], EK[type_])

    def _name_matches(self, mention: str) -> dict[str, tuple[float, str, object]]:
        """entity id -> (name score, reason, the Name matched), best per entity."""
        from rapidfuzz import fuzz, process

        key = normalize(mention)
        found: dict[str, tuple[float, str, object]] = {}

        def keep(ident, score, reason, name):
            if ident not in found or score > found[ident][0]:
                found[ident] = (score, reason, name)

        for ident, name in self.gazetteer.index.get(key, ()):
            label = self.gazetteer.entries[ident].label
            if normalize(label) == key:
                keep(ident, 1.0, f"label {label!r}", name)
            else:
                keep(ident, 0.9, f"other name {name.text!r}", name)
        if not found and key:
            names = list(self.gazetteer.index)
            best: dict[str, float] = {}
            for scorer in (fuzz.ratio, fuzz.token_sort_ratio):  # spelling, then word order
                for other, ratio, _ in process.extract(key, names, scorer=scorer, score_cutoff=FUZZY_CUTOFF, limit=10):
                    best[other] = max(best.get(other, 0.0), ratio)
            for other, ratio in best.items():
                for ident, name in self.gazetteer.index[other]:
                    keep(ident, round(0.8 * ratio / 100, 4), f"close to {name.text!r} ({ratio:.0f}%)", name)
        return found

    def candidates(self, mention: str, *, type: str | None = None, context: str | None = None,
                   date: dt.date | None = None) -> list[Candidate]:
        out = []
        context_key = f" {normalize(context)} " if context else ""
        for ident, (score, reason, name) in self._name_matches(mention).items():
            entry = self.gazetteer.entries[ident]
            if not self._type_ok(entry, type):
                continue
            reasons = [reason]
            if type:
                reasons.append(f"type {entry.type} fits {type}")
            event = self.ontology is not None and self.ontology.is_subclass(EK[entry.type], EK.Event)
            if date is not None:
                if not name.in_use(date):
                    score -= 0.15
                    reasons.append(f"name {name.text!r} not in use on {date.isoformat()}")
                if event:
                    pass  # texts speak of events before and after them: proximity below, no penalty
                elif not entry.active(date):
                    score -= 0.25
                    span = f"{entry.start or '…'}–{entry.end or '…'}"
                    reasons.append(f"not active on {date.isoformat()} ({span})")
            if context_key and entry.country and entry.country in self.gazetteer.entries:
                country = self.gazetteer.entries[entry.country]
                if any(f" {normalize(n.text)} " in context_key for n in country.names):
                    score += 0.05
                    reasons.append(f"context mentions {country.label}")
            out.append(Candidate(ident, entry.qid, entry.label, entry.type, round(score, 4), tuple(reasons)))
        if date is not None:
            out = self._nearest_edition(out, date)
        return sorted(out, key=lambda c: (-c.score, c.id))

    def _nearest_edition(self, out: list[Candidate], date: dt.date) -> list[Candidate]:
        """Among dated events sharing the best score (a series name: "G7 summit"), the one
        nearest the text's date, within a year, gains 0.1."""
        if not out or self.ontology is None:
            return out
        best = max(c.score for c in out)
        dated = []
        for c in out:
            entry = self.gazetteer.entries[c.id]
            if c.score == best and entry.start is not None and self.ontology.is_subclass(EK[entry.type], EK.Event):
                end = entry.end or entry.start
                gap = 0 if entry.start <= date <= end else min(abs((date - entry.start).days), abs((date - end).days))
                dated.append((gap, c))
        if len(dated) < 2:
            return out
        dated.sort(key=lambda x: (x[0], x[1].id))
        gap, nearest = dated[0]
        if gap > 366 or (len(dated) > 1 and dated[1][0] == gap):
            return out
        return [Candidate(c.id, c.qid, c.label, c.type, round(c.score + 0.1, 4),
                          c.reasons + (f"the edition nearest {date.isoformat()} ({gap} days)",)) if c is nearest else c
                for c in out]

    def link(self, mention: str, *, type: str | None = None, context: str | None = None,
             date: dt.date | None = None, record: bool = True) -> LinkResult:
        """Rank candidates and decide: linked, NIL, ambiguous (recorded for review), or a
        researcher's earlier decision (reviewed)."""
        ranked = self.candidates(mention, type=type, context=context, date=date)
        if self.review is not None:
            decided = self.review.decision(mention, type)
            if decided == "NIL":
                return LinkResult(mention, "reviewed", ranked, None)
            if decided is not None:
                entry = self.gazetteer.entries[decided]
                chosen = next((c for c in ranked if c.id == decided), None) or Candidate(
                    entry.id, entry.qid, entry.label, entry.type, 1.0, ("researcher's decision",))
                return LinkResult(mention, "reviewed", ranked, chosen)
        if not ranked or ranked[0].score < self.threshold:
            return LinkResult(mention, "nil", ranked, None)
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < self.margin:
            if record and self.review is not None:
                self.review.add(mention, type, date, context, ranked)
            return LinkResult(mention, "ambiguous", ranked, None)
        return LinkResult(mention, "linked", ranked, ranked[0])
