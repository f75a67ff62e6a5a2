"""A synthetic graph in eurokg's shape, of any size, for benchmarks.

States with capitals, leaders and their terms of office, summits with
attendees and participants, treaties with signatories, trade relations between
pairs of states per year with values, and routes connecting states. Every
entity has a label and a source, like curated data. Deterministic for a given
size (random.Random with a fixed seed).
"""

from __future__ import annotations

import random

from rdflib import Dataset, Literal

from eurokg.merge import union_graph  # noqa: F401  (re-exported for benchmark scripts)
from eurokg.vocab import EK, GRAPH, ID, PROV, RDF, RDFS, XSD


def synthetic_dataset(target_triples: int, seed: int = 1, *, valid: bool = False) -> Dataset:
    """``valid=True``: a graph that passes validation (warnings aside), as a build needs:
    entities say that they have no Wikidata item, the currency is described, and
    treaties are signed after every signer took office."""
    rng = random.Random(seed)
    ds = Dataset()
    ds.default_union = True
    g = ds.graph(GRAPH["synthetic"])
    src = ID["synthetic-source"]
    g.add((src, RDF.type, EK.Article))
    g.add((src, RDFS.label, Literal("synthetic source", lang="en")))
    g.add((src, EK.datePublished, Literal("2025-06-17", datatype=XSD.date)))
    g.add((src, PROV.wasDerivedFrom, src))

    # The invalid graph's currency lacks a label and a Wikidata decision (one focus node with findings);
    # the valid graph's has its own IRI, so that it also merges with the shipped data (which has id:usd).
    currency = ID["synthetic-currency"] if valid else ID["usd"]
    for t in ((currency, RDF.type, EK.Currency), (currency, EK.isoCode, Literal("XXX" if valid else "USD")),
              (currency, PROV.wasDerivedFrom, src)):
        g.add(t)
    if valid:
        g.add((currency, RDFS.label, Literal("no currency", lang="en")))
        g.add((currency, EK.noWikidataItem, Literal(True)))
    unlinked = Literal(True)

    n_states = max(6, int((target_triples / 60) ** 0.5))
    states = [ID[f"state-{i}"] for i in range(n_states)]
    for i, s in enumerate(states):
        city = ID[f"city-{i}"]
        for t in ((s, RDF.type, EK.State), (s, RDFS.label, Literal(f"State {i}", lang="en")),
                  (s, EK.capital, city), (s, PROV.wasDerivedFrom, src),
                  (city, RDF.type, EK.City), (city, RDFS.label, Literal(f"City {i}", lang="en")),
                  (city, EK.country, s), (city, PROV.wasDerivedFrom, src)):
            g.add(t)
        if valid:
            g.add((s, EK.noWikidataItem, unlinked))
            g.add((city, EK.noWikidataItem, unlinked))
    people = []
    n = 0
    while len(g) < target_triples:
        kind = rng.random()
        n += 1
        if kind < 0.25:
            p, o, s = ID[f"person-{n}"], ID[f"office-{n}"], rng.choice(states)
            year = rng.randint(1990, 2024)
            for t in ((p, RDF.type, EK.Person), (p, RDFS.label, Literal(f"Person {n}", lang="en")),
                      (p, PROV.wasDerivedFrom, src), (o, RDF.type, EK.Office), (o, EK.holder, p),
                      (o, EK.officeOf, s), (o, EK.title, Literal("President", lang="en")),
                      (o, EK.startDate, Literal(f"{year}-01-01", datatype=XSD.date)),
                      (o, PROV.wasDerivedFrom, src)):
                g.add(t)
            if valid:
                g.add((p, EK.noWikidataItem, unlinked))
            people.append(p)
        elif kind < 0.4 and people:
            sm = ID[f"summit-{n}"]
            year = rng.randint(2000, 2025)
            for t in ((sm, RDF.type, EK.Summit), (sm, RDFS.label, Literal(f"Summit {n}", lang="en")),
                      (sm, EK.series, Literal("Synthetic summit", lang="en")),
                      (sm, EK.heldIn, ID[f"city-{rng.randrange(n_states)}"]),
                      (sm, EK.startDate, Literal(f"{year}-06-01", datatype=XSD.date)),
                      (sm, PROV.wasDerivedFrom, src)):
                g.add(t)
            for p in rng.sample(people, min(len(people), 5)):
                g.add((sm, EK.attendee, p))
            for s in rng.sample(states, 5):
                g.add((sm, EK.participant, s))
        elif kind < 0.5 and people:
            tr = ID[f"treaty-{n}"]
            for t in ((tr, RDF.type, EK.MultilateralTreaty), (tr, RDFS.label, Literal(f"Treaty {n}", lang="en")),
                      (tr, EK.signingDate, Literal(f"{2025 if valid else rng.randint(1995, 2025)}-03-01",
                                                   datatype=XSD.date)),
                      (tr, EK.treatyStatus, EK.Signed), (tr, PROV.wasDerivedFrom, src)):
                g.add(t)
            for s in rng.sample(states, 3):
                g.add((tr, EK.signatory, s))
            for p in rng.sample(people, min(len(people), 3)):
                g.add((tr, EK.signedBy, p))
        elif kind < 0.9:
            rec = ID[f"trade-{n}"]
            a, b = rng.sample(states, 2)
            year = rng.randint(2000, 2025)
            for t in ((rec, RDF.type, EK.TradeRelation), (rec, EK.reporter, a), (rec, EK.partner, b),
                      (rec, EK.flow, EK.TwoWayTrade),
                      (rec, EK.periodStart, Literal(f"{year}-01-01", datatype=XSD.date)),
                      (rec, EK.periodEnd, Literal(f"{year}-12-31", datatype=XSD.date)),
                      (rec, EK.tradeValue, Literal(str(rng.randint(1_000_000, 10**11)), datatype=XSD.decimal)),
                      (rec, EK.currency, currency), (rec, PROV.wasDerivedFrom, src)):
                g.add(t)
        else:
            r = ID[f"route-{n}"]
            for t in ((r, RDF.type, EK.Railway), (r, RDFS.label, Literal(f"Route {n}", lang="en")),
                      (r, EK.routeStatus, EK.Proposed), (r, PROV.wasDerivedFrom, src)):
                g.add(t)
            for s in rng.sample(states, 3):
                g.add((r, EK.connects, s))
    return ds
