"""RDF -> property graph (networkx), following the rules Gephi needs.

* Entities (IRIs under ``id:`` with an ``rdf:type``) become nodes; literals
  never do. Sources are not nodes: a node's ``sources`` column lists them.
* ``rdf:type`` becomes the ``type`` column (most specific class, by label).
* Literal-valued properties become typed columns named by the property's
  local name (or its ``ek:exportColumn`` annotation). Several values are
  joined with `` | ``; a column holds one type throughout.
* Object properties between two entities become directed edges carrying the
  predicate; values that are ontology individuals (``ek:Signed``) become
  columns holding their label.
* ``label`` follows a language preference (English, untagged, then any).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef

from ..merge import properties_of, union_graph
from ..vocab import EK, ID, PROV, RDF, RDFS, SKOS, XSD, curie

LANG_PREFERENCE = ("en", None)
_INTEGER_TYPES = {XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger, XSD.int, XSD.long}
_FLOAT_TYPES = {XSD.decimal, XSD.double, XSD.float}
_SKIP_PREDICATES = {RDF.type, RDFS.label, PROV.wasDerivedFrom, SKOS.exactMatch,
                    # metrics written back by `eurokg analyze --rdf` are recomputed, never re-exported
                    EK.degree, EK.weightedDegree, EK.betweenness, EK.pagerank, EK.community, EK.metricsView}


_LABEL = RDFS.label  # (each look-up in rdflib's namespaces is Python code)


def preferred_label(graph: Graph, node, langs=LANG_PREFERENCE) -> str | None:
    return _best_label([o for o in graph.objects(node, _LABEL) if isinstance(o, Literal)], langs)


def _best_label(labels: list, langs=LANG_PREFERENCE) -> str | None:
    """The label to show among ``labels`` (literals): the first language of ``langs`` that has
    one (None: untagged), else any; the alphabetically first of equals."""
    for lang in langs:
        matches = [str(o) for o in labels if o.language == lang]
        if matches:
            return min(matches)
    return min(str(o) for o in labels) if labels else None


_INT64 = range(-(2**63), 2**63)


def _column_value(lit: Literal):
    """A typed column value; the lexical form where the value has no exact column type
    (ill-typed, NaN/INF, integers beyond Java's long), so no export writes 'nan' or fails."""
    if lit.ill_typed:
        return str(lit)
    if lit.datatype in _INTEGER_TYPES:
        value = int(lit)
        return value if value in _INT64 else str(lit)
    if lit.datatype in _FLOAT_TYPES:
        value = lit.toPython()
        if isinstance(value, (Decimal, float, int)):
            # NaN and infinities stay doubles (written NaN / Infinity, which Gephi parses),
            # so one odd value does not turn the whole column into text
            return float(value)
        return str(lit)
    if lit.datatype == XSD.boolean:
        return bool(lit.toPython())
    return str(lit)


def _short_text(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_HOLDER, _TITLE, _WORDS = EK.holder, EK.title, (EK.quote, EK.paraphrase, EK.claim)
_NAMING = (_HOLDER, _TITLE, *_WORDS)
"""The properties :func:`readable_label` names an entity by."""


def readable_label(graph: Graph, node, values: dict | None = None) -> str:
    """A name for an entity without ``rdfs:label``: an office is "holder — title", a
    statement or assessment its words (shortened); otherwise the IRI's local name.
    ``values``: the node's values of :data:`_NAMING` (property -> list), where the caller
    has read them already."""
    if values is None:
        values = {p: list(graph.objects(node, p)) for p in _NAMING}
    holders, titles = values.get(_HOLDER), values.get(_TITLE)
    if holders and titles:
        holder = holders[0]
        return f"{preferred_label(graph, holder) or _local(holder)} — {titles[0]}"
    for prop in _WORDS:
        words = [str(o) for o in values.get(prop, ())]
        if words:
            return _short_text(min(words))
    return _local(node)


def _local(iri: URIRef) -> str:
    text = str(iri)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def project(dataset: Dataset, ontology, graph: Graph | None = None) -> nx.MultiDiGraph:
    """The ``full`` view of the built dataset as a networkx ``MultiDiGraph``; ``graph``:
    its union, where the caller has it already (with or without the provenance graph:
    only subjects under ``id:`` become nodes)."""
    if graph is None:
        graph = union_graph(dataset, include_provenance=False)
    id_base = str(ID)
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(s).startswith(id_base):
            types[s].add(o)
    source_class = EK.Source
    source_types = {t for t in set().union(*types.values()) if ontology.is_subclass(t, source_class)}
    sources = {s for s, ts in types.items() if not ts.isdisjoint(source_types)}
    entities = sorted(s for s in types if s not in sources)
    entity_set = set(entities)

    g = nx.MultiDiGraph()
    columns: dict[str, dict[URIRef, list]] = defaultdict(lambda: defaultdict(list))
    column_names: dict[URIRef, str] = {}
    names = {node: curie(node) for node in entities}  # each entity's CURIE made once
    edge_kinds: dict[URIRef, tuple[str, str]] = {}  # predicate -> (CURIE, label)
    naming = set(_NAMING)
    label_p, source_p = _LABEL, PROV.wasDerivedFrom  # (rdflib's namespaces look each name up anew)
    properties = properties_of(graph)
    type_labels: dict[frozenset, str] = {}  # a set of types -> the label of its most specific
    for node in entities:
        # the node's properties read once: labels, sources and the naming values among them
        labels, srcs, values, rest = [], [], {}, []
        for p, objects in properties(node).items():
            if p == label_p:
                labels.extend(o for o in objects if isinstance(o, Literal))
                continue
            if p == source_p:
                srcs.extend(objects)
            if p in naming:
                values[p] = list(objects)
            if p not in _SKIP_PREDICATES:
                rest.extend((p, o) for o in objects)
        its_types = frozenset(types[node])
        type_label = type_labels.get(its_types)
        if type_label is None:
            specific = ontology.most_specific(its_types)
            type_label = type_labels[its_types] = ontology.label(specific[0]) if specific else ""
        attrs = {
            "label": _best_label(labels) or readable_label(graph, node, values),
            "iri": str(node),
            "type": type_label,
        }
        if srcs:
            attrs["sources"] = " | ".join(sorted(curie(o) for o in srcs))
        name_of_node = names[node]
        g.add_node(name_of_node, **attrs)
        for p, o in rest:
            name = column_names.get(p)
            if name is None:
                name = column_names[p] = _column_name(ontology, p)
            if isinstance(o, Literal):
                columns[name][node].append(o)
            elif isinstance(o, URIRef) and o in entity_set:
                kind = edge_kinds.get(p)
                if kind is None:
                    kind = edge_kinds[p] = (curie(p), ontology.label(p))
                g.add_edge(name_of_node, names[o], key=kind[0], predicate=kind[0], label=kind[1], weight=1.0)
            elif isinstance(o, URIRef) and o in ontology.individuals:
                columns[name][node].append(Literal(ontology.label(o)))
            elif isinstance(o, URIRef) and o in sources:
                continue
    for name, per_node in sorted(columns.items()):
        values = {n: [_column_value(v) for v in sorted(vals, key=_literal_sort_key)] for n, vals in per_node.items()}
        kinds = {type(v) for vals in values.values() for v in vals}
        multi = any(len(v) > 1 for v in values.values())
        if multi or len(kinds) > 1:
            if kinds <= {int, float} and not multi:
                values = {n: [float(v[0])] for n, v in values.items()}
            else:
                values = {n: [" | ".join(str(x) for x in v)] for n, v in values.items()}
        for node, vals in values.items():
            g.nodes[names[node]][name] = vals[0]
    return g


def _literal_sort_key(lit: Literal):
    return (lit.language or "", str(lit.datatype or ""), str(lit))


def _column_name(ontology, prop: URIRef) -> str:
    annotated = ontology.graph.value(prop, EK.exportColumn)
    if annotated is not None:
        return str(annotated)
    if prop == SKOS.altLabel:
        return "altLabel"
    if prop == RDFS.comment:
        return "comment"
    return _local(prop)
