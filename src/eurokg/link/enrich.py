"""``eurokg enrich``: facts from Wikidata's query service for the linked entities.

For every curated entity with a Wikidata id, one SPARQL request (through the
cached :class:`~eurokg.link.wikidata.WikidataClient`) asks for population
(P1082), coordinates (P625), inception (P571) and the ISO 3166-1 alpha-2 code
(P297). The answer becomes a curated Turtle file whose facts cite
``id:wikidata``; the build reads it like any curated file, offline.
Deterministic: sorted, one value per property (the largest population, the
earliest inception, the first coordinates and code in sorted order).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from ..vocab import EK, ID, PREFIXES, PROV, WD, WDT, XSD

QUERY = """SELECT ?item ?population ?coordinates ?inception ?iso2 WHERE {{
  VALUES ?item {{ {items} }}
  OPTIONAL {{ ?item <{population}> ?population }}
  OPTIONAL {{ ?item <{coordinates}> ?coordinates }}
  OPTIONAL {{ ?item <{inception}> ?inception }}
  OPTIONAL {{ ?item <{iso2}> ?iso2 }}
}}"""


def enrichment_query(qids: list[str]) -> str:
    """The query text; item IRIs come from validated QIDs (Q + digits), never from free text."""
    return QUERY.format(items=" ".join(f"<{WD[q]}>" for q in sorted(qids)), population=WDT.P1082,
                        coordinates=WDT.P625, inception=WDT.P571, iso2=WDT.P297)


def _date(value: str) -> Literal | None:
    # Wikidata returns dateTimes such as 1997-12-10T00:00:00Z; keep the day
    if len(value) >= 10 and value[4] == "-" and value[:4].isdigit():
        return Literal(value[:10], datatype=XSD.date)
    return None


def enrich(entities: dict[URIRef, str], client) -> Graph:
    """``entities`` maps entity IRIs to QIDs; returns the enrichment graph."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    if not entities:
        return g
    by_qid = {q: e for e, q in entities.items()}
    rows = client.sparql(enrichment_query(list(by_qid)))
    values: dict[URIRef, dict[str, list[str]]] = {}
    for row in rows:
        item = row.get("item", {}).get("value", "")
        qid = item.rsplit("/", 1)[-1]
        entity = by_qid.get(qid)
        if entity is None:
            continue
        for key in ("population", "coordinates", "inception", "iso2"):
            if key in row:
                values.setdefault(entity, {}).setdefault(key, []).append(row[key]["value"])
    for entity in sorted(values):
        found = values[entity]
        if "population" in found:
            numbers = sorted(int(float(v)) for v in found["population"] if v.replace(".", "", 1).isdigit())
            if numbers:
                g.add((entity, EK.population, Literal(numbers[-1], datatype=XSD.nonNegativeInteger)))
        if "coordinates" in found:
            g.add((entity, EK.coordinates, Literal(sorted(found["coordinates"])[0])))
        if "inception" in found:
            dates = sorted(d for d in (_date(v) for v in found["inception"]) if d is not None)
            if dates:
                g.add((entity, EK.inception, dates[0]))
        if "iso2" in found:
            g.add((entity, EK.isoAlpha2, Literal(sorted(found["iso2"])[0])))
        g.add((entity, PROV.wasDerivedFrom, ID["wikidata"]))
    return g
