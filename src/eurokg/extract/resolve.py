"""Resolve a class noun ("the treaty", "an inaugural gathering held in northwest China in
2023", "the Russian corridor", "sanctions on Moscow", "meetings of G7 leaders") to entities.

The words around the noun constrain a search of the curated events and routes: a quoted
title, a demonym or state before it, an organizer, a place after "held in"/"in", a time,
an ordinal (the edition). Without such words a definite noun ("the summit") is the most
recent entity of its class in the article; an indefinite one is searched for near the
publication date. A search that leaves more than one candidate resolves nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from ..vocab import EK

ROUTE_CLASSES = ("Route", "Railway", "Pipeline", "Corridor")
EVENT_CLASSES = ("Summit", "Treaty")
CLAUSE_END = re.compile(r"[.;:!?—–]|,\s+(?:and|but|as|while|which|who)\b|\s+(?:and|but)\s+(?:has|have|had|is|was|were)\b")
WINDOW_DAYS = 14


def _clause_after(sent, end: int) -> tuple[int, str]:
    rest = sent.text[end - sent.start:]
    cut = CLAUSE_END.search(rest)
    return end, rest[: cut.start()] if cut else rest


def _mention_after(sent, offset: int, limit: int, pred) -> object | None:
    for m in sent.mentions:
        if offset <= m.start < limit and m.resolved and pred(m):
            return m
    return None


def _set(mention, ids, score: float) -> None:
    ids = tuple(dict.fromkeys(ids))
    if ids:
        mention.ids, mention.score, mention.status = ids, score, "linked"


def resolve_noun(doc, sent, mention, history) -> None:
    kb = doc.kb
    cls = mention.cls
    before = sent.text[: mention.start - sent.start]
    words_before = before.split()[-4:]
    definite = bool(words_before) and words_before[0].lower() in ("the", "this", "that", "these", "those", "both") \
        or any(w.lower() in ("the", "this", "both", "these") for w in words_before[-2:])
    start, clause = _clause_after(sent, mention.end)

    # a quoted title: treaty of "permanent good-neighbourliness ..."
    q = re.match(r"\s+(of|on)\s+[“\"«](?P<t>[^”\"»]+)[”\"»]", clause)
    if q:
        result = kb.linker.link(f"{mention.text} {q.group(1)} {q.group('t')}", type=cls,
                                date=doc.article.published, record=False)
        if result.chosen:
            _set(mention, [result.chosen.id], min(result.chosen.score, 0.95))
            return

    prev = next((m for m in reversed(sent.mentions) if m.end <= mention.start and m.resolved), None)
    gap = sent.text[prev.end - sent.start: mention.start - sent.start] if prev else None

    # "the Russian corridor": a route named by the state it crosses
    if cls in ROUTE_CLASSES and prev is not None and re.fullmatch(r"\s*", gap or "x"):
        state = prev.ids[0] if kb.is_a(prev.ids[0], "State") else None
        if state:
            found = kb.routes_through(state, cls if cls != "Route" else "Route")
            if len(found) == 1:
                _set(mention, found, 0.8)
                return

    # "a key overland route that ...": an appositive renames the route just named
    if cls in ROUTE_CLASSES and prev is not None and any(kb.is_a(i, "Route") for i in prev.ids) \
            and re.fullmatch(r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}", gap or ""):
        _set(mention, prev.ids, 0.85)
        return

    # "sanctions on Moscow"
    if cls == "Sanction":
        m = _mention_after(sent, mention.end, mention.end + 20, lambda x: True)
        if m is not None and re.fullmatch(r"\s+(?:on|against)\s+(?:the\s+)?",
                                          sent.text[mention.end - sent.start: m.start - sent.start]):
            state = kb.capital_state(m.ids[0], doc.article.published) or m.ids[0]
            found = kb.sanctions_on(state)
            if len(found) == 1:
                _set(mention, found, 0.8)
                return
        if definite:
            _set(mention, doc.recent("Sanction", mention.start), 0.7)
        return

    if cls in EVENT_CLASSES:
        # an organizer before ("G7 summit") or after ("meetings of G7 leaders")
        org = None
        if prev is not None and re.fullmatch(r"\s*|’s\s+|'s\s+", gap or "x") \
                and kb.is_a(prev.ids[0], "Organization"):
            org = prev.ids[0]
        after = _mention_after(sent, mention.end, mention.end + 12, lambda x: kb.is_a(x.ids[0], "Organization"))
        if after is not None and re.fullmatch(r"\s+(?:of|by)\s+(?:the\s+)?",
                                              sent.text[mention.end - sent.start: after.start - sent.start]):
            org = after.ids[0]
        if org is not None:
            anchors = [i for m in sent.mentions if m.start < mention.start and m.resolved
                       for i in m.ids if kb.is_a(i, cls)]
            windows = []
            for a in anchors:
                ev = kb.event(a)
                if ev and ev.start:
                    windows.append((ev.start - dt.timedelta(days=WINDOW_DAYS), ev.end + dt.timedelta(days=WINDOW_DAYS)))
            if not windows:
                windows = [_window(doc, sent)]
            found = []
            for w in windows:
                hits = kb.find_events(cls, when=w, organizer=org)
                if len(hits) == 1:
                    found.append(hits[0].id)
            _set(mention, found, 0.75)
            return

        place = _mention_after(sent, mention.end, mention.end + len(clause),
                               lambda x: kb.is_a(x.ids[0], "Place"))
        place_ok = place is not None and re.search(
            r"\b(?:held|hosted|convened|staged|took place|signed)?\s*in\s+(?:the\s+)?(?:[\w-]+\s+)?$",
            sent.text[mention.end - sent.start: place.start - sent.start])
        when = next((t for t in sent.times if mention.end <= t.start < mention.end + len(clause)), None)
        edition = doc.ordinal_before(sent, mention.start)
        if mention.plural and definite:
            count = 2 if re.search(r"\bboth\b", before[-20:], re.I) else 1
            _set(mention, doc.recent(cls, mention.start, count), 0.75)
            return
        if definite and not place_ok and when is None and edition is None:
            _set(mention, doc.salient(cls, mention.start), 0.8)
            return
        window = (when.first, when.last) if when else (
            (sent.times[0].first, sent.times[0].last) if sent.times and cls == "Treaty" else _window(doc, sent))
        candidates = kb.find_events(cls, when=window, place=place.ids[0] if place_ok else None)
        if edition is not None:
            candidates = [c for c in candidates if c.edition in (None, edition)] or candidates
        if len(candidates) > 1:
            series = {kb.event(i).series for i in doc.recent(cls, mention.start, 3) if kb.event(i)}
            same = [c for c in candidates if c.series in series]
            candidates = same or candidates
        if len(candidates) == 1:
            _set(mention, [candidates[0].id], 0.8)
        elif definite:
            _set(mention, doc.salient(cls, mention.start), 0.7)
        return

    if cls in ROUTE_CLASSES and definite:
        _set(mention, doc.salient(cls, mention.start), 0.75)


def _window(doc, sent) -> tuple[dt.date, dt.date]:
    """The time a sentence speaks of: its first time expression, else the weeks around publication."""
    if sent.times:
        return sent.times[0].first, sent.times[0].last
    day = doc.article.published
    return day - dt.timedelta(days=WINDOW_DAYS), day + dt.timedelta(days=1)


__all__ = ["resolve_noun", "EK"]
