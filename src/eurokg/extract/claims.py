"""Claims in RDF, corroboration and contradictions.

Every extracted fact becomes an ``ek:Claim`` (an ``rdf:Statement`` with
``rdf:subject``/``rdf:predicate``/``rdf:object``) in the named graph
``graph:claims/<article>``, with its qualifiers (as the ontology's properties:
``ek:recipient``, ``ek:partner``, ``ek:equivalentAmount``...), its time
(``ek:claimTime``), the evidence sentence and offsets, the rule, the confidence
and the article it came from. Claims are not facts: the union graph that SHACL,
the reasoner, views and Turtle export read leaves the claim graphs out.

A claim's status:

* ``ek:Curated``: the curated data already asserts the same fact (for quotes,
  pledges and trade figures: a curated statement, pledge or trade relation with
  the same speaker/donor/reporter and the same words or amount);
* ``ek:Contradicted``: the curated data or another claim gives a different
  value for the same slot (the same reporter, partners and period of a trade
  figure; a functional property such as a route's first proposal);
* ``ek:Corroborated``: at least N independent sources state it (independent:
  distinct source URLs, else distinct articles); simple facts (an entity or a
  value for one property) are then asserted in ``graph:corroborated``;
* ``ek:Claimed`` otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from ..vocab import EK, GRAPH, ID
from .facts import Fact
from .values import plain

CLAIMS_PREFIX = str(GRAPH["claims/"])
CORROBORATED_GRAPH = GRAPH["corroborated"]
DEFAULT_MIN_SOURCES = 2

TIME_DATATYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear, "decade": EK.Decade}

# n-ary relations: how the curated data states the same fact (class, role of the subject, value property)
NARY = {
    EK.said: (EK.Statement, (EK.speaker,), EK.quote),
    EK.pledgedAid: (EK.AidPledge, (EK.pledgedBy, EK.donor), EK.amount),
    EK.tradeVolume: (EK.TradeRelation, (EK.reporter,), EK.tradeValue),
    EK.tradeBalance: (EK.TradeRelation, (EK.reporter,), EK.balance),
}


def claims_graph(article_id: str) -> URIRef:
    return GRAPH[f"claims/{article_id}"]


def is_claims_graph(iri) -> bool:
    return str(iri).startswith(CLAIMS_PREFIX)


def claim_iri(fact: Fact) -> URIRef:
    digest = hashlib.sha256(repr((fact.source, fact.key())).encode("utf-8")).hexdigest()[:16]
    return ID[f"claim/{fact.source}/{digest}"]


def article_iri(article) -> URIRef:
    return ID[article.source_id] if article.source_id else ID[f"article/{article.id}"]


def _time_literal(when) -> Literal:
    if "/" in when.value:
        return Literal(when.value)
    return Literal(when.value, datatype=TIME_DATATYPES[when.precision])


def _qualifier_triples(node, name: str, value, currencies: dict[str, str]):
    if name == "period":
        return
    if name == "equivalentAmount" and isinstance(value, dict):
        yield node, EK.equivalentAmount, Literal(Decimal(value["value"]), datatype=XSD.decimal)
        cur = currencies.get(value.get("unit"))
        if cur:
            yield node, EK.equivalentCurrency, ID[cur]
        return
    prop = EK[name]
    for v in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(v, URIRef):
            yield node, prop, v
        elif name == "changePercent":
            yield node, prop, Literal(Decimal(str(v)), datatype=XSD.decimal)
        elif name == "forYear":
            yield node, prop, Literal(str(v), datatype=XSD.gYear)
        else:
            yield node, prop, Literal(str(v))


def claim_triples(fact: Fact, article, currencies: dict[str, str]) -> list[tuple]:
    node = claim_iri(fact)
    obj = fact.object if fact.object is not None else Literal(
        Decimal(fact.value) if fact.datatype == XSD.decimal else fact.value,
        datatype=fact.datatype if fact.datatype not in (None, XSD.string) else None)
    out = [
        (node, RDF.type, EK.Claim),
        (node, RDF.subject, ID[fact.subject]),
        (node, RDF.predicate, fact.predicate),
        (node, RDF.object, obj),
        (node, EK.evidence, Literal(fact.sentence)),
        (node, EK.charStart, Literal(fact.start, datatype=XSD.nonNegativeInteger)),
        (node, EK.charEnd, Literal(fact.end, datatype=XSD.nonNegativeInteger)),
        (node, EK.rule, Literal(fact.rule)),
        (node, EK.confidence, Literal(Decimal(str(fact.confidence)), datatype=XSD.decimal)),
        (node, PROV.wasDerivedFrom, article_iri(article)),
    ]
    if fact.unit and fact.unit in currencies:
        out.append((node, EK.unit, ID[currencies[fact.unit]]))
    if fact.time is not None:
        out.append((node, EK.claimTime, _time_literal(fact.time)))
    for name, value in sorted(fact.qualifiers.items()):
        out.extend(_qualifier_triples(node, name, value, currencies))
    return out


def article_triples(article) -> list[tuple]:
    node = article_iri(article)
    if article.source_id:  # already a curated source
        return []
    out = [(node, RDF.type, EK.Article), (node, RDFS.label, Literal(article.title, lang=article.language or None)),
           (node, EK.datePublished, Literal(article.published.isoformat(), datatype=XSD.date)),
           (node, EK.file, Literal(article.path))]
    if article.url:
        out.append((node, EK.url, Literal(article.url, datatype=XSD.anyURI)))
    if article.publisher:
        out.append((node, EK.note, Literal(f"Publisher: {article.publisher}")))
    for cited in article.sources:
        out.append((node, RDFS.seeAlso, Literal(cited)))
    return out


@dataclass
class Contradiction:
    slot: tuple
    values: list[tuple[str, str]]  # (value, where)

    def text(self) -> str:
        subject, predicate, unit, period, partners = self.slot
        what = f"{subject} {predicate.rsplit('/', 1)[-1]}" + (f" ({period})" if period else "")
        return f"{what}: " + "; ".join(f"{v} [{w}]" for v, w in self.values)


@dataclass
class Corroboration:
    statuses: dict[tuple, URIRef] = field(default_factory=dict)  # fact key -> status
    counts: dict[tuple, int] = field(default_factory=dict)
    contradictions: list[Contradiction] = field(default_factory=list)
    asserted: Graph = field(default_factory=Graph)


def _independence(article) -> str:
    if article.url:
        parts = urlsplit(article.url)
        return f"{parts.netloc}{parts.path}"
    return f"article:{article.id}"


def _curated_value(graph: Graph, fact: Fact) -> tuple[bool, list[str]]:
    """(the curated data states this fact, the curated values of the same slot)."""
    if fact.predicate in NARY:
        cls, roles, value_prop = NARY[fact.predicate]
        subject = ID[fact.subject]
        found, values = False, []
        for role in roles:
            for node in graph.subjects(role, subject):
                for v in graph.objects(node, value_prop):
                    if fact.predicate == EK.tradeVolume:
                        if fact.time is not None:
                            start = graph.value(node, EK.periodStart)
                            if start is None or not str(start).startswith(fact.time.value.split("/")[0]):
                                continue
                        values.append(str(v))
                    if _same_value(v, fact):
                        found = True
        return found, values
    obj = fact.object if fact.object is not None else None
    if obj is not None:
        return (ID[fact.subject], fact.predicate, obj) in graph, []
    values = [str(v) for v in graph.objects(ID[fact.subject], fact.predicate)]
    return any(_same_value(Literal(v), fact) for v in values), values


def _same_value(v, fact: Fact) -> bool:
    if isinstance(v, URIRef):
        return fact.object is not None and v == fact.object
    if fact.value is None:
        return False
    try:
        return Decimal(str(v)) == Decimal(fact.value)
    except ArithmeticError:
        norm = lambda s: " ".join("".join(c for c in s.lower() if c.isalnum() or c.isspace()).split())  # noqa: E731
        return norm(fact.value) in norm(str(v)) or norm(str(v)) in norm(fact.value)


def corroborate(extractions, curated: Graph, ontology, *, min_sources: int = DEFAULT_MIN_SOURCES) -> Corroboration:
    """Statuses for every fact of every extraction, contradictions, and the corroborated triples."""
    result = Corroboration()
    sources: dict[tuple, set[str]] = {}
    facts: dict[tuple, Fact] = {}
    slots: dict[tuple, dict[str, list[str]]] = {}
    functional = {p for p in ontology.graph.subjects(RDF.type, OWL.FunctionalProperty)} | {EK.tradeVolume}
    for ex in extractions:
        for f in ex.facts:
            k = f.key()
            sources.setdefault(k, set()).add(_independence(ex.article))
            facts.setdefault(k, f)
            if f.predicate in functional and f.value is not None:
                slots.setdefault(f.period_key(), {}).setdefault(plain(Decimal(f.value)) if f.datatype == XSD.decimal
                                                               else f.value, []).append(ex.article.path)
    for slot, values in sorted(slots.items(), key=lambda kv: repr(kv[0])):
        sample = next(facts[k] for k in facts if facts[k].period_key() == slot)
        _, curated_values = _curated_value(curated, sample)
        merged = {v: list(where) for v, where in values.items()}
        for cv in curated_values:
            key = plain(Decimal(cv)) if sample.datatype == XSD.decimal else cv
            merged.setdefault(key, []).append("curated")
        if len(merged) > 1:
            result.contradictions.append(Contradiction(slot, sorted((v, ", ".join(sorted(set(w))))
                                                                   for v, w in merged.items())))
    contradicted = {c.slot for c in result.contradictions}
    for k, f in sorted(facts.items(), key=lambda kv: repr(kv[0])):
        count = len(sources[k])
        result.counts[k] = count
        curated_hit, _ = _curated_value(curated, f)
        if curated_hit:
            status = EK.Curated
        elif f.predicate in functional and f.value is not None and f.period_key() in contradicted:
            status = EK.Contradicted
        elif count >= min_sources:
            status = EK.Corroborated
            # asserted only between entities the curated data describes (typed), so that the
            # shapes can check it; otherwise it stays a corroborated claim
            typed = (ID[f.subject], RDF.type, None) in curated and (
                f.object is None or not str(f.object).startswith(str(ID)) or (f.object, RDF.type, None) in curated)
            if f.predicate not in NARY and typed:
                obj = f.object if f.object is not None else Literal(f.value, datatype=f.datatype)
                result.asserted.add((ID[f.subject], f.predicate, obj))
        else:
            status = EK.Claimed
        result.statuses[k] = status
    return result


def add_claims(ds: Dataset, extractions, corroboration: Corroboration, kb) -> int:
    """Write each article's claims into its named graph, and the corroborated facts; returns the claim count."""
    currencies = kb.currency_by_code
    n = 0
    for ex in extractions:
        g = ds.graph(claims_graph(ex.article.id))
        for t in article_triples(ex.article):
            g.add(t)
        for f in ex.facts:
            for t in claim_triples(f, ex.article, currencies):
                g.add(t)
            node = claim_iri(f)
            g.add((node, EK.claimStatus, corroboration.statuses.get(f.key(), EK.Claimed)))
            g.add((node, EK.sourceCount, Literal(corroboration.counts.get(f.key(), 1), datatype=XSD.integer)))
            n += 1
    if len(corroboration.asserted):
        target = ds.graph(CORROBORATED_GRAPH)
        for t in corroboration.asserted:
            target.add(t)
    return n


def report_text(extractions, corroboration: Corroboration, min_sources: int) -> str:
    from collections import Counter

    statuses = Counter(str(s).rsplit("/", 1)[-1] for s in corroboration.statuses.values())
    lines = [f"claims from {len(extractions)} article(s): {sum(len(e.facts) for e in extractions)} "
             f"({len(corroboration.statuses)} distinct facts); corroboration threshold {min_sources} source(s)"]
    for name in ("Curated", "Corroborated", "Claimed", "Contradicted"):
        lines.append(f"  {name.lower():13} {statuses.get(name, 0)}")
    if corroboration.contradictions:
        lines.append(f"contradictions ({len(corroboration.contradictions)}):")
        lines.extend(f"  {c.text()}" for c in corroboration.contradictions)
    else:
        lines.append("contradictions: none")
    return "\n".join(lines) + "\n"
