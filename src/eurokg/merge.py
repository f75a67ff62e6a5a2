"""Stage 3: contributions -> one dataset, a named graph per source record.

Also the checks that need every input at once: an entity defined twice, an
entity referenced but never defined, ill-typed literals. The provenance graph
describes every named graph: its file, row and the sources of its facts.
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory

from .errors import InputError
from .sources import Contribution
from .vocab import EK, ID, PROV, PROVENANCE_GRAPH, RDF, XSD, curie


def _short(iri: URIRef) -> str:
    return str(iri)[len(str(ID)):] if str(iri).startswith(str(ID)) else str(iri)


def check_contributions(contributions: list[Contribution]) -> None:
    """Raise :class:`InputError` for duplicates, dangling references and ill-typed literals."""
    defined_at: dict[URIRef, Contribution] = {}
    for c in contributions:
        if c.row is None:
            continue  # Turtle files may add facts to entities defined elsewhere
        for iri in c.defines:
            if iri in defined_at:
                first = defined_at[iri]
                raise InputError(
                    f"entity {_short(iri)!r} is already defined at {first.file}:{first.row}",
                    c.file, c.row, None,
                )
            defined_at[iri] = c
    rdf_type = RDF.type  # (rdflib's namespaces look each name up anew)
    typed = {s for c in contributions for s, p, o in c.triples if p == rdf_type}
    known = sorted(_short(i) for i in typed if str(i).startswith(str(ID)))
    for c in contributions:
        for ref in c.references:
            if ref.iri not in typed:
                name = _short(ref.iri)
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                hint = f" — did you mean {close[0]}?" if close else ""
                line = ref.line if ref.line is not None else c.lines.get(next(iter(c.defines), None))
                raise InputError(f'unknown entity "{name}"{hint}', ref.path, line, ref.col)
        for s, p, o in c.triples:
            # (most objects are IRIs: their exact type first, as rdflib's isinstance is slow)
            if type(o) is not URIRef and isinstance(o, Literal) and o.ill_typed:
                raise InputError(
                    f'"{o}" is not a valid {curie(o.datatype)} (value of {curie(p)} on {curie(s)})',
                    c.file, c.row if c.row is not None else c.lines.get(s), c.columns.get(p),
                )


class NamedGraph:
    """One named graph's triples, in the order first added, each once: what the build adds to,
    counts, iterates and writes (``identifier``, ``add``, ``len``, ``in``, iteration, as on an
    rdflib graph), without rdflib's three indexes and per-triple graph bookkeeping."""

    __slots__ = ("identifier", "_triples")

    def __init__(self, identifier: URIRef, triples=()) -> None:
        self.identifier = identifier
        self._triples: dict[tuple, None] = dict.fromkeys(triples)

    def add(self, triple: tuple) -> "NamedGraph":
        self._triples[triple] = None
        return self

    def extend(self, triples) -> "NamedGraph":
        """Add many triples at once (each once, in order)."""
        self._triples.update(dict.fromkeys(triples))
        return self

    def __iter__(self):
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple: tuple) -> bool:
        return triple in self._triples


class NamedGraphs:
    """The named graphs of a build, as the build holds them: each a :class:`NamedGraph`, the
    union of the graphs a stage reads copied into one indexed rdflib graph
    (:func:`union_graph`). rdflib's ``Dataset`` keeps every triple in three indexes plus a
    dictionary of the graphs that hold it: 186 MB for a 100k-triple input (31 MB this way), and
    loading a million triples took 19 s longer, for a structure the build only adds to and
    writes out (``docs/scale.md`` §2f). :meth:`to_dataset` gives that ``Dataset`` for queries
    and the API.

    The subset of the ``Dataset`` interface the build's stages use: :meth:`graph` (created
    on first use), :meth:`graphs`, ``default_graph``."""

    def __init__(self) -> None:
        self._graphs: dict[URIRef, NamedGraph] = {}

    def graph(self, identifier: URIRef) -> NamedGraph:
        known = self._graphs.get(identifier)
        if known is None:
            known = self._graphs[identifier] = NamedGraph(identifier)
        return known

    def graphs(self):
        return iter(list(self._graphs.values()))

    @property
    def default_graph(self) -> NamedGraph:
        """Always empty: every triple of a build is in a named graph."""
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        return NamedGraph(DATASET_DEFAULT_GRAPH_ID)

    def to_dataset(self) -> Dataset:
        """An rdflib ``Dataset`` of the same graphs, whose SPARQL default graph is their union."""
        ds = Dataset()
        ds.default_union = True
        for g in self._graphs.values():
            if len(g):
                target = ds.graph(g.identifier)
                for t in g:
                    target.add(t)
        return ds


def merge(contributions: list[Contribution]) -> NamedGraphs:
    """Check, then put each contribution in its named graph and describe it in the provenance graph."""
    check_contributions(contributions)
    ds = NamedGraphs()
    prov = ds.graph(PROVENANCE_GRAPH)
    by_graph: dict[URIRef, list[Contribution]] = defaultdict(list)
    for c in contributions:
        by_graph[c.graph].append(c)
    for graph_iri, group in sorted(by_graph.items()):
        if len(group) > 1:
            raise InputError(f"two inputs write the same named graph {graph_iri}", group[1].file, group[1].row)
        c = group[0]
        ds.graph(graph_iri).extend(c.triples)
        prov.add((graph_iri, RDF.type, EK.CurationRecord))
        prov.add((graph_iri, EK.file, Literal(c.file)))
        if c.row is not None:
            prov.add((graph_iri, EK.row, Literal(c.row, datatype=_POSITIVE)))
        for src in c.sources:
            prov.add((graph_iri, PROV.wasDerivedFrom, src))
    return ds


_POSITIVE = XSD.positiveInteger


@dataclass
class Origins:
    """Where each entity (and each of its properties) was written in the curated files."""

    places: dict[URIRef, tuple[str, int | None]] = field(default_factory=dict)
    columns: dict[tuple[URIRef, URIRef], int] = field(default_factory=dict)

    @classmethod
    def from_contributions(cls, contributions: list[Contribution]) -> "Origins":
        out = cls()
        for c in contributions:
            out.places.setdefault(c.graph, (c.file, c.row))
            for subject in c.defines:
                out.places.setdefault(subject, (c.file, c.row if c.row is not None else c.lines.get(subject)))
                for prop, col in c.columns.items():
                    out.columns.setdefault((subject, prop), col)
            for subject, line in c.lines.items():
                out.places.setdefault(subject, (c.file, line))
        return out

    def locate(self, focus, path=None) -> str:
        """``file:line:col`` (as much as is known) where ``focus`` — and ``path`` on it — was written."""
        place = self.places.get(focus)
        if place is None:
            return ""
        file, line = place
        col = self.columns.get((focus, path)) if path is not None else None
        return ":".join(str(x) for x in (file, line, col) if x is not None)


def _union_parts(ds: "Dataset | NamedGraphs", *, include_provenance: bool, include_ontology: bool, include_inferred: bool,
                 include_claims: bool):
    from .vocab import GRAPH

    claims_prefix = str(GRAPH["claims/"])
    for g in ds.graphs():
        if not include_claims and str(g.identifier).startswith(claims_prefix):
            continue
        if g.identifier == PROVENANCE_GRAPH and not include_provenance:
            continue
        if g.identifier == GRAPH[ONTOLOGY_GRAPH_NAME] and not include_ontology:
            continue
        if g.identifier == GRAPH[INFERRED_GRAPH_NAME] and not include_inferred:
            continue
        yield g


def union_graph(ds: "Dataset | NamedGraphs", *, include_provenance: bool = True, include_ontology: bool = False,
                include_inferred: bool = True, include_claims: bool = False, into: Graph | None = None) -> Graph:
    """All named graphs' triples in one plain graph: the asserted data, the inferred types
    and the provenance graph unless excluded, the ontology copy and the claims extracted
    from articles (``graph:claims/…``, not facts) only when asked. ``into``: the graph to
    add them to (e.g. one with the prefixes bound for writing), instead of a new one.

    A new graph is held in rdflib's ``SimpleMemory`` store: the union has no named graphs of
    its own, and the default store's bookkeeping of the graphs that hold each triple made
    adding to the union and reading it back about twice as slow (``docs/scale.md`` §2g)."""
    out = plain_graph() if into is None else into
    parts = _union_parts(ds, include_provenance=include_provenance, include_ontology=include_ontology,
                         include_inferred=include_inferred, include_claims=include_claims)
    if isinstance(out.store, _PlainStore):
        out.store.add_triples(t for g in parts for t in g)
        return out
    for g in parts:
        for t in g:
            out.add(t)
    return out


def release(graph: Graph) -> bool:
    """Empty a plain graph (:func:`plain_graph`, :func:`union_graph`) that has served its last
    use: its indexes, most of its memory at scale, go at once, whatever still refers to the
    graph or cycles through it, without a full collection (1.2 s at a million triples, which
    found nothing else to free). False where the store is not the one this was written for;
    the caller then has only the collector."""
    store = graph.store
    if not (isinstance(store, _PlainStore) and store._lazy):
        return False
    for index in (store._spo, store._pos, store._osp):
        index.clear()
    store._pos_ready.clear()
    store._osp_ready = False
    return True


class _PlainStore(SimpleMemory):
    """rdflib's ``SimpleMemory`` (no named graphs) whose subject index is the only one kept
    from the start: the predicate index is made for one predicate the first time a pattern
    asks for it, the object index the first time one asks for an object alone.

    The build's union graph is read almost only by subject (the Gephi view, extraction's
    look-ups); about a dozen predicates are looked up without a subject, and no pattern
    names an object alone. rdflib's ``add`` fills three indexes, hashing each literal twice
    more in Python: at a million triples the union took 19 s to make, and a quarter of that
    with the subject index alone (``docs/scale.md`` §2i). Its length is counted from that
    index, not by yielding every triple through two Python generators; rdflib's
    ``Graph.__len__`` passes the graph itself as ``context``, which this store ignores.

    Where rdflib's ``SimpleMemory`` is not the one this was written for (its private
    indexes are not there), every method is rdflib's own."""

    def __init__(self, configuration=None, identifier=None) -> None:
        super().__init__(configuration, identifier)
        indexes = [getattr(self, f"_SimpleMemory__{name}", None) for name in ("spo", "pos", "osp")]
        self._lazy = all(isinstance(index, dict) for index in indexes)
        if self._lazy:
            self._spo, self._pos, self._osp = indexes
        self._pos_ready: set = set()  # predicates whose entry in the predicate index is whole
        self._osp_ready = False

    def add(self, triple, context=None, quoted: bool = False) -> None:
        if not self._lazy:
            return super().add(triple, context, quoted)
        self.add_triples((triple,))

    def add_triples(self, triples) -> None:
        """Add rdflib triples (no checks on their terms: they come from rdflib graphs)."""
        if not self._lazy:
            for t in triples:
                super().add(t, None)
            return
        spo, pos, osp, ready = self._spo, self._pos, self._osp, self._pos_ready
        whole = bool(ready) or self._osp_ready  # indexes made so far, to be kept whole
        if whole:
            triples = list(triples)
        for s, p, o in triples:  # the subject index, spelt out: the usual case is it alone
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = {}
            objects[o] = 1
        if whole:
            for s, p, o in triples:
                if p in ready:
                    pos[p].setdefault(o, {})[s] = 1
                if self._osp_ready:
                    osp.setdefault(o, {}).setdefault(s, {})[p] = 1

    def _predicate_index(self, p) -> None:
        if p in self._pos_ready:
            return
        index: dict = {}
        for s, po in self._spo.items():
            objects = po.get(p)
            if objects:
                for o in objects:
                    index.setdefault(o, {})[s] = 1
        self._pos[p] = index
        self._pos_ready.add(p)

    def _object_index(self) -> None:
        if self._osp_ready:
            return
        osp = self._osp
        for s, po in self._spo.items():
            for p, objects in po.items():
                for o in objects:
                    osp.setdefault(o, {}).setdefault(s, {})[p] = 1
        self._osp_ready = True

    def triples(self, triple_pattern, context=None):
        if self._lazy and triple_pattern[0] is None:
            if triple_pattern[1] is not None:
                self._predicate_index(triple_pattern[1])
            elif triple_pattern[2] is not None:
                self._object_index()
        return super().triples(triple_pattern, context)

    def remove(self, triple_pattern, context=None) -> None:
        if self._lazy:  # rdflib's remove deletes from every index
            for p in {p for po in self._spo.values() for p in po}:
                self._predicate_index(p)
            self._object_index()
        super().remove(triple_pattern, context)
        if self._lazy:  # rdflib leaves emptied entries behind; properties_of reads them as they are
            spo = self._spo
            for s in [triple_pattern[0]] if triple_pattern[0] is not None else list(spo):
                po = spo.get(s)
                if po is None:
                    continue
                for p in [p for p, objects in po.items() if not objects]:
                    del po[p]
                if not po:
                    del spo[s]

    def __len__(self, context=None) -> int:
        if not self._lazy:
            return super().__len__(context)
        return sum(len(objects) for po in self._spo.values() for objects in po.values())


def plain_graph() -> Graph:
    """An empty rdflib graph in a store without named graphs (``SimpleMemory``), whose
    indexes other than the subject's are made when first needed (:class:`_PlainStore`)."""
    return Graph(store=_PlainStore())


_NO_PROPERTIES: dict = {}


def in_text_order(terms) -> list:
    """``terms`` (terms, or tuples of them such as ``subject_objects`` gives) sorted by their
    text: for code that keeps the first or last of several matches, so that its choice does not
    depend on the order a store keeps (the union's store makes its indexes on demand)."""
    return sorted(terms, key=lambda t: tuple(map(str, t)) if isinstance(t, tuple) else (str(t),))


def properties_of(graph: Graph):
    """A function giving a subject's properties in ``graph`` as a dict, predicate -> its
    objects (iterable; each once). For the union graph it reads the store's subject index
    directly: the Gephi view reads every entity's properties, and rdflib's
    ``predicate_objects`` passes each triple through three generators (3 s at a million
    triples). The dicts are the store's own: read them, never change them."""
    store = graph.store
    if isinstance(store, _PlainStore) and store._lazy:
        spo = store._spo
        return lambda subject: spo.get(subject, _NO_PROPERTIES)

    def read(subject) -> dict:
        out: dict = {}
        for p, o in graph.predicate_objects(subject):
            out.setdefault(p, {})[o] = 1
        return out

    return read


def union_triples(ds: "Dataset | NamedGraphs", *, include_provenance: bool = True, include_ontology: bool = False,
                  include_inferred: bool = True, include_claims: bool = False, exclude=frozenset()):
    """The triples of :func:`union_graph`, graph after graph, without building it (a triple in
    two graphs comes twice): for a writer that sorts them anyway. ``exclude``: names of
    graphs to leave out (e.g. those a copy holds already)."""
    for g in _union_parts(ds, include_provenance=include_provenance, include_ontology=include_ontology,
                          include_inferred=include_inferred, include_claims=include_claims):
        if g.identifier not in exclude:
            yield from g


def union_size(ds: "Dataset | NamedGraphs", *, include_provenance: bool = True, include_ontology: bool = False,
               include_inferred: bool = True, include_claims: bool = False) -> int:
    """``len(union_graph(ds, ...))`` without building the graph (about twice as fast)."""
    seen: set = set()
    for g in _union_parts(ds, include_provenance=include_provenance, include_ontology=include_ontology,
                          include_inferred=include_inferred, include_claims=include_claims):
        seen.update(g)
    return len(seen)


INFERRED_GRAPH_NAME = "inferred"
ONTOLOGY_GRAPH_NAME = "ontology"


def add_ontology(ds: "Dataset | NamedGraphs", ontology) -> int:
    """Copy the ontology's blank-node-free triples (labels, hierarchy, alignments) into a
    named graph, so queries can use class and status labels without loading another file."""
    from rdflib import BNode

    from .vocab import GRAPH

    g = ds.graph(GRAPH[ONTOLOGY_GRAPH_NAME])
    for t in ontology.graph:
        if not any(isinstance(x, BNode) for x in t):
            g.add(t)
    return len(g)


def entailed_types(asserted: Graph, ontology) -> set[tuple]:
    """The ``rdf:type`` triples that ``asserted`` (the data, without provenance) entails
    through the ontology's class hierarchy in the ek: namespace and does not state."""
    base = str(EK)
    out = set()
    for s, t in asserted.subject_objects(RDF.type):
        for sup in ontology.superclasses(t):
            if str(sup).startswith(base) and (s, RDF.type, sup) not in asserted:
                out.add((s, RDF.type, sup))
    return out


def materialize_types(ds: "Dataset | NamedGraphs", ontology, extra: dict[URIRef, list[URIRef]] | None = None, *,
                      asserted: Graph | None = None, entailed: set[tuple] | None = None,
                      into: Graph | None = None) -> int:
    """Add entailed ``rdf:type`` triples (superclasses in the ek: namespace, plus any the
    reasoner found) to a named graph of their own, so that ``?x a ek:Treaty`` finds a
    multilateral treaty while asserted and inferred facts stay distinguishable.
    Returns the number of triples added.

    Where the caller has them already: ``asserted``, the union of the asserted graphs
    without provenance (types the reasoner found that it states are not added again);
    ``entailed``, what :func:`entailed_types` gave for that union; ``into``, a graph (the
    build's union) that gets every triple added here as well. ``asserted`` may include the
    provenance graph only when ``entailed`` is given (else the types of provenance
    records would be expanded too)."""
    from .vocab import GRAPH

    if asserted is None:
        asserted = union_graph(ds, include_provenance=False)
    if entailed is None:
        entailed = entailed_types(asserted, ontology)
    inferred = ds.graph(GRAPH[INFERRED_GRAPH_NAME])
    added = set(entailed)
    for s, types in (extra or {}).items():
        for t in types:
            if (s, RDF.type, t) not in asserted:
                added.add((s, RDF.type, t))
    for t in added:
        inferred.add(t)
    if len(inferred):
        marker = (inferred.identifier, RDF.type, EK.InferredGraph)
        ds.graph(PROVENANCE_GRAPH).add(marker)
        added.add(marker)
    if into is not None:
        for t in added:
            into.add(t)
    return len(inferred)
