"""Namespaces and vocabulary terms.

The ontology (``ontology/eurokg.ttl``) is the single source of truth for terms:
code refers to them as ``EK.name`` and a test checks that every such name is
declared there. No module outside this one writes an IRI string.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, TIME

BASE = "https://w3id.org/eurokg/"

EK = Namespace(BASE)
"""Classes and properties of the eurokg ontology."""

ID = Namespace(BASE + "id/")
"""Resources (people, states, treaties ...)."""

GRAPH = Namespace(BASE + "graph/")
"""Named graphs: one per curated row or file, one per article."""

GENID = Namespace(BASE + ".well-known/genid/")
"""Skolem IRIs for blank nodes of curated files (stable: numbered in order of appearance)."""

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
WIKIDATA_SITE = "https://www.wikidata.org/"
"""Wikidata's web site: its API lives under it, and a source there is Wikidata itself."""
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
EDTF = Namespace("http://id.loc.gov/datatypes/edtf/")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_IRI = URIRef(BASE)
PROVENANCE_GRAPH = GRAPH["provenance"]
"""The named graph describing every other named graph (file, row, source)."""

REPORT = Namespace(BASE + "report/")
"""IRIs of the validation report and its results (``report:validation``, ``report:result-1``...)."""

PREFIXES: dict[str, Namespace] = {
    "ek": EK,
    "id": ID,
    "graph": GRAPH,
    "report": REPORT,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "time": Namespace(str(TIME)),
    "dcterms": Namespace(str(DCTERMS)),
    "wd": WD,
    "wdt": WDT,
    "sh": SH,
}
"""Prefixes bound in every output and available in every query."""


def curie(iri: URIRef | str) -> str:
    """Shorten an IRI with the project's prefixes (longest match wins)."""
    text = str(iri)
    match = _NAMESPACE.match(text)
    if match is None:
        return text
    return f"{match.lastgroup}:{text[match.end():]}"


_NAMESPACE = re.compile("|".join(
    f"(?P<{prefix}>{re.escape(str(ns))})"
    for prefix, ns in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1])))))
"""The namespaces, longest first (ties in ``PREFIXES`` order), as one pattern whose first
matching alternative is the longest match: ``curie`` runs for every node and edge of an
export, and one regex match is several times faster than testing each namespace."""


_NOT_IN_A_SEGMENT = re.compile(r'[\x00-\x20<>"{}|\\^`%#?/\x7f-\x9f\ud800-\udfff\ufffe\uffff]+')


def segment(name: str) -> str:
    """``name`` (a file's stem, say) as one path segment of an IRI: what an IRI may not hold
    (spaces, ``<>"{}|\\^```, control characters) and what would end or split the segment
    (``/?#``, and ``%`` itself) percent-encoded as UTF-8, the rest as it is. Names of letters,
    digits and ``-_.`` (and any other Unicode letter) come out unchanged. A name decoded from
    bytes that were not UTF-8 (lone surrogates, ``surrogateescape``) gets its original bytes."""

    def encoded(match: re.Match) -> str:
        text = match.group()
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "surrogatepass")
        return "".join(f"%{byte:02X}" for byte in data)

    return _NOT_IN_A_SEGMENT.sub(encoded, name)


def expand(text: str) -> URIRef:
    """Expand ``prefix:local`` or ``<iri>`` to an IRI; raise ``ValueError`` otherwise."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix][local]
    raise ValueError(f"not a known CURIE or <IRI>: {text!r} (prefixes: {', '.join(sorted(PREFIXES))})")


__all__ = [
    "BASE", "EK", "ID", "GRAPH", "GENID", "REPORT", "WIKIDATA_SITE", "WIKIDATA_SPARQL", "WD", "WDT", "EDTF", "SH", "RDF", "RDFS", "OWL", "XSD",
    "SKOS", "PROV", "TIME", "DCTERMS", "ONTOLOGY_IRI", "PROVENANCE_GRAPH", "PREFIXES",
    "curie", "expand", "segment",
]
