"""QuickStatements V1 commands for the facts the graph asserts.

* A triple whose predicate is ``owl:equivalentProperty`` a ``wdt:P…`` (read from
  the ontology) between entities that have Wikidata items becomes
  ``Qsubject<TAB>Pid<TAB>value``; dates are ``+YYYY-MM-DDT00:00:00Z/precision``
  (11 day, 10 month, 9 year, 8 decade), URLs and strings are double-quoted.
* A term of office of a president becomes ``Qstate P35 Qperson`` (head of
  state) with ``P580``/``P582`` (start/end time) qualifiers.
* Every statement gets references: ``S854`` (reference URL) of the first source
  of the fact that has one (Wikidata itself excepted), ``S577`` (its publication date) when known, and
  ``S813`` (retrieved) when a retrieval date is given.
* An entity without an item, of a class aligned to a Wikidata class (summits,
  treaties, railways...), becomes a ``CREATE`` block with its English label,
  a description and ``P31``; its statements follow on ``LAST`` lines. Entities
  marked ``ek:noWikidataItem`` are created likewise; n-ary records (offices,
  trade, pledges) never are.
* A fact needs a citable source other than Wikidata (a URL): facts taken from
  Wikidata are not sent back to it, and facts without a URL cannot be referenced.
* Statements already known (``known``: (item, property, value) from cached
  Wikidata entities) are skipped. Objects without an item are skipped (V1 cannot
  point at a second new item).

Output is sorted and deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from typing import BinaryIO, Iterable

from rdflib import Literal, URIRef

from ..merge import in_text_order, union_graph
from ..vocab import EK, ID, PROV, RDF, RDFS, SKOS, WD, WIKIDATA_SITE, XSD

_PRECISION = {XSD.date: 11, XSD.gYearMonth: 10, XSD.gYear: 9, EK.Decade: 8}
_CREATABLE_EXCLUDE = {EK.Office, EK.TradeRelation, EK.AidPledge, EK.Statement, EK.Assessment,
                      EK.Source, EK.CurationRecord, EK.Topic}


def time_value(lit: Literal) -> str | None:
    """A date literal in QuickStatements' time syntax, keeping its precision."""
    text = str(lit)
    precision = _PRECISION.get(lit.datatype)
    if precision is None:
        return None
    if precision == 11:
        day = text[:10]
    elif precision == 10:
        day = f"{text[:7]}-00"
    elif precision == 9:
        day = f"{text[:4]}-00-00"
    else:
        day = f"{text[:4]}-00-00"
    return f"+{day}T00:00:00Z/{precision}"


def string_value(text: str) -> str | None:
    """A double-quoted string; V1 has no escape for a double quote or a tab, so such
    strings are not exported (None)."""
    if '"' in text or "\t" in text or "\n" in text:
        return None
    return f'"{text}"'


def _value(graph, o) -> str | None:
    if isinstance(o, URIRef):
        qid = graph.value(o, EK.wikidataId)
        return str(qid) if qid is not None else None
    if isinstance(o, Literal):
        if o.datatype in _PRECISION:
            return time_value(o)
        if o.datatype == XSD.anyURI or o.datatype is None and o.language is None:
            return string_value(str(o))
    return None


def _wikidata_class(ontology, types: set) -> str | None:
    for t in sorted(ontology.most_specific(types)):
        for cls in sorted(ontology.superclasses(t)):
            for prop in (SKOS.exactMatch, SKOS.closeMatch):
                for other in ontology.graph.objects(cls, prop):
                    if str(other).startswith(str(WD)):
                        return str(other)[len(str(WD)):]
    return None


def statements(dataset, ontology, *, known: Iterable[tuple[str, str, str]] = (),
               retrieved: str | None = None) -> list[str]:
    """The QuickStatements V1 lines (without trailing newline)."""
    graph = union_graph(dataset, include_provenance=False)
    known = set(known)
    id_base = str(ID)

    def references(subject) -> list[str]:
        out = []
        for src in sorted(graph.objects(subject, PROV.wasDerivedFrom)):
            url = graph.value(src, EK.url)
            if url is not None and string_value(str(url)) and not str(url).startswith(WIKIDATA_SITE):
                out += ["S854", string_value(str(url))]
                published = graph.value(src, EK.datePublished)
                if isinstance(published, Literal) and time_value(published):
                    out += ["S577", time_value(published)]
                break
        if retrieved:
            out += ["S813", f"+{retrieved}T00:00:00Z/11"]
        return out

    items: dict[URIRef, str] = {s: str(q) for s, q in in_text_order(graph.subject_objects(EK.wikidataId))}
    lines_by_item: dict[str, list[str]] = defaultdict(list)
    creates: dict[URIRef, list[str]] = defaultdict(list)

    def from_wikidata_only(subject) -> bool:
        """Facts with no citable source but Wikidata itself are not sent back to it."""
        urls = [str(graph.value(src, EK.url) or "") for src in graph.objects(subject, PROV.wasDerivedFrom)]
        return not any(u and not u.startswith(WIKIDATA_SITE) for u in urls)

    def emit(subject, pid, value, qualifiers=()):
        if from_wikidata_only(subject):
            return
        if subject in items:
            if (items[subject], pid, value) in known:
                return
            lines_by_item[items[subject]].append("\t".join([items[subject], pid, value, *qualifiers, *references(subject)]))
        else:
            creates[subject].append("\t".join(["LAST", pid, value, *qualifiers, *references(subject)]))

    creatable = {}
    for s in set(graph.subjects(RDF.type, None)):
        if not str(s).startswith(id_base) or s in items:
            continue
        types = set(graph.objects(s, RDF.type))
        if any(ontology.is_subclass(t, ex) for t in types for ex in _CREATABLE_EXCLUDE):
            continue
        wd_class = _wikidata_class(ontology, types)
        label = graph.value(s, RDFS.label)
        if wd_class and label is not None and string_value(str(label)):
            creatable[s] = wd_class

    for s, p, o in sorted(graph):
        if s not in items and s not in creatable:
            continue
        pid = ontology.wikidata_property(p) if isinstance(p, URIRef) else None
        if pid is None:
            continue
        value = _value(graph, o)
        if value is not None:
            emit(s, pid, value)

    # terms of office of presidents -> head of state with start/end qualifiers
    for office in sorted(graph.subjects(RDF.type, EK.Office)):
        person, state = graph.value(office, EK.holder), graph.value(office, EK.officeOf)
        title = str(graph.value(office, EK.title) or "")
        if person not in items or state not in items or not title.startswith("President"):
            continue
        quals = []
        for prop, pid in ((EK.startDate, "P580"), (EK.endDate, "P582")):
            lit = graph.value(office, prop)
            if isinstance(lit, Literal) and time_value(lit):
                quals += [pid, time_value(lit)]
        if (items[state], "P35", items[person]) in known:
            continue
        lines_by_item[items[state]].append("\t".join([items[state], "P35", items[person], *quals, *references(office)]))

    out: list[str] = []
    for qid in sorted(lines_by_item, key=lambda q: int(q[1:])):
        out.extend(sorted(set(lines_by_item[qid])))
    for s in sorted(creatable):
        label = str(graph.value(s, RDFS.label))
        kind = ontology.label(ontology.most_specific(set(graph.objects(s, RDF.type)))[0])
        when = next((time_value(graph.value(s, p)) for p in (EK.startDate, EK.signingDate, EK.date)
                     if isinstance(graph.value(s, p), Literal)), None)
        description = f"{kind}" + (f", {when[1:11].replace('-00', '')}" if when else "")
        out += ["CREATE", f"LAST\tLen\t{string_value(label)}", f"LAST\tDen\t{string_value(description)}",
                f"LAST\tP31\t{creatable[s]}"]
        out.extend(sorted(set(creates.get(s, []))))
    return out


def write_quickstatements(dataset, ontology, out: BinaryIO) -> None:
    """Registered writer: commands for the whole graph, skipping statements known from
    the project's Wikidata cache (``data/wikidata-cache``) where there is one."""
    from ..link.wikidata import known_claims

    root = ontology.path.resolve().parent.parent if ontology.path else None
    known = known_claims(root / "data" / "wikidata-cache") if root else set()
    text = "\n".join(statements(dataset, ontology, known=known))
    out.write((text + "\n").encode("utf-8"))
