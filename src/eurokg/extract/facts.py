"""Extracted facts and their JSON Lines form."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import URIRef
from rdflib.namespace import XSD

from ..vocab import EK, ID, curie
from .values import When, plain


PERCENT_QUALIFIERS = {"changePercent"}


@dataclass
class Fact:
    subject: str  # entity id
    predicate: URIRef
    object: URIRef | None = None  # an entity (id:) or an ontology individual (ek:Surplus)
    value: str | None = None
    datatype: URIRef | None = None
    unit: str | None = None  # ISO 4217 code or "percent"
    qualifiers: dict[str, object] = field(default_factory=dict)
    time: When | None = None
    start: int = 0  # evidence sentence offsets in the article body
    end: int = 0
    sentence: str = ""
    rule: str = ""
    confidence: float = 0.0
    source: str = ""  # article id

    def key(self) -> tuple:
        """What makes two facts the same fact (for de-duplication and corroboration)."""
        return (self.subject, str(self.predicate), str(self.object) if self.object is not None else None,
                _norm_value(self.value, self.datatype), self.unit)

    def period_key(self) -> tuple:
        """The slot a value fills: two values in the same slot contradict each other."""
        partners = self.qualifiers.get("partner")
        return (self.subject, str(self.predicate), self.unit, self.time.value if self.time else None,
                tuple(sorted(partners)) if isinstance(partners, (list, tuple)) else partners)


def _norm_value(value: str | None, datatype) -> str | None:
    if value is None:
        return None
    if datatype in (XSD.decimal, XSD.integer):
        try:
            return plain(Decimal(value))
        except ArithmeticError:
            return value
    return " ".join(value.lower().split()).strip(" ,.;:")


def entity_json(kb, iri: URIRef) -> dict:
    text = str(iri)
    if text.startswith(str(ID)):
        ident = text[len(str(ID)):]
        entry = kb.gazetteer.entries.get(ident)
        return {"label": entry.label if entry else ident, "iri": text, "wikidata": entry.qid if entry else None}
    return {"label": kb.ontology.label(iri), "iri": text, "wikidata": None}


def _qualifier_json(kb, value):
    if isinstance(value, (list, tuple)):
        return [_qualifier_json(kb, v) for v in value]
    if isinstance(value, URIRef):
        return entity_json(kb, value)
    if isinstance(value, dict):
        return value
    return value


def fact_json(kb, fact: Fact, article) -> dict:
    if fact.object is not None:
        obj = entity_json(kb, fact.object)
    else:
        obj = {"value": fact.value, "datatype": curie(fact.datatype) if fact.datatype else None, "unit": fact.unit}
    return {
        "subject": entity_json(kb, ID[fact.subject]),
        "predicate": {"label": kb.ontology.label(fact.predicate), "iri": str(fact.predicate),
                      "wikidata": kb.ontology.wikidata_property(fact.predicate)},
        "object": obj,
        "qualifiers": {k: ({"value": v, "unit": "percent"} if k in PERCENT_QUALIFIERS else _qualifier_json(kb, v))
                       for k, v in sorted(fact.qualifiers.items())},
        "time": {"value": fact.time.value, "precision": fact.time.precision} if fact.time else None,
        "evidence": {"source": article.url or article.path, "article": article.id, "sentence": fact.sentence,
                     "start": fact.start, "end": fact.end},
        "rule": fact.rule,
        "confidence": round(fact.confidence, 3),
    }


__all__ = ["Fact", "fact_json", "entity_json", "EK"]
