"""The ontology as the code sees it: classes, properties, ranges, sheets, labels.

Everything that other stages need to know about terms (which sheet makes which
class, what datatype a column holds, which Wikidata property a term maps to)
is read here from ``ontology/eurokg.ttl``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from .sources.rdffile import parse_rdf_file
from .vocab import EK, OWL, RDF, RDFS, SKOS, WD, WDT, XSD


@dataclass(frozen=True)
class PropertyInfo:
    iri: URIRef
    kind: str  # "object" | "datatype" | "annotation"
    domains: tuple[URIRef, ...]
    ranges: tuple[URIRef, ...]
    functional: bool
    label: str

    @property
    def local(self) -> str:
        return str(self.iri)[len(str(EK)):]


@dataclass
class Ontology:
    """A parsed ontology plus derived look-up tables."""

    path: Path
    graph: Graph = field(repr=False)
    _labels: dict[tuple[URIRef, str], str] = field(default_factory=dict, init=False, repr=False, compare=False)
    """:meth:`label`'s answers so far (exports ask for the same few for every node and edge)."""

    @classmethod
    def load(cls, path: Path | str, *, display: str | None = None) -> "Ontology":
        """Parse the ontology file; errors name ``display`` (default: the path)."""
        path = Path(path)
        return cls(path=path, graph=parse_rdf_file(path, display=display))

    # ---------------------------------------------------------------- classes
    @cached_property
    def classes(self) -> frozenset[URIRef]:
        return frozenset(
            c for c in self.graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)
        )

    @property
    def class_names(self) -> frozenset[str]:
        """The classes' local names (``State``, ``City``...), as the gazetteer's ``type`` column
        and ``eurokg link --type`` give them."""
        return frozenset(str(c).rsplit("/", 1)[-1] for c in self.classes)

    @cached_property
    def _superclasses(self) -> dict[URIRef, frozenset[URIRef]]:
        direct: dict[URIRef, set[URIRef]] = {}
        for sub, sup in self.graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                direct.setdefault(sub, set()).add(sup)
        closure: dict[URIRef, frozenset[URIRef]] = {}

        def walk(c: URIRef, seen: set[URIRef]) -> set[URIRef]:
            out = {c}
            for s in direct.get(c, ()):
                if s not in seen:
                    out |= walk(s, seen | {s})
            return out

        for c in set(direct) | set(self.classes):
            closure[c] = frozenset(walk(c, {c}))
        return closure

    def superclasses(self, cls: URIRef) -> frozenset[URIRef]:
        """``cls`` and all its (transitive) superclasses."""
        return self._superclasses.get(cls, frozenset({cls}))

    def is_subclass(self, sub: URIRef, sup: URIRef) -> bool:
        return sup in self.superclasses(sub)

    def subclasses(self, cls: URIRef) -> frozenset[URIRef]:
        return frozenset(c for c, sups in self._superclasses.items() if cls in sups)

    def most_specific(self, types: set[URIRef]) -> list[URIRef]:
        """Types of an instance that no other of its types specialises, sorted."""
        ek_types = {t for t in types if t in self.classes}
        out = [t for t in ek_types if not any(o != t and self.is_subclass(o, t) for o in ek_types)]
        return sorted(out)

    @cached_property
    def sheets(self) -> dict[str, URIRef]:
        """CSV sheet name -> the class its rows instantiate."""
        out: dict[str, URIRef] = {}
        for cls, name in self.graph.subject_objects(EK.sheet):
            out[str(name)] = cls  # type: ignore[assignment]
        return dict(sorted(out.items()))

    # ------------------------------------------------------------- properties
    @cached_property
    def properties(self) -> dict[URIRef, PropertyInfo]:
        kinds = {
            OWL.ObjectProperty: "object",
            OWL.DatatypeProperty: "datatype",
            OWL.AnnotationProperty: "annotation",
        }
        out: dict[URIRef, PropertyInfo] = {}
        for rdf_kind, kind in kinds.items():
            for p in self.graph.subjects(RDF.type, rdf_kind):
                if not isinstance(p, URIRef):
                    continue
                ranges = tuple(sorted(self._expand_range(r) for r in self.graph.objects(p, RDFS.range)))
                flat: list[URIRef] = []
                for r in ranges:
                    flat.extend(r)
                out[p] = PropertyInfo(
                    iri=p,
                    kind=kind,
                    domains=tuple(sorted(d for d in self.graph.objects(p, RDFS.domain) if isinstance(d, URIRef))),
                    ranges=tuple(flat),
                    functional=(p, RDF.type, OWL.FunctionalProperty) in self.graph,
                    label=self.label(p),
                )
        return out

    def _expand_range(self, node) -> tuple[URIRef, ...]:
        if isinstance(node, URIRef):
            return (node,)
        if isinstance(node, BNode):
            union = self.graph.value(node, OWL.unionOf)
            if union is not None:
                return tuple(m for m in Collection(self.graph, union) if isinstance(m, URIRef))
        return ()

    def property_by_local_name(self, name: str) -> PropertyInfo | None:
        return self.properties.get(EK[name])

    # ----------------------------------------------------------------- labels
    def label(self, term: URIRef, lang: str = "en") -> str:
        """The term's label in ``lang``, else any label, else its local name (remembered)."""
        key = (term, lang)
        known = self._labels.get(key)
        if known is None:
            known = self._labels[key] = self._read_label(term, lang)
        return known

    def _read_label(self, term: URIRef, lang: str) -> str:
        best = None
        for lit in self.graph.objects(term, RDFS.label):
            if isinstance(lit, Literal):
                if lit.language == lang:
                    return str(lit)
                best = best or str(lit)
        return best or str(term).rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def comment(self, term: URIRef) -> str | None:
        value = self.graph.value(term, RDFS.comment)
        return str(value) if value is not None else None

    # --------------------------------------------------------------- wikidata
    def wikidata_property(self, prop: URIRef) -> str | None:
        """The P-id a property is equivalent to (``owl:equivalentProperty wdt:P..``), if any."""
        for other in self.graph.objects(prop, OWL.equivalentProperty):
            if str(other).startswith(str(WDT)):
                return str(other)[len(str(WDT)):]
        return None

    def wikidata_class(self, cls: URIRef) -> str | None:
        for other in self.graph.objects(cls, SKOS.exactMatch):
            text = str(other)
            if text.startswith(str(WD)):
                return text[len(str(WD)):]
        return None

    @cached_property
    def terms(self) -> frozenset[URIRef]:
        """Every IRI in the ek: namespace the ontology declares (classes, properties, individuals, datatypes)."""
        base = str(EK)
        return frozenset(
            s for s in self.graph.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(base) and str(s) != base
        )

    @cached_property
    def individuals(self) -> frozenset[URIRef]:
        return frozenset(
            s for s in self.graph.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, URIRef)
        )

    def is_decimal_range(self, info: PropertyInfo) -> bool:
        return XSD.decimal in info.ranges
