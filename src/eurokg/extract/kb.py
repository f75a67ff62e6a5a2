"""What the extractor knows before reading: the ontology's trigger words, the gazetteer's
names, and the curated graph's facts used to resolve mentions in context (who held an office
on a date, which summit was held where and when, which states form a region)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import RDF, Graph, Literal, URIRef

from ..link.gazetteer import Gazetteer
from ..link.linker import Linker
from ..merge import in_text_order
from ..timespan import interval
from ..vocab import EK, ID


def local(iri) -> str | None:
    """The entity id of an ``id:`` IRI (None for anything else)."""
    text = str(iri)
    return text[len(str(ID)):] if text.startswith(str(ID)) else None


def _day(lit, end: bool = False) -> dt.date | None:
    if not isinstance(lit, Literal):
        return None
    span = interval(lit)
    if span is None:
        return None
    return dt.date.fromisoformat(span[1] if end else span[0])


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    start: dt.date | None
    end: dt.date | None
    places: frozenset[str]
    organizers: frozenset[str]
    series: str | None
    edition: int | None


@dataclass
class KnowledgeBase:
    ontology: object
    gazetteer: Gazetteer
    graph: Graph
    linker: Linker = field(init=False)

    def __post_init__(self) -> None:
        self.linker = Linker(self.gazetteer, self.ontology)
        self._triggers: dict = {}
        self._patterns: dict = {}

    def forget_graph(self) -> None:
        """Let go of the curated graph once extraction is over. Each extraction keeps its
        knowledge base for its JSON (which needs only the gazetteer and the ontology), so the
        build's union graph, a million triples and more, lived as long as the claims did;
        a lookup in the graph after this raises instead of answering from nothing."""
        self.graph = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ ontology
    def triggers(self, term: URIRef, prop: URIRef = EK.trigger) -> tuple[str, ...]:
        """Trigger phrases of a term, longest first (so "first proposed" wins over "proposed")."""
        key = (term, prop)
        cached = self._triggers.get(key)
        if cached is None:
            words = {str(o).lower() for o in self.ontology.graph.objects(term, prop)}
            cached = self._triggers[key] = tuple(sorted(words, key=lambda w: (-len(w), w)))
        return cached

    def trigger_pattern(self, term: URIRef, prop: URIRef = EK.trigger):
        """One compiled pattern for a term's triggers: whole words, case-insensitive, longest first."""
        import re

        key = (term, prop)
        cached = self._patterns.get(key)
        if cached is None:
            words = self.triggers(term, prop)
            alternation = "|".join(re.escape(w) + (r"(?!\w)" if w[-1].isalnum() else "") for w in words)
            cached = self._patterns[key] = re.compile(rf"(?<![\w-])(?:{alternation})", re.I) if words else None
        return cached

    def class_triggers(self) -> dict[str, tuple[str, ...]]:
        """Class local name -> its trigger nouns, for every class that has some."""
        out = {}
        for cls in sorted(self.ontology.classes):
            words = self.triggers(cls)
            if words and str(cls).startswith(str(EK)):
                out[str(cls)[len(str(EK)):]] = words
        return out

    def is_a(self, entity: str, cls: str) -> bool:
        entry = self.gazetteer.entries.get(entity)
        if entry is None:
            return False
        return entry.type == cls or self.ontology.is_subclass(EK[entry.type], EK[cls])

    def type_of(self, entity: str) -> str | None:
        entry = self.gazetteer.entries.get(entity)
        return entry.type if entry else None

    # ------------------------------------------------------------------ curated facts
    def _objects(self, subject: str, prop: URIRef) -> list[str]:
        return sorted(x for x in (local(o) for o in self.graph.objects(ID[subject], prop)) if x)

    def _subjects(self, prop: URIRef, obj: str) -> list[str]:
        return sorted(x for x in (local(s) for s in self.graph.subjects(prop, ID[obj])) if x)

    @cached_property
    def capitals(self) -> dict[str, tuple[str, ...]]:
        """capital city -> the states it is (or was) the capital of (Moscow: Russia, the Soviet Union)."""
        out: dict[str, set[str]] = {}
        for s, o in self.graph.subject_objects(EK.capital):
            if local(s) and local(o):
                out.setdefault(local(o), set()).add(local(s))
        return {city: tuple(sorted(states)) for city, states in out.items()}

    def capital_state(self, city: str, when: dt.date) -> str | None:
        """The state a capital stands for on a date ("Moscow" in 2025 is Russia, not the USSR)."""
        states = self.capitals.get(city, ())
        active = [s for s in states if s in self.gazetteer.entries and self.gazetteer.entries[s].active(when)]
        if len(active) == 1:
            return active[0]
        return states[0] if len(states) == 1 else None

    def members(self, region: str) -> list[str]:
        """The states in a region (``ek:inRegion``, ``ek:regionIncludes``)."""
        found = set(self._subjects(EK.inRegion, region)) | set(self._objects(region, EK.regionIncludes))
        return sorted(m for m in found if self.is_a(m, "State"))

    def office_state(self, person: str, when: dt.date) -> str | None:
        """The state whose office the person held on ``when`` (from the curated offices; of
        two offices held that day, the first by IRI, whatever order the store keeps)."""
        for office in in_text_order(self.graph.subjects(EK.holder, ID[person])):
            start = _day(self.graph.value(office, EK.startDate))
            end = _day(self.graph.value(office, EK.endDate), end=True)
            if (start is None or start <= when) and (end is None or when <= end):
                state = local(self.graph.value(office, EK.officeOf))
                if state:
                    return state
        return None

    def person_state(self, person: str, when: dt.date) -> str | None:
        """The state a leader acts for: the office held on the date, else the gazetteer's country."""
        state = self.office_state(person, when)
        if state:
            return state
        entry = self.gazetteer.entries.get(person)
        return entry.country if entry else None

    def country_of(self, entity: str) -> str | None:
        entry = self.gazetteer.entries.get(entity)
        if entry is None:
            return None
        if entry.type == "State":
            return entity
        return entry.country

    @cached_property
    def events(self) -> list[Event]:
        out = []
        for cls in ("Summit", "Treaty", "Sanction", "ArmedConflict"):
            members = set()
            for c in {EK[cls]} | set(self.ontology.subclasses(EK[cls])):
                members.update(self.graph.subjects(RDF.type, c))
            for s in sorted(members):
                ident = local(s)
                if not ident:
                    continue
                start = _day(self.graph.value(s, EK.startDate)) or _day(self.graph.value(s, EK.signingDate))
                end = (_day(self.graph.value(s, EK.endDate), end=True)
                       or _day(self.graph.value(s, EK.signingDate), end=True) or start)
                places = set(self._objects(ident, EK.heldIn)) | set(self._objects(ident, EK.signedAt))
                for p in list(places):  # a summit in Xi'an is also in northwest China, and in China
                    places.update(self._objects(p, EK.inRegion))
                    if self.country_of(p):
                        places.add(self.country_of(p))
                orgs = set(self._objects(ident, EK.organizedBy))
                series = self.graph.value(s, EK.series)
                edition = self.graph.value(s, EK.edition)
                out.append(Event(ident, cls, start, end, frozenset(places), frozenset(orgs),
                                 str(series) if series is not None else None,
                                 int(edition) if edition is not None else None))
        return out

    def find_events(self, cls: str, *, when: tuple[dt.date, dt.date] | None = None, place: str | None = None,
                    organizer: str | None = None, series: str | None = None,
                    edition: int | None = None, party: str | None = None) -> list[Event]:
        """Curated events of a class that fit every constraint given."""
        out = []
        for ev in self.events:
            if ev.type != cls:
                continue
            if when is not None:
                if ev.start is None or ev.end is None or ev.end < when[0] or ev.start > when[1]:
                    continue
            if place is not None and place not in ev.places:
                continue
            if organizer is not None and organizer not in ev.organizers:
                continue
            if series is not None and ev.series != series:
                continue
            if edition is not None and ev.edition != edition:
                continue
            if party is not None and party not in self._objects(ev.id, EK.signatory) \
                    and party not in self._objects(ev.id, EK.target) and party not in self._objects(ev.id, EK.participant):
                continue
            out.append(ev)
        return out

    def event(self, ident: str) -> Event | None:
        return next((e for e in self.events if e.id == ident), None)

    def routes_through(self, state: str, cls: str = "Corridor") -> list[str]:
        """Routes of a class passing through a state (for "the Russian corridor")."""
        return sorted(r for r in self._subjects(EK.passesThrough, state) if self.is_a(r, cls))

    def sanctions_on(self, state: str) -> list[str]:
        return sorted(s for s in self._subjects(EK.target, state) if self.is_a(s, "Sanction"))

    @cached_property
    def currency_codes(self) -> dict[str, str]:
        """currency entity id -> ISO 4217 code."""
        out = {}
        for s, o in in_text_order(self.graph.subject_objects(EK.isoCode)):
            ident = local(s)
            if ident and self.is_a(ident, "Currency"):
                out[ident] = str(o)
        return out

    @cached_property
    def currency_by_code(self) -> dict[str, str]:
        return {code: ident for ident, code in self.currency_codes.items()}


def load_kb(project) -> KnowledgeBase:
    """The knowledge base of a project: ontology, gazetteer and curated graph."""
    from ..build import load_all, load_gazetteer
    from ..merge import union_graph

    loaded = load_all(project)
    return KnowledgeBase(loaded.ontology, load_gazetteer(project, loaded.ontology),
                         union_graph(loaded.dataset, include_provenance=False))
