"""Extraction rules, registered in :data:`RULES`.

Each rule reads one sentence (mentions, amounts, times, quotes already found)
and states a pattern that generalises: the relation's trigger words come from
the ontology (``ek:trigger`` on the property or class), the arguments are typed
mentions in a stated position around the trigger. A rule's version goes up
whenever its behaviour changes, so a claim says exactly what made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from rdflib import URIRef
from rdflib.namespace import XSD

from ..vocab import EK, ID
from .document import Document, Mention, Sentence
from .facts import Fact
from .values import ORDINALS, When, plain


@dataclass(frozen=True)
class Rule:
    name: str
    version: int
    confidence: float
    description: str
    apply: Callable[["Context"], Iterable[Fact]]

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"


RULES: dict[str, Rule] = {}


def rule(name: str, version: int, confidence: float, description: str):
    def register(func):
        RULES[name] = Rule(name, version, confidence, description, func)
        return func
    return register


class Context:
    """One sentence with helpers to find typed mentions and trigger words around positions."""

    def __init__(self, doc: Document, sent: Sentence) -> None:
        self.doc, self.sent, self.kb = doc, sent, doc.kb
        self.text = sent.text
        inside = [(q.start, q.end) for q in sent.quotes]
        self.mentions = [m for m in sent.mentions if m.resolved
                         and not any(a <= m.start < b for a, b in inside)]
        self.rule: Rule | None = None

    # ----------------------------------------------------------------- positions are body offsets
    def between(self, a: int, b: int) -> str:
        return self.text[a - self.sent.start: b - self.sent.start]

    def of(self, cls: str, start: int | None = None, end: int | None = None, *, kinds=None) -> list[Mention]:
        lo = self.sent.start if start is None else start
        hi = self.sent.end if end is None else end
        return [m for m in self.mentions if lo <= m.start and m.end <= hi
                and (kinds is None or m.kind in kinds)
                and all(self.kb.is_a(i, cls) for i in m.ids)]

    def triggers(self, term: URIRef, prop: URIRef = EK.trigger) -> list[tuple[int, int, str]]:
        """(start, end, word) of each trigger of ``term`` in the sentence, not inside a quote."""
        pattern = self.kb.trigger_pattern(term, prop)
        if pattern is None:
            return []
        out = []
        for m in pattern.finditer(self.text):
            s, e = self.sent.start + m.start(), self.sent.start + m.end()
            if not self.in_quote(s):
                out.append((s, e, m.group(0).lower()))
        return out

    def in_quote(self, offset: int) -> bool:
        return any(q.start <= offset < q.end for q in self.sent.quotes)

    def states(self, m: Mention) -> list[str]:
        """The states a mention stands for: a state, a group, a demonym, a capital (metonymy),
        a leader (the state whose office they hold)."""
        out = []
        for ident in m.ids:
            if self.kb.is_a(ident, "State"):
                out.append(ident)
            elif self.kb.capital_state(ident, self.doc.article.published):
                out.append(self.kb.capital_state(ident, self.doc.article.published))
            elif self.kb.is_a(ident, "Person"):
                state = self.kb.person_state(ident, self.doc.article.published)
                if state:
                    out.append(state)
        return out

    def agents(self, start: int, end: int) -> list[Mention]:
        """People, states (and their capitals or demonyms) in a span, as acting parties."""
        return [m for m in self.mentions if start <= m.start and m.end <= end and m.kind != "demonym"
                and any(self.kb.is_a(i, "Person") or self.kb.is_a(i, "State") or i in self.kb.capitals
                        for i in m.ids)]

    def time_in(self, start: int, end: int) -> When | None:
        return next((t for t in self.sent.times if start <= t.start and t.end <= end), None)

    def first_time(self) -> When | None:
        return self.sent.times[0] if self.sent.times else None

    def reported_by(self) -> str | None:
        for s, e, _ in self.triggers(EK.reportedBy):
            org = next((m for m in self.mentions if e <= m.start <= e + 12 and
                        self.kb.is_a(m.ids[0], "Organization")), None)
            if org is not None:
                return org.ids[0]
        return None

    def anaphor_state(self) -> str | None:
        """What "it", "its" or "the country" stands for: the state that opens the nearest
        earlier sentence of the article (its subject, in news style)."""
        for sent in reversed(self.doc.sentences):
            if sent.start >= self.sent.start or sent.heading:
                continue
            for m in sent.mentions:
                if m.start - sent.start > 40:
                    break
                if m.resolved and m.kind == "name" and self.kb.is_a(m.ids[0], "State"):
                    return m.ids[0]
            return None
        return None

    def fact(self, subject: str, predicate: URIRef, *, obj: str | URIRef | None = None, value=None,
             datatype=None, unit=None, qualifiers=None, time=None, confidence: float = 1.0) -> Fact:
        if isinstance(obj, str) and not isinstance(obj, URIRef):
            obj = ID[obj]
        quals = dict(qualifiers or {})
        reporter = self.reported_by()
        if reporter:
            quals.setdefault("reportedBy", ID[reporter])
        return Fact(subject, predicate, obj, value, datatype, unit, quals, time, self.sent.start, self.sent.end,
                    self.text, self.rule.tag if self.rule else "", round(self.rule.confidence * confidence, 3)
                    if self.rule else confidence, self.doc.article.id)


def _score(*mentions: Mention) -> float:
    return min([m.score for m in mentions] + [1.0])


TITLE_GAP = r"\s+|’s\s+|'s\s+|\s+(?:the\s+)?"


# ============================================================ people and states

@rule("leader-title", 1, 0.95, "A state (name, demonym or possessive) with a leader's title before a person, "
      "or a person followed by ', the <demonym> <title>' / ', <title> of <state>': the state's head of state.")
def leader_title(ctx: Context) -> Iterable[Fact]:
    titles = "|".join(re.escape(w) for w in ctx.kb.triggers(EK.headOfState))
    for person in ctx.of("Person", kinds=("name",)):
        for state_m in ctx.mentions:
            st = [i for i in state_m.ids if ctx.kb.is_a(i, "State")]
            if not st or state_m.plural:
                continue
            if state_m.end <= person.start:
                gap = ctx.between(state_m.end, person.start)
                # "Kazakh President Tokayev", "Kazakhstan's president, Tokayev"; the title may be
                # part of the person's name as matched ("President Xi")
                if re.fullmatch(rf"(?:’s|'s)?\s+(?:{titles}),?\s+", gap, re.I) or (
                        re.fullmatch(r"(?:’s|'s)?\s+", gap) and re.match(rf"(?:{titles})\s", person.text, re.I)):
                    yield ctx.fact(st[0], EK.headOfState, obj=person.ids[0], time=ctx.first_time(),
                                   confidence=_score(person, state_m))
            elif person.end <= state_m.start:
                gap = ctx.between(person.end, state_m.start)
                after = ctx.between(state_m.end, min(state_m.end + 30, ctx.sent.end))
                if re.fullmatch(rf",\s+(?:the\s+)?(?:(?:{titles})\s+of\s+(?:the\s+)?)", gap, re.I) or (
                        # "Tokayev, the Kazakh president": the title closes the apposition (no name follows it)
                        re.fullmatch(r",\s+(?:the\s+)?", gap)
                        and re.match(rf"(?:’s|'s)?\s+(?:{titles})\b(?!\s+[A-Z])", after, re.I)):
                    yield ctx.fact(st[0], EK.headOfState, obj=person.ids[0], time=ctx.first_time(),
                                   confidence=_score(person, state_m))


@rule("capital-apposition", 1, 0.95, "'<city>, the capital of <state>', '<city>, the <demonym> capital', "
      "'<state>'s capital, <city>', 'the <demonym> capital, <city>': the state's capital.")
def capital_apposition(ctx: Context) -> Iterable[Fact]:
    for city in ctx.of("City", kinds=("name",)):
        for other in ctx.mentions:
            st = [i for i in other.ids if ctx.kb.is_a(i, "State")]
            if not st or other is city:
                continue
            if city.end <= other.start:
                gap = ctx.between(city.end, other.start)
                after = ctx.between(other.end, min(other.end + 12, ctx.sent.end))
                if re.fullmatch(r",\s+(?:the\s+)?capital\s+(?:city\s+)?of\s+(?:the\s+)?", gap, re.I) or (
                        re.fullmatch(r",\s+(?:the\s+)?", gap) and re.match(r"(?:’s|'s)?\s+capital\b", after, re.I)):
                    yield ctx.fact(st[0], EK.capital, obj=city.ids[0], confidence=_score(city, other))
            else:
                gap = ctx.between(other.end, city.start)
                if re.fullmatch(r"(?:’s|'s)?\s+capital(?:\s+city)?,?\s+", gap, re.I):
                    yield ctx.fact(st[0], EK.capital, obj=city.ids[0], confidence=_score(city, other))


@rule("former-republic", 1, 0.9, "'former <demonym> republic(s)/state(s)' said of states (a group or a "
      "state in apposition): they were part of the demonym's state.")
def former_republic(ctx: Context) -> Iterable[Fact]:
    for m in re.finditer(r"\bformer\s+(?P<dem>[A-Z]\w+)\s+(?:republics?|states?|countries|members?)\b", ctx.text):
        s = ctx.sent.start + m.start()
        linked = ctx.kb.linker.link(m.group("dem"), type="State", date=ctx.doc.article.published, record=False)
        if linked.chosen is None:
            continue
        dem = Mention(ctx.sent.start + m.start("dem"), ctx.sent.start + m.end("dem"), m.group("dem"),
                      (linked.chosen.id,), "State", "demonym", min(1.0, linked.chosen.score))
        whole = next((g for g in ctx.mentions if g.kind == "group" and g.start <= s < g.end), None)
        subjects = list(whole.ids) if whole else []
        if not subjects and re.search(r"\bthe\s+$", ctx.between(max(ctx.sent.start, s - 5), s)) \
                and not m.group(0).endswith("s"):
            # "the former Soviet republic's gas sales": the state the text is about
            state = ctx.anaphor_state()
            subjects = [state] if state else []
        if not subjects:  # "Kazakhstan, a former Soviet republic"
            prev = [x for x in ctx.mentions if x.end <= s and x.kind in ("name", "group")]
            if prev and re.fullmatch(r",\s+(?:a|an|the|like\s+\w+\s+)?\s*(?:\w+\s+)?",
                                     ctx.between(prev[-1].end, s)):
                subjects = ctx.states(prev[-1])
        for state in subjects:
            if state != dem.ids[0]:
                yield ctx.fact(state, EK.formerlyPartOf, obj=dem.ids[0], confidence=_score(dem))
    # "Kazakhstan, Kyrgyzstan ... and Uzbekistan, all once part of the Soviet Union"
    for s, e, word in ctx.triggers(EK.formerlyPartOf):
        if " part of" not in word:
            continue
        whole = next((m for m in ctx.mentions if e <= m.start <= e + 5 and ctx.kb.is_a(m.ids[0], "State")), None)
        if whole is None:
            continue
        lead = re.search(r"(?:,\s+)?(?:(?:that|which|who)\s+)?(?:(?:were|was|are|is)\s+)?(?:all\s+|both\s+)?$",
                         ctx.between(ctx.sent.start, s))
        at = ctx.sent.start + lead.start()
        before = [m for m in ctx.mentions if m.end <= at and m.kind in ("name", "group")
                  and all(ctx.kb.is_a(i, "State") for i in m.ids)]
        for m in _coordinated(ctx, before, at):
            for state in m.ids:
                if state != whole.ids[0]:
                    yield ctx.fact(state, EK.formerlyPartOf, obj=whole.ids[0], confidence=0.9 * _score(m, whole))


@rule("member-of", 1, 0.85, "States before 'member(s) of <organization>': membership.")
def member_of(ctx: Context) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(EK.memberOf):
        org = next((m for m in ctx.of("Organization") if e <= m.start <= e + 6), None)
        if org is None:
            continue
        # the states are the subject of "are/is (all) members of", or the list right before "belong to"
        verb = re.search(r"\s+(?:are|is|were|was|became|become|remain|remains)\s+(?:all\s+|both\s+|also\s+|now\s+)?"
                         r"(?:a\s+|the\s+)?(?:founding\s+|full\s+)?$|,?\s+$", ctx.between(ctx.sent.start, s))
        if verb is None:
            continue
        before = [m for m in ctx.agents(ctx.sent.start, ctx.sent.start + verb.start())]
        for m in _coordinated(ctx, before, ctx.sent.start + verb.start()):
            for state in (m.ids if m.kind == "group" else [i for i in m.ids if ctx.kb.is_a(i, "State")]):
                yield ctx.fact(state, EK.memberOf, obj=org.ids[0], confidence=_score(m, org))


# ============================================================ treaties

@rule("signing", 1, 0.9, "A signing verb with a treaty mention after it (or 'was signed by' before): "
      "people before the verb signed it; their states, and states named as '<state> leaders' or "
      "'leaders of <states>', are its parties; a summit or place in the sentence is where it was signed.")
def signing(ctx: Context) -> Iterable[Fact]:
    for s, e, word in ctx.triggers(EK.signedBy):
        treaty = next((m for m in ctx.of("Treaty") if m.start >= e), None)
        passive = False
        if treaty is None:
            treaty = next((m for m in reversed(ctx.of("Treaty")) if m.end <= s), None)
            passive = True
        if treaty is None:
            continue
        if passive:
            # "<treaty> was signed [in <place>, ...] by <people>"
            by = re.search(r"\bby\s+", ctx.between(e, ctx.sent.end))
            aux = re.search(r"\b(?:was|were|been|being|is)\s+(?:\w+\s+)?$", ctx.between(treaty.end, s))
            signers = ctx.agents(e + by.end(), ctx.sent.end) if by and aux else []
        else:
            signers = ctx.agents(ctx.sent.start, s)
        when = ctx.first_time()
        parties: list[tuple[str, float]] = []
        people = []
        for m in signers:
            for ident in m.ids:
                if ctx.kb.is_a(ident, "Person"):
                    people.append((ident, m))
                    state = ctx.kb.person_state(ident, when.first if when else ctx.doc.article.published)
                    if state:
                        parties.append((state, 0.85 * m.score))
                else:
                    for state in ctx.states(m):
                        parties.append((state, m.score))
        for t in treaty.ids:
            for ident, m in people:
                yield ctx.fact(t, EK.signedBy, obj=ident, time=when, confidence=_score(m, treaty))
            for state, score in dict(parties).items() if False else _unique(parties):
                yield ctx.fact(t, EK.signatory, obj=state, time=when, confidence=min(score, treaty.score))
            for summit in ctx.of("Summit"):
                for sid in summit.ids:
                    yield ctx.fact(t, EK.signedDuring, obj=sid, time=when, confidence=_score(summit, treaty))
            place = _held_place(ctx)
            if place is not None:
                yield ctx.fact(t, EK.signedAt, obj=place.ids[0], time=when, confidence=_score(place, treaty) * 0.9)
        return


def _unique(pairs):
    seen: dict[str, float] = {}
    for ident, score in pairs:
        seen[ident] = max(score, seen.get(ident, 0.0))
    return seen.items()


def _held_place(ctx: Context) -> Mention | None:
    """The place the sentence's event is in: 'held in <place>', 'in <city>'."""
    for m in ctx.of("Place", kinds=("name",)):
        before = ctx.between(max(ctx.sent.start, m.start - 30), m.start)
        if re.search(r"\b(?:held|hosted|convened|staged|took place)?\s*\bin\s+(?:the\s+(?:\w+\s+)?)?$", before) \
                and not ctx.kb.is_a(m.ids[0], "State"):
            return m
    return None


# ============================================================ summits

def _summits(ctx: Context) -> list[Mention]:
    return ctx.of("Summit")


@rule("summit-place", 1, 0.9, "A summit mention followed by 'held/hosted/convened in', 'took place in' or 'in' "
      "and a place: where it was held (with the time stated next to it).")
def summit_place(ctx: Context) -> Iterable[Fact]:
    words = "|".join(re.escape(w) for w in ctx.kb.triggers(EK.heldIn))
    for summit in _summits(ctx):
        place = next((m for m in ctx.of("Place") if m.start > summit.end), None)
        if place is None or ctx.kb.is_a(place.ids[0], "State") and place.kind != "name":
            continue
        gap = ctx.between(summit.end, place.start)
        if not re.fullmatch(rf",?\s+(?:[\w-]+\s+){{0,2}}?(?:which\s+was\s+|was\s+|were\s+|is\s+)?(?:{words})\s+(?:the\s+)?(?:city\s+of\s+)?", gap):
            continue
        when = ctx.time_in(place.end, min(ctx.sent.end, place.end + 30)) or ctx.time_in(ctx.sent.start, summit.start)
        for sid in summit.ids:
            yield ctx.fact(sid, EK.heldIn, obj=place.ids[0], time=when, confidence=_score(summit, place))


@rule("summit-host", 1, 0.85, "'<state> hosted <summit>' or '<summit> hosted by <state>': the host state.")
def summit_host(ctx: Context) -> Iterable[Fact]:
    for s, e, word in ctx.triggers(EK.host):
        if word == "hosted by":
            summit = next((m for m in reversed(_summits(ctx)) if m.end <= s), None)
            host = next((m for m in ctx.agents(e, e + 25)), None)
        else:
            host = next((m for m in reversed(ctx.agents(ctx.sent.start, s)) if s - m.end <= 10), None)
            summit = next((m for m in _summits(ctx) if m.start >= e), None)
        if summit is None or host is None:
            continue
        for state in ctx.states(host)[:1]:
            for sid in summit.ids:
                yield ctx.fact(sid, EK.host, obj=state, time=ctx.first_time(), confidence=_score(summit, host))


@rule("summit-attendance", 1, 0.8, "'At/During <summit>, <people and states> <verb>' or '<people> attended "
      "<summit>': the people attended, their states took part.")
def summit_attendance(ctx: Context) -> Iterable[Fact]:
    summits = _summits(ctx)
    attended = ctx.triggers(EK.attendee)
    guests = [t for t in attended if t[2].endswith((" by", " were", " included"))]
    if guests and re.match(r"\s*(?:Its|The summit's|The meeting's)\b", ctx.text):
        # "Its guests were A, B and C": the summit is the one the article is about
        s, e, _ = guests[0]
        ids = summits[0].ids if summits else tuple(ctx.doc.salient("Summit", ctx.sent.start))
        if not ids:
            return
        summit = Mention(s, e, ctx.between(s, e), tuple(ids), "Summit", "noun", 0.8)
        people_states = ctx.agents(e, ctx.sent.end)
        summits = [summit]
    if not summits:
        return
    lead = re.match(r"\s*(?:At|During|On the sidelines of)\s+(?:a|an|the)?\b", ctx.text)
    if guests and summits[0].kind == "noun" and summits[0].start == guests[0][0]:
        summit = summits[0]
    elif lead and summits[0].start - ctx.sent.start < 60:
        summit = summits[0]
        comma = ctx.text.find(",", summit.end - ctx.sent.start)
        # the clause after the introductory phrase: its subjects are the attendees
        verb = re.search(r"\b(?:signed|pledged|met|agreed|said|held|adopted|called|urged|stressed|announced)\b",
                         ctx.text[comma + 1:]) if comma >= 0 else None
        if verb is None:
            return
        span = (ctx.sent.start + comma + 1, ctx.sent.start + comma + 1 + verb.start())
        people_states = ctx.agents(*span)
        # the summit's own appositive ("held in Astana, the capital of Kazakhstan") is not a subject
    elif attended:
        s, e, _ = attended[0]
        summit = next((m for m in summits if m.start >= e), None)
        if summit is None:
            return
        people_states = ctx.agents(ctx.sent.start, s)
    else:
        return
    when = ctx.first_time()
    for m in people_states:
        for ident in m.ids:
            for sid in summit.ids:
                if ctx.kb.is_a(ident, "Person"):
                    yield ctx.fact(sid, EK.attendee, obj=ident, time=when, confidence=_score(m, summit))
                    state = ctx.kb.person_state(ident, when.first if when else ctx.doc.article.published)
                    if state:
                        yield ctx.fact(sid, EK.participant, obj=state, time=when, confidence=0.85 * _score(m, summit))
        if not any(ctx.kb.is_a(i, "Person") for i in m.ids):
            for state in ctx.states(m):
                for sid in summit.ids:
                    yield ctx.fact(sid, EK.participant, obj=state, time=when, confidence=_score(m, summit))


@rule("summit-edition", 1, 0.85, "An ordinal with a summit: 'the second <summit>', '<summit> was the second "
      "(of its kind)', 'the inaugural <summit>': its edition.")
def summit_edition(ctx: Context) -> Iterable[Fact]:
    ordinals = "|".join(ORDINALS)
    for summit in _summits(ctx):
        after = ctx.between(summit.end, ctx.sent.end)
        m = re.match(rf"\s+(?:in\s+\w+\s+)?(?:was|is|marks|marked|will be)\s+the\s+(?P<o>{ordinals})\b(?!\s+\w+\s+months)", after)
        n = ORDINALS[m.group("o")] if m else None
        first_word = summit.text.split()[0].lower() if summit.text.split() else ""
        if n is None and first_word in ORDINALS:  # "the first China–Central Asia Summit", matched whole
            n = ORDINALS[first_word]
        if n is None:
            before = ctx.between(max(ctx.sent.start, summit.start - 40), summit.start)
            b = re.search(rf"\b(?:the|an?|its)\s+(?P<o>{ordinals})\s+(?:[\w–-]+\s+){{0,3}}$", before)
            if b and summit.kind in ("noun", "name"):
                n = ORDINALS[b.group("o")]
        if n is None:
            continue
        for sid in summit.ids:
            yield ctx.fact(sid, EK.edition, value=str(n), datatype=XSD.positiveInteger, confidence=_score(summit))


@rule("summit-follows", 1, 0.85, "'<summit A> ... following/after <summit B>': A follows B in the series.")
def summit_follows(ctx: Context) -> Iterable[Fact]:
    summits = _summits(ctx)
    for s, e, _ in ctx.triggers(EK.follows):
        before = [m for m in summits if m.end <= s]
        after = [m for m in summits if m.start >= e and m.start - e <= 40]
        if not before or not after:
            continue
        a, b = before[-1], after[0]
        for x in a.ids:
            for y in b.ids:
                if x != y:
                    yield ctx.fact(x, EK.follows, obj=y, confidence=_score(a, b))


@rule("summit-coincides", 1, 0.8, "'<summits> timed alongside / coincided with / on the sidelines of <summit>': "
      "they took place at the same time.")
def summit_coincides(ctx: Context) -> Iterable[Fact]:
    summits = _summits(ctx)
    for s, e, _ in ctx.triggers(EK.coincidesWith):
        subjects = [m for m in summits if m.end <= s]
        objects = [m for m in summits if m.start >= e and m.start - e <= 40]
        if not subjects or not objects:
            continue
        targets = [i for m in objects for i in m.ids]
        for m in subjects[-1:]:
            for x in m.ids:
                ev = ctx.kb.event(x)
                for y in targets:
                    other = ctx.kb.event(y)
                    if x == y:
                        continue
                    # pair each subject with the object that overlaps it in time
                    if ev and other and ev.start and other.start and len(targets) > 1 and \
                            abs((ev.start - other.start).days) > 14:
                        continue
                    yield ctx.fact(x, EK.coincidesWith, obj=y, confidence=_score(m, objects[0]))


# ============================================================ routes

def _route_subject(ctx: Context, before: int) -> Mention | None:
    routes = [m for m in ctx.of("Route") if m.end <= before]
    if routes:
        return routes[-1]
    later = [m for m in ctx.of("Route") if m.start >= before]
    return later[0] if later else None


def _recent_route(ctx: Context) -> list[str]:
    return ctx.doc.recent("Route", ctx.sent.start)


@rule("route-name", 1, 0.9, "A route named by the states it joins ('A–B–C railway'): it connects them.")
def route_name(ctx: Context) -> Iterable[Fact]:
    for route in ctx.of("Route", kinds=("name",)):
        inner = ctx.doc.article.body[route.start:route.end]
        parts = re.split(r"\s*[-–—]\s*", re.sub(r"\s+(?:railway|railroad|pipeline|corridor|route|road|highway|line).*$",
                                                "", inner, flags=re.I))
        if len(parts) < 2:
            continue
        states = []
        for part in parts:
            result = ctx.kb.linker.link(part, type="State", record=False)
            if result.chosen is None:
                states = []
                break
            states.append(result.chosen.id)
        for state in dict.fromkeys(states):
            yield ctx.fact(route.ids[0], EK.connects, obj=state, confidence=_score(route))


def _route_places(ctx: Context, term: URIRef, predicate: URIRef, *, max_gap: int = 60) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(term):
        # the route is the subject of the trigger: named (or referred to) just before it
        route = next((m for m in reversed(ctx.of("Route")) if m.end <= s and s - m.end <= 40
                      and not re.search(r"[.;:!?]|,\s+(?:and|but|as|while)\b", ctx.between(m.end, s))), None)
        if route is None and re.match(r"\s*It\b", ctx.text) and not ctx.of("Route", ctx.sent.start, s):
            # "It will start in Kashgar ...": the route the article is about
            salient = ctx.doc.salient("Route", ctx.sent.start)
            route = Mention(ctx.sent.start, ctx.sent.start + 2, "It", tuple(salient), "Route", "pronoun", 0.75) \
                if salient else None
        if route is None:
            continue
        ids = list(route.ids)
        stop = re.search(r"[.;:!?]|,\s+(?:and\s+)?(?:a|an|the|which|while|as)\b|\s+(?:to|for)\s+(?!\w+\s*$)"
                         r"|\s+(?:without|except|instead of|rather than|but not)\b",
                         ctx.between(e, ctx.sent.end))
        end = e + (stop.start() if stop else ctx.sent.end - e)
        # the next route relation ("crosses A and B and ends at C") closes this one's places
        later = [a for term2 in (EK.connects, EK.bypasses, EK.passesThrough) for a, _, w in ctx.triggers(term2)
                 if a > e and w not in ("from", "between")]
        if later:
            end = min(end, min(later))
        places = []
        for m in ctx.mentions:
            if not (e <= m.start and m.end <= min(end, e + max_gap) and m.kind != "demonym"
                    and all(ctx.kb.is_a(i, "Place") for i in m.ids)):
                continue
            # "Kashgar, in China's Xinjiang region": where the place is, not another place on the route
            if places and re.fullmatch(r",?\s+in\s+(?:[\w’']+\s+){0,2}", ctx.between(places[-1].end, m.start)):
                continue
            places.append(m)
        for m in places:
            for place in m.ids:
                for rid in ids:
                    if place != rid:
                        yield ctx.fact(rid, predicate, obj=place, confidence=_score(m, route))


@rule("route-bypasses", 1, 0.9, "A route, then 'bypass/avoid/circumvent' and places: the route avoids them.")
def route_bypasses(ctx: Context) -> Iterable[Fact]:
    yield from _route_places(ctx, EK.bypasses, EK.bypasses)
    # "Russia, which the new line will bypass": the place comes first, in a relative clause
    for s, e, _ in ctx.triggers(EK.bypasses):
        rel = re.search(r",\s+which\s+(?:the\s+)?(?:\S+\s+){0,5}?$", ctx.between(ctx.sent.start, s))
        if rel is None:
            continue
        at = ctx.sent.start + rel.start()
        place = next((m for m in reversed(ctx.mentions) if m.end == at and all(ctx.kb.is_a(i, "Place") for i in m.ids)),
                     None)
        route = next((m for m in ctx.of("Route") if at <= m.start < s), None)
        if place is not None and route is not None:
            for rid in route.ids:
                for pid in place.ids:
                    yield ctx.fact(rid, EK.bypasses, obj=pid, confidence=_score(place, route))


@rule("route-connects", 1, 0.8, "A route, then 'linking/connecting/between' and places: the route connects them.")
def route_connects(ctx: Context) -> Iterable[Fact]:
    yield from _route_places(ctx, EK.connects, EK.connects, max_gap=80)


@rule("route-passes-through", 1, 0.75, "A route, then 'through/via/across' and places: it passes through them.")
def route_passes(ctx: Context) -> Iterable[Fact]:
    yield from _route_places(ctx, EK.passesThrough, EK.passesThrough)


@rule("route-carries", 1, 0.85, "A route, then 'carries/transports/pumps' and a commodity; or a route "
      "named after a commodity ('gas pipeline').")
def route_carries(ctx: Context) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(EK.carries):
        route = _route_subject(ctx, s)
        good = next((m for m in ctx.of("Commodity") if e <= m.start <= e + 40), None)
        if route is not None and good is not None:
            for rid in route.ids:
                yield ctx.fact(rid, EK.carries, obj=good.ids[0], confidence=_score(route, good))
    for route in ctx.of("Route", kinds=("name",)):
        inner = ctx.doc.article.body[route.start:route.end].lower()
        for ident, entry in ctx.kb.gazetteer.entries.items():
            if entry.type == "Commodity" and any(re.search(rf"\b{re.escape(n.text.lower())}\b", inner)
                                                  for n in entry.names):
                yield ctx.fact(route.ids[0], EK.carries, obj=ident, confidence=_score(route) * 0.9)


@rule("route-first-proposed", 1, 0.9, "'first/initially proposed (in) <time>' said of a route: when it was first proposed.")
def route_first_proposed(ctx: Context) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(EK.firstProposed):
        when = ctx.time_in(e, min(ctx.sent.end, e + 25))
        if when is None or when.precision not in ("year", "decade", "month", "day"):
            continue
        route = _route_subject(ctx, s)
        ids = list(route.ids) if route else _recent_route(ctx)[:1]
        datatype = {"decade": EK.Decade, "year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}[when.precision]
        for rid in ids:
            yield ctx.fact(rid, EK.firstProposed, value=when.value, datatype=datatype, time=when,
                           confidence=route.score if route else 0.8)


@rule("route-alternative", 1, 0.85, "'alternative(s) to <route>' with a route as subject: an alternative to it.")
def route_alternative(ctx: Context) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(EK.alternativeTo):
        other = next((m for m in ctx.of("Route") if e <= m.start <= e + 8), None)
        if other is None:
            continue
        route = next((m for m in reversed(ctx.of("Route")) if m.end <= s and m is not other), None)
        ids = list(route.ids) if route else _recent_route(ctx)[:1]
        for rid in ids:
            for oid in other.ids:
                if rid != oid:
                    yield ctx.fact(rid, EK.alternativeTo, obj=oid, confidence=_score(other))


@rule("route-urgency", 1, 0.8, "A route that 'gained urgency/momentum/impetus as/because of <event>': the event "
      "made it urgent.")
def route_urgency(ctx: Context) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(EK.urgencyFrom):
        event = next((m for m in ctx.mentions if e <= m.start <= e + 40 and
                      any(ctx.kb.is_a(i, "Sanction") or ctx.kb.is_a(i, "ArmedConflict") for i in m.ids)), None)
        if event is None or not re.search(r"\b(?:as|because of|due to|amid|after|following|since|from)\b",
                                           ctx.between(e, event.start)):
            continue
        route = _route_subject(ctx, s)
        ids = list(route.ids) if route else _recent_route(ctx)[:1]
        for rid in ids:
            for ev in event.ids:
                yield ctx.fact(rid, EK.urgencyFrom, obj=ev, confidence=_score(event))


# ============================================================ sanctions

@rule("sanction-target", 1, 0.85, "'sanctions on/against <state or its capital>' (resolved to a curated sanctions "
      "regime): the state is its target; '<state/org> imposed sanctions' names who imposed them.")
def sanction_target(ctx: Context) -> Iterable[Fact]:
    for sanction in ctx.of("Sanction"):
        after = ctx.between(sanction.end, ctx.sent.end)
        m = re.match(r"\s+(?:on|against)\s+(?:the\s+)?", after)
        if m:
            target = next((x for x in ctx.mentions if x.start == sanction.end + m.end()), None)
            if target is not None:
                for state in ctx.states(target):
                    for sid in sanction.ids:
                        yield ctx.fact(sid, EK.target, obj=state, confidence=_score(sanction, target))
        for s, e, word in ctx.triggers(EK.imposedBy):
            if not (sanction.end <= s <= sanction.end + 40 or e <= sanction.start <= e + 20):
                continue
            if word == "imposed by":
                who = [x for x in ctx.agents(e, e + 60)] + [x for x in ctx.of("Organization") if e <= x.start <= e + 60]
            else:
                who = _coordinated(ctx, [x for x in ctx.mentions if x.end <= s and x.kind == "name" and any(
                    ctx.kb.is_a(i, "State") or ctx.kb.is_a(i, "Organization") for i in x.ids)], s)
            for x in who:
                for ident in x.ids:
                    for sid in sanction.ids:
                        yield ctx.fact(sid, EK.imposedBy, obj=ident, confidence=_score(sanction, x))


def _coordinated(ctx: Context, before: list[Mention], at: int) -> list[Mention]:
    """The list of mentions that ends just before ``at``: "The United States, the EU, Japan and Canada"."""
    if not before or not re.fullmatch(r"\s*(?:\w+\s+){0,1}", ctx.between(before[-1].end, at)):
        return []
    out = [before[-1]]
    for m in reversed(before[:-1]):
        if re.fullmatch(r"\s*(?:,|,?\s+and|,?\s+as well as)\s+(?:the\s+)?", ctx.between(m.end, out[-1].start)):
            out.append(m)
        else:
            break
    return list(reversed(out))


# ============================================================ quotes

@rule("quote", 1, 0.9, "A quotation with a speech verb and a speaker next to it ('“…,” X said', 'X said “…”', "
      "'X criticized what he called “…”', '…, adding that “…”'): the speaker said the words.")
def quote(ctx: Context) -> Iterable[Fact]:
    verbs = "|".join(re.escape(w) for w in ctx.kb.triggers(EK.said))
    speakers = [m for m in ctx.sent.mentions if m.resolved and m.kind in ("name", "pronoun")
                and all(ctx.kb.is_a(i, "Person") for i in m.ids)
                and not any(q.start <= m.start < q.end for q in ctx.sent.quotes)]
    last_speaker = None
    for q in ctx.sent.quotes:
        words = q.text.strip(" ,.;:")
        if len(words.split()) < 2:
            continue
        speaker = None
        after = ctx.between(q.end, ctx.sent.end)
        m = re.match(rf"\s*,?\s*(?P<a>[\w’' .-]{{0,40}}?)\s*\b(?:{verbs})\b", after)
        if m is not None:
            speaker = next((x for x in speakers if q.end <= x.start <= q.end + m.end() + 25), None)
        if speaker is None:
            before = ctx.between(ctx.sent.start, q.start)
            if re.search(rf"\b(?:{verbs})\b[^“\"«]{{0,60}}$|\b(?:adding|saying|noting|warning)\s+(?:that\s+)?$", before):
                speaker = next((x for x in reversed(speakers) if x.end <= q.start), None) or last_speaker
        if speaker is None:
            continue
        last_speaker = speaker
        when = ctx.first_time()
        for person in speaker.ids:
            yield ctx.fact(person, EK.said, value=words, datatype=XSD.string, time=when, confidence=_score(speaker))


# ============================================================ money

def _agent_before(ctx: Context, s: int) -> Mention | None:
    agents = [m for m in ctx.agents(ctx.sent.start, s) if m.kind != "group"]
    return agents[-1] if agents else None


@rule("aid-pledge", 1, 0.85, "A pledging verb ('pledged', 'promised', 'will provide') with an amount after it and "
      "an agent before it: the agent pledged aid (equivalent in brackets, recipients after 'to', purpose after "
      "'for', year after 'in/for', kind from the noun after the amount).")
def aid_pledge(ctx: Context) -> Iterable[Fact]:
    for s, e, _ in ctx.triggers(EK.pledgedAid):
        money = [m for m in ctx.sent.money if m.start >= e and m.start - e <= 40]
        if not money:
            continue
        agent = _agent_before(ctx, s)
        if agent is None:
            continue
        amount = money[0]
        quals: dict[str, object] = {}
        rest_at = amount.end
        eq = next((m for m in ctx.sent.money if m.start > amount.end and
                   re.fullmatch(r"\s*[(\[]\s*(?:about|around|roughly|some|nearly|approximately|or)?\s*",
                                ctx.between(amount.end, m.start))), None)
        if eq is not None:
            quals["equivalentAmount"] = {"value": plain(eq.amount), "unit": eq.code}
            rest_at = eq.end + 1
        rest = ctx.between(rest_at, ctx.sent.end)
        kinds = {w for w in ctx.kb.triggers(EK.aidKind)}
        kind = re.match(r"\s*\)?\s*(?:in|of|as|worth of)?\s*(?P<k>[\w-]+)?\s*(?P<k2>[\w-]+)?", rest)
        if kind:
            for k in (kind.group("k"), kind.group("k2")):
                if k and k.lower() in kinds:
                    quals["aidKind"] = k.lower().rstrip("s") if k.lower() not in ("assistance", "financing") else k.lower()
                    break
        to = re.search(r"\bto\s+", rest)
        if to:
            stop = re.search(r"\s+(?:for|in|by|over|to\s+(?:support|fund|help|finance))\b|[.;]", rest[to.end():])
            lo = rest_at + to.end()
            hi = lo + (stop.start() if stop else len(rest) - to.end())
            recipients = []
            for m in ctx.mentions:
                if lo <= m.start and m.end <= hi:
                    recipients += ctx.states(m) if not m.kind == "group" else list(m.ids)
            if recipients:
                quals["recipient"] = [ID[r] for r in dict.fromkeys(recipients)]
        purpose = re.search(r"\bfor\s+(?P<p>(?:[\w-]+(?:,)?\s+){0,6}(?:projects?|programmes?|programs?|development|"
                            r"infrastructure|needs|purposes|reconstruction|relief|construction))\b", rest)
        if purpose:
            quals["purpose"] = purpose.group("p")
        year = next((t for t in ctx.sent.times if t.start >= amount.end and t.precision == "year"), None)
        if year is not None:
            quals["forYear"] = year.value
        when = year or ctx.first_time()
        subject = agent.ids[0]
        if agent.kind == "name" and ctx.kb.capital_state(agent.ids[0], ctx.doc.article.published):
            subject = ctx.kb.capital_state(agent.ids[0], ctx.doc.article.published)
        donor = ctx.states(agent)
        if donor and donor[0] != subject:
            quals["donor"] = ID[donor[0]]
        yield ctx.fact(subject, EK.pledgedAid, value=plain(amount.amount), datatype=XSD.decimal, unit=amount.code,
                       qualifiers=quals, time=when, confidence=_score(agent))
        return


@rule("trade-volume", 1, 0.85, "'<state>'s (two-way) trade with <partners>' or 'trade between <A> and <B>' with "
      "a value verb and an amount: the trade volume (period from the time stated, change from a percentage "
      "with a rise/fall word).")
def trade_volume(ctx: Context) -> Iterable[Fact]:
    if not ctx.sent.money:
        return
    for s, e, word in ctx.triggers(EK.TwoWayTrade):
        amount = next((m for m in ctx.sent.money if m.start >= e and m.start - e <= 140), None)
        if amount is None:
            continue
        verbs = "|".join(re.escape(w) for w in ctx.kb.triggers(EK.tradeValue))
        moves = "|".join(re.escape(w) for w in ctx.kb.triggers(EK.changePercent)
                         + ctx.kb.triggers(EK.changePercent, EK.negativeTrigger))
        between = ctx.between(e, amount.start)
        hedge = r"(?:about|around|nearly|almost|some|roughly|more than|over|a record)?\s*"
        moved = re.search(rf"\b(?P<v>{moves})\s+(?:by\s+)?(?P<p>[\d.]+)\s?(?:%|percent|per cent)\s+to\s+{hedge}$",
                          between)
        if not moved and not re.search(rf"\b(?:{verbs})\b\s*{hedge}$", between):
            continue
        before = ctx.between(ctx.sent.start, s)
        subject = None
        owner = [m for m in ctx.mentions if m.end <= s and re.fullmatch(
            r"(?:’s|'s)\s+(?:[\w-]+\s+){0,2}", ctx.between(m.end, s))]
        if owner:
            subject = ctx.states(owner[-1])
        elif re.search(r"\b(?:[Ii]ts|[Tt]he country's)\s+(?:[\w-]+\s+){0,2}$", before):
            state = ctx.anaphor_state()
            subject = [state] if state else None
        with_ = re.match(r"\s+(?:with|between)\s+", ctx.between(e, amount.start))
        partners: list[str] = []
        if with_:
            verb_at = re.search(rf"\b(?:{verbs})\b", between)
            hi = e + (verb_at.start() if verb_at else len(between))
            for m in ctx.mentions:
                if e <= m.start and m.end <= hi:
                    partners += list(m.ids) if m.kind == "group" else ctx.states(m)
        if not subject and partners and re.match(r"\s+between\s+", ctx.between(e, amount.start)):
            subject, partners = partners[:1], partners[1:]
        if not subject:
            continue
        quals: dict[str, object] = {}
        if partners:
            quals["partner"] = [ID[p] for p in dict.fromkeys(partners) if p not in subject]
        if word in ("two-way trade", "bilateral trade", "trade turnover", "turnover", "total trade"):
            quals["flow"] = EK.TwoWayTrade
        period = None
        for t in ctx.sent.times:
            lead = ctx.between(max(ctx.sent.start, t.start - 40), t.start)
            if re.search(r"(?:same period|compared (?:to|with)|from|than|versus|vs\.?)\s+(?:in\s+|of\s+)?(?:the\s+)?$", lead):
                continue
            period = t
            break
        pct = next((p for p in ctx.sent.percents if p.start > amount.end), None)
        if moved:
            down = moved.group("v").lower() in ctx.kb.triggers(EK.changePercent, EK.negativeTrigger)
            quals["changePercent"] = plain(-Decimal(moved.group("p")) if down else Decimal(moved.group("p")))
        elif pct is not None:
            around = ctx.between(max(amount.end, pct.start - 30), min(ctx.sent.end, pct.end + 25)).lower()
            up = any(re.search(rf"\b{re.escape(w)}\b", around) for w in ctx.kb.triggers(EK.changePercent))
            down = any(re.search(rf"\b{re.escape(w)}\b", around)
                       for w in ctx.kb.triggers(EK.changePercent, EK.negativeTrigger))
            if up != down:
                quals["changePercent"] = plain(pct.value if up else -pct.value)
        if period is not None:
            quals["period"] = period.value
        for state in subject[:1]:
            yield ctx.fact(state, EK.tradeVolume, value=plain(amount.amount), datatype=XSD.decimal, unit=amount.code,
                           qualifiers=quals, time=period, confidence=_score(owner[-1]) if owner else 0.9)
        return


@rule("trade-balance", 1, 0.85, "States before 'surplus' or 'deficit' (partner after 'with', commodity after "
      "'due to/thanks to/driven by'): the state's trade balance.")
def trade_balance(ctx: Context) -> Iterable[Fact]:
    for individual in (EK.Surplus, EK.Deficit):
        for s, e, _ in ctx.triggers(individual):
            clause_start = ctx.sent.start
            subjects = [m for m in ctx.agents(clause_start, s) if not re.search(
                r"\b(?:with|to|from|against)\s+(?:the\s+)?$", ctx.between(max(ctx.sent.start, m.start - 12), m.start))]
            quals: dict[str, object] = {}
            w = re.match(r"\s+(?:in\s+\w+\s+)?(?:with|against)\s+(?:the\s+)?", ctx.between(e, ctx.sent.end))
            if w:
                partner = next((m for m in ctx.mentions if m.start == e + w.end()), None)
                if partner is not None:
                    quals["partner"] = [ID[p] for p in ctx.states(partner)]
            cause = re.search(r"\b(?:due (?:in large part |largely |mainly )?to|thanks to|driven by|because of|on the back of|from)\b",
                              ctx.between(e, ctx.sent.end))
            if cause:
                good = next((m for m in ctx.of("Commodity") if m.start >= e + cause.end()
                             and m.start - (e + cause.end()) <= 40), None)
                if good is not None:
                    quals["balanceDrivenBy"] = ID[good.ids[0]]
            found = False
            for m in subjects:
                for state in (m.ids if m.kind == "group" else ctx.states(m)):
                    if isinstance(quals.get("partner"), list) and ID[state] in quals["partner"]:
                        continue
                    found = True
                    yield ctx.fact(state, EK.tradeBalance, obj=individual, qualifiers=quals, time=ctx.first_time(),
                                   confidence=_score(m))
            if not found and re.search(r"\b(?:[Ii]t|[Ii]ts|the country)\b", ctx.between(ctx.sent.start, s)):
                state = ctx.anaphor_state()
                if state and not (isinstance(quals.get("partner"), list) and ID[state] in quals["partner"]):
                    yield ctx.fact(state, EK.tradeBalance, obj=individual, qualifiers=quals, time=ctx.first_time(),
                                   confidence=0.8)
            break


def run_rules(doc: Document, rules: dict[str, Rule] | None = None) -> list[Fact]:
    """Every rule on every sentence (headings skipped), in reading order."""
    facts: list[Fact] = []
    for sent in doc.sentences:
        if sent.heading:
            continue
        ctx = Context(doc, sent)
        for r in (rules or RULES).values():
            ctx.rule = r
            facts.extend(r.apply(ctx))
    return facts


__all__ = ["RULES", "Rule", "rule", "run_rules", "Context", "When", "plain"]
