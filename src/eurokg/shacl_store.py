"""SHACL Core and SHACL-SPARQL on an Oxigraph store: pySHACL's report, in a fraction of the time.

pySHACL stays the reference (:func:`eurokg.validate.validate_graph`, ``engine="pyshacl"``).
This engine gives the same findings on eurokg's shapes (``tests/test_shacl_store.py``
checks it result by result against pySHACL on the shipped data, on injected errors and
on one small case per SHACL Core component) and is chosen by size or by the
``validator`` setting.

How it works:

* the data (plus the class hierarchy) sits in a ``pyoxigraph.Store``; every named graph
  counts, as in a union graph;
* with ``inference="rdfs"`` the rdfs:subClassOf / rdfs:subPropertyOf closure is
  written into the store's default graph first (what pySHACL's RDFS pass adds that
  eurokg's shapes can see: types, super-property values, the closed hierarchy);
* value nodes are read through Oxigraph's indexes, one pass per predicate
  (cached), and each SHACL Core component is checked over whole batches of focus
  nodes in Python, never node by node through a query engine;
* an ``sh:sparql`` constraint whose ``$this`` is bound by its top-level pattern (and read
  by no FILTER, BIND or sub-select outside it) runs once over the whole store and its rows
  are filtered to the focus nodes; any other runs once per focus node with the node
  written in place of ``$this`` (SHACL 5.3.1, pre-binding). Queries SHACL forbids (MINUS,
  VALUES, SERVICE, ``AS $this``, sub-selects without ``$this``) are refused before they
  run, as pySHACL refuses them;
* SPARQL-based constraint components (SHACL 6: parameters, ASK and SELECT validators)
  run per focus node (and value node, for ASK) with their parameters pre-bound.

Value checks that depend on literal semantics (ill-typed literals, order of
values) use rdflib's literal values, as pySHACL does.
"""

from __future__ import annotations

import itertools
import re
from datetime import date as dt_date, datetime as dt_datetime, time as dt_time
from decimal import Decimal
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.paths import Path

from .errors import InputError
from .oxterms import from_ox, to_ox
from .query import one_line_ending, reaches_out
from .vocab import OWL, RDF, RDFS, SH, XSD

# ----------------------------------------------------------------------------- terms

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_SUBPROP = ox.NamedNode(str(RDFS.subPropertyOf))
_XSD_STRING = str(XSD.string)
_LANGSTRING = str(RDF.langString)


_X = "http://www.w3.org/2001/XMLSchema#"
CANONICALISED = frozenset(_X + t for t in (
    "integer", "positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger", "int", "long",
    "short", "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte", "decimal", "float", "double",
    "boolean", "dateTime", "dateTimeStamp"))
"""Datatypes whose literals an Oxigraph store keeps only as a canonical value (pyoxigraph 0.5:
"03"^^xsd:positiveInteger comes back as "3"^^xsd:integer, "0"^^xsd:positiveInteger as a valid
"0"^^xsd:integer, "1"^^xsd:boolean as "true"). SHACL checks datatypes and lexical forms, so
the validator keeps the original literals of these datatypes aside (:class:`Originals`)."""


class Originals:
    """The literals, as written, that an Oxigraph store would canonicalise: predicate ->
    subject -> literals. Value nodes are read through it."""

    def __init__(self) -> None:
        self.by_pred: dict = {}

    def note(self, s, p, o) -> None:
        if isinstance(o, ox.Literal) and o.datatype is not None and o.datatype.value in CANONICALISED:
            bucket = self.by_pred.setdefault(p, {}).setdefault(s, [])
            if o not in bucket:
                bucket.append(o)

    def __len__(self) -> int:
        return sum(len(v) for d in self.by_pred.values() for v in d.values())


def _canonicalised(term) -> bool:
    return isinstance(term, ox.Literal) and term.datatype is not None and term.datatype.value in CANONICALISED


def graph_to_store(graph: Graph | Iterable[tuple], store: ox.Store | None = None,
                   originals: Originals | None = None) -> ox.Store:
    """Copy an rdflib graph (or any iterable of rdflib triples; one given twice is stored
    once) into (the default graph of) an in-memory Oxigraph store, noting the literals the
    store will canonicalise in ``originals``."""
    store = store if store is not None else ox.Store()
    # streamed: no list of every quad (300 MB more at 1M triples); bulk_extend skips the
    # transaction extend keeps (2.3 against 4.0 s for a million quads)
    store.bulk_extend(ox_quads(graph, originals))
    return store


def ox_quads(triples: Iterable[tuple], originals: Originals | None = None):
    """rdflib triples as pyoxigraph quads of the default graph (each distinct term converted once), noting in
    ``originals`` the literals a store would canonicalise."""
    # each distinct term converted once, found by identity (an rdflib Literal's hash runs in
    # Python); the cache keeps the term itself alive beside its conversion, so no other
    # object can take its id while the copy runs
    cache: dict = {}
    note = originals.note if originals is not None else None
    make = ox.Quad

    def conv(t):
        hit = cache.get(id(t))
        if hit is None:
            term = to_ox(t)
            hit = cache[id(t)] = (t, term, note is not None and _canonicalised(term))
        return hit

    for s, p, o in triples:
        so, po, oo = conv(s), conv(p), conv(o)
        if oo[2]:
            note(so[1], po[1], oo[1])
        yield make(so[1], po[1], oo[1])


_DROP_BLANK_NODES = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"


class StoreCopy:
    """The Oxigraph copy of the union that validation runs on, gathered while the inputs
    are read. A reader that parses with Oxigraph (curated Turtle) hands over the file's
    bytes once they have parsed (:func:`eurokg.sources.rdffile.iter_quads`), and names the
    graphs they fill; :meth:`complete` has Oxigraph load those bytes itself, puts right what
    the named graphs hold in another form (literals rdflib rewrote, ``"01"^^xsd:integer``
    as ``"1"``; blank nodes, as the reader's skolem IRIs), and copies the other named graphs
    (CSV rows, provenance, corroborated claims) from their rdflib triples.

    A million-triple file: Oxigraph loads it in about 4 s, and validation at 1M takes about
    8 s less than with every triple converted back from rdflib (``docs/scale.md`` §2h). The
    bytes wait until validation asks for the store (they take the file's size in memory; the
    store, about seven times that), so the store is not held through loading and extraction."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.originals = Originals()
        self.graphs: set = set()
        self._files: list = []  # (bytes, format, {parsed literal: rdflib literal}) to load
        self._later: list = []  # skolemised rdflib triples, to add once the parsed blank nodes are gone

    def load(self, data: bytes, fmt: ox.RdfFormat, rewritten: dict) -> None:
        """A parsed file's bytes; ``rewritten``: parsed literal -> the rdflib literal the
        named graphs hold instead."""
        self._files.append((data, fmt, rewritten))

    def holds(self, graphs, *, canonicalised: Iterable[tuple] = (), skolemised: Iterable[tuple] = ()) -> None:
        """Record that every triple of these named graphs is in the copy, once ``skolemised``
        (their rdflib triples that had blank nodes in the file) replace the parsed blank
        nodes; ``canonicalised``: the rdflib triples whose object the store rewrites (see
        :class:`Originals`)."""
        self.graphs.update(graphs)
        for s, p, o in canonicalised:
            self.originals.note(to_ox(s), to_ox(p), to_ox(o))
        self._later.extend(skolemised)

    def describe(self, contributions) -> None:
        """Add the provenance graph :func:`eurokg.merge.merge` makes of ``contributions`` (a
        record per named graph: its type, file, row and sources), written here as N-Triples
        from the contributions and loaded by Oxigraph, not converted triple by triple from
        rdflib's terms (364,719 triples at a million: 11 s on a slow day, ``docs/scale.md``
        §2i). Call it once ``merge`` has accepted them. Where a source is not an IRI, or a
        name or file name is one Oxigraph refuses (it is only needed if this engine validates,
        and is reported then), nothing is added, and the graph is copied with the others."""
        from rdflib import URIRef

        from .vocab import EK, PROV, PROVENANCE_GRAPH, RDF, XSD

        if any(type(src) is not URIRef for c in contributions for src in c.sources):
            return
        iri = ox.NamedNode  # (as to_ox makes them: an IRI it refuses is refused here too)
        a, record, file_p, derived = (str(iri(str(t))) for t in (RDF.type, EK.CurationRecord, EK.file, PROV.wasDerivedFrom))
        row_p, positive = iri(str(EK.row)), iri(str(XSD.positiveInteger))
        files: dict = {}
        sources: dict = {}
        lines = []
        rows = []  # (noted once all is written: nothing half-done where a name is refused)
        try:
            for c in contributions:
                graph = str(iri(str(c.graph)))
                name = files.get(c.file)
                if name is None:
                    name = files[c.file] = str(ox.Literal(c.file))
                lines.append(f"{graph} {a} {record} .\n{graph} {file_p} {name} .\n")
                if c.row is not None:  # rdflib's Literal(row, datatype=xsd:positiveInteger), as written
                    row = ox.Literal(str(c.row), datatype=positive)
                    lines.append(f"{graph} <{row_p.value}> {row} .\n")
                    rows.append((iri(str(c.graph)), row))
                for src in c.sources:
                    text = sources.get(src)
                    if text is None:
                        text = sources[src] = str(iri(str(src)))
                    lines.append(f"{graph} {derived} {text} .\n")
        except ValueError:  # an IRI or a text Oxigraph refuses (a space in a file's name...)
            return
        # loaded with the files' bytes (in this process or in validation's, see hand_over)
        self._files.append(("".join(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES, {}))
        for graph_node, row in rows:
            self.originals.note(graph_node, row_p, row)
        self.graphs.add(PROVENANCE_GRAPH)

    def complete(self, triples_of_other_graphs: Iterable[tuple]) -> tuple[ox.Store, Originals]:
        """Add the rdflib triples of the graphs not held yet; return the store and its
        originals, ready for :func:`validate_store`."""
        while self._files:  # each file's bytes let go of once loaded
            self._load(*self._files.pop(0))
        if self._later:  # the parsed blank nodes go; their skolem IRIs come with the rest
            self.store.update(_DROP_BLANK_NODES)
        later, self._later = self._later, []
        graph_to_store(itertools.chain(later, triples_of_other_graphs), self.store, self.originals)
        return self.store, self.originals

    HANDED_OVER = "copy.pickle"

    def hand_over(self, folder, triples_of_other_graphs: Iterable[tuple]) -> None:
        """Write into ``folder`` what :meth:`complete` would load, for :meth:`restore` in
        another process (:class:`eurokg.validate.ValidationJob`): each file's bytes as a
        file, the other triples converted to pyoxigraph terms (their canonicalised literals
        noted), and the originals, pickled. The copy stays whole, so that it can still be
        completed here if the other process cannot start; :meth:`release` lets go of it."""
        import pickle
        from pathlib import Path

        folder = Path(folder)
        files = []
        for i, (data, fmt, rewritten) in enumerate(self._files):
            name = f"input-{i}.{fmt.file_extension}"
            (folder / name).write_bytes(data)
            files.append((name, fmt.file_extension, {k: to_ox(v) for k, v in rewritten.items()}))
        later = list(ox_quads(itertools.chain(self._later, triples_of_other_graphs), self.originals))
        state = {"files": files, "blank_nodes_replaced": bool(self._later), "later": later,
                 "originals": self.originals.by_pred}
        with open(folder / self.HANDED_OVER, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)

    def release(self) -> None:
        """Let go of the files' bytes and the triples waiting (handed over to another process)."""
        self._files, self._later = [], []

    @classmethod
    def restore(cls, folder) -> tuple[ox.Store, Originals]:
        """The store and originals :meth:`complete` gives, from what :meth:`hand_over` wrote
        (in the same order: the files, then the parsed blank nodes gone, then the rest)."""
        import pickle
        from pathlib import Path

        folder = Path(folder)
        with open(folder / cls.HANDED_OVER, "rb") as fh:
            state = pickle.load(fh)
        copy = cls()
        copy.originals.by_pred = state["originals"]
        for name, extension, rewritten in state["files"]:
            copy._load((folder / name).read_bytes(), ox.RdfFormat.from_extension(extension), rewritten, converted=True)
        if state["blank_nodes_replaced"]:
            copy.store.update(_DROP_BLANK_NODES)
        copy.store.bulk_extend(state["later"])
        return copy.store, copy.originals

    def _load(self, data: bytes, fmt: ox.RdfFormat, rewritten: dict, *, converted: bool = False) -> None:
        self.store.load(data, fmt)  # (bulk_load took 200 MB more at 1M, for no less time)
        for parsed, held in rewritten.items():
            instead = held if converted else to_ox(held)
            for q in list(self.store.quads_for_pattern(None, None, parsed, None)):
                self.store.remove(q)
                self.store.add(ox.Quad(q.subject, q.predicate, instead, q.graph_name))


def load_file(path, store: ox.Store, originals: Originals, *, fmt=None) -> int:
    """Parse an RDF file with Oxigraph's parser (terms as written) into ``store``; return the
    number of quads. A syntax error is an :class:`InputError` naming the file and position."""
    from pathlib import Path

    path = Path(path)
    fmt = fmt or {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
                  ".nt": ox.RdfFormat.N_TRIPLES}.get(path.suffix)
    if fmt is None:
        raise InputError("reads .trig, .nq, .ttl or .nt", str(path))
    n = 0
    batch: list = []
    try:
        for q in ox.parse(path=str(path), format=fmt):
            originals.note(q.subject, q.predicate, q.object)
            batch.append(q)
            if len(batch) >= 100_000:
                store.extend(batch)
                n += len(batch)
                batch = []
    except (SyntaxError, MemoryError) as exc:  # MemoryError: a term over the parser's 16 MiB cap
        raise InputError(f"cannot read the graph: {exc}", str(path)) from None
    store.extend(batch)
    return n + len(batch)


# ----------------------------------------------------------------------------- inference

def _closure(pairs: Iterable[tuple]) -> dict:
    """Reflexive-transitive closure of a relation given as (sub, super) pairs."""
    up: dict = {}
    for a, b in pairs:
        up.setdefault(a, set()).add(b)
        up.setdefault(b, set())
    out: dict = {}
    for start in up:
        seen = {start}
        todo = [start]
        while todo:
            for nxt in up.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        out[start] = seen
    return out


def materialize_rdfs(store: ox.Store, originals: Originals | None = None) -> int:
    """Write the subclass/subproperty entailments into the default graph; return how many.

    The class and property hierarchies are closed (reflexive and transitive), every
    typed node gets the super-classes of its types, every triple of a sub-property is
    repeated with each super-property. Domains and ranges are not used (eurokg
    validates against the hierarchy only, see :func:`eurokg.validate.hierarchy_only`)."""
    classes = _closure((q.subject, q.object) for q in store.quads_for_pattern(None, _SUBCLASS, None, None))
    props = _closure((q.subject, q.object) for q in store.quads_for_pattern(None, _SUBPROP, None, None))
    new: set = set()
    for c, supers in classes.items():
        for s in supers:
            new.add((c, _SUBCLASS, s))
    for p, supers in props.items():
        for s in supers:
            new.add((p, _SUBPROP, s))
    for q in store.quads_for_pattern(None, _RDF_TYPE, None, None):
        for s in classes.get(q.object, ()):
            if s != q.object:
                new.add((q.subject, _RDF_TYPE, s))
    for p, supers in props.items():
        extra = [s for s in supers if s != p]
        if not extra or not isinstance(p, ox.NamedNode):
            continue
        for q in store.quads_for_pattern(None, p, None, None):
            for s in extra:
                if isinstance(s, ox.NamedNode):
                    new.add((q.subject, s, q.object))
        if originals is not None:
            for subj, lits in list(originals.by_pred.get(p, {}).items()):
                for s in extra:
                    for lit in lits:
                        originals.note(subj, s, lit)
    before = len(store)
    store.extend(ox.Quad(s, p, o) for s, p, o in new)
    return len(store) - before


# ----------------------------------------------------------------------------- results

@dataclass
class Result:
    """One validation result, in the terms pySHACL would report."""

    focus: object  # pyoxigraph term
    shape: object  # rdflib node (shapes graph)
    component: URIRef
    severity: URIRef
    messages: list[str]
    path: object = None  # rdflib node (shapes graph) or None
    value: object = None  # pyoxigraph term or None
    constraint: object = None


@dataclass
class Shape:
    node: object
    path: object = None  # rdflib node of sh:path, None for node shapes
    severity: URIRef = SH.Violation
    messages: list = field(default_factory=list)
    deactivated: bool = False

    @property
    def is_property(self) -> bool:
        return self.path is not None


_COMPONENT = {name: SH[f"{name[0].upper()}{name[1:]}ConstraintComponent"] for name in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "qualifiedMinCount",
    "qualifiedMaxCount", "closed", "hasValue", "in", "sparql")}
_COMPONENT["sparql"] = SH.SPARQLConstraintComponent


class ShapesError(InputError):
    pass


# ----------------------------------------------------------------------------- the engine

class StoreValidator:
    """Validate the data in ``store`` (all graphs) against the shapes in ``shapes``."""

    def __init__(self, store: ox.Store, shapes: Graph, *, shapes_name: str = "shapes",
                 originals: Originals | None = None):
        self.store = store
        self.originals = originals if originals is not None else Originals()
        self.sg = shapes
        self.shapes_name = shapes_name
        self._shapes: dict = {}
        self._by_subject: dict = {}
        self._by_object: dict = {}
        # one object per distinct term in the caches: pyoxigraph makes a new object for each
        # term of each quad it yields, and the same subjects and values recur in every
        # predicate's index (at a million triples the indexes took 150 MB less)
        self._terms: dict = {}
        self._instances: dict = {}
        self._subclasses = None
        self._rdflib: dict = {}
        self._stack: list = []
        self._declared: list | None = None
        self.datatype_verdicts: dict[str, dict] = {}  # datatype IRI -> value -> whether it is one

    # -- data access ---------------------------------------------------------------
    def _index(self, pred: ox.NamedNode, inverse: bool) -> dict:
        cache = self._by_object if inverse else self._by_subject
        idx = cache.get(pred)
        if idx is None:
            idx = {}
            one = self._terms.setdefault
            for q in self.store.quads_for_pattern(None, pred, None, None):
                key, val = (q.object, q.subject) if inverse else (q.subject, q.object)
                key, val = one(key, key), one(val, val)
                bucket = idx.get(key)
                if bucket is None:
                    idx[key] = [val]
                elif val not in bucket:
                    bucket.append(val)
            if not inverse:  # the literals as written, where the store keeps a canonical value
                for subj, lits in self.originals.by_pred.get(pred, {}).items():
                    idx[subj] = [v for v in idx.get(subj, []) if not _canonicalised(v)] + lits
            cache[pred] = idx
        return idx

    def values(self, path, nodes: Iterable) -> dict:
        """focus node -> its value nodes along ``path`` (an rdflib path node of the shapes graph)."""
        if isinstance(path, URIRef):
            idx = self._index(ox.NamedNode(str(path)), False)
            return {n: idx.get(n, []) for n in nodes}
        inverse = self.sg.value(path, SH.inversePath)
        if isinstance(inverse, URIRef) and self.sg.value(path, RDF.first) is None:
            idx = self._index(ox.NamedNode(str(inverse)), True)
            return {n: idx.get(n, []) for n in nodes}
        sparql_path = self._sparql_path(path)
        query = f"SELECT DISTINCT ?this ?v WHERE {{ ?this {sparql_path} ?v }}"
        out = {}
        this = ox.Variable("this")
        empty = self._admits_empty(path)
        for n in nodes:
            if isinstance(n, ox.Literal) and not empty:
                out[n] = []
                continue
            found = [r["v"] for r in self.store.query(query, substitutions={this: n},
                                                      use_default_graph_as_union=True)]
            # the empty walk reaches the focus node itself (SHACL 2.3.1, SPARQL's zero-length
            # path); Oxigraph finds no walk at all from a node that is in none of its triples
            if empty and n not in found:
                found.append(n)
            out[n] = found
        return out

    def _admits_empty(self, path) -> bool:
        """Whether ``path`` has a walk of length zero (``p*``, ``p?``, and what is built of them)."""
        if isinstance(path, URIRef):
            return False
        g = self.sg
        if g.value(path, RDF.first) is not None:
            return all(self._admits_empty(p) for p in Collection(g, path))
        if g.value(path, SH.zeroOrMorePath) is not None or g.value(path, SH.zeroOrOnePath) is not None:
            return True
        for pred in (SH.inversePath, SH.oneOrMorePath):
            inner = g.value(path, pred)
            if inner is not None:
                return self._admits_empty(inner)
        alt = g.value(path, SH.alternativePath)
        if alt is not None:
            return any(self._admits_empty(p) for p in Collection(g, alt))
        return False

    def _sparql_path(self, path) -> str:
        if isinstance(path, URIRef):
            return f"<{path}>"
        g = self.sg
        if g.value(path, RDF.first) is not None:
            return "(" + "/".join(self._sparql_path(p) for p in Collection(g, path)) + ")"
        for pred, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                          (SH.zeroOrOnePath, "{}?")):
            inner = g.value(path, pred)
            if inner is not None:
                return "(" + fmt.format(self._sparql_path(inner)) + ")"
        alt = g.value(path, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self._sparql_path(p) for p in Collection(g, alt)) + ")"
        raise ShapesError(f"unsupported sh:path {path!r}", self.shapes_name)

    def subclasses(self) -> dict:
        """class -> every class below it (itself included), from the data's rdfs:subClassOf."""
        if self._subclasses is None:
            self._subclasses = _closure((q.object, q.subject)
                                        for q in self.store.quads_for_pattern(None, _SUBCLASS, None, None))
        return self._subclasses

    def instances(self, cls: ox.NamedNode) -> set:
        hit = self._instances.get(cls)
        if hit is None:
            hit = set()
            for c in self.subclasses().get(cls, {cls}) | {cls}:
                one = self._terms.setdefault
                hit.update(one(q.subject, q.subject) for q in self.store.quads_for_pattern(None, _RDF_TYPE, c, None))
            self._instances[cls] = hit
        return hit

    def rdflib_term(self, term):
        return from_ox(term)

    # -- shapes ----------------------------------------------------------------------
    def shape(self, node) -> Shape:
        hit = self._shapes.get(node)
        if hit is None:
            g = self.sg
            sev = g.value(node, SH.severity)
            deact = g.value(node, SH.deactivated)
            hit = Shape(node=node, path=g.value(node, SH.path),
                        severity=sev if isinstance(sev, URIRef) else SH.Violation,
                        messages=sorted(g.objects(node, SH.message), key=str),
                        deactivated=isinstance(deact, Literal) and deact.value is True)
            self._shapes[node] = hit
        return hit

    def targets(self, node) -> list:
        g = self.sg
        found: dict = {}
        for t in g.objects(node, SH.targetNode):
            found.setdefault(to_ox(t), None)
        classes = list(g.objects(node, SH.targetClass))
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
            classes.append(node)
        for c in classes:
            for n in sorted(self.instances(to_ox(c)), key=str):
                found.setdefault(n, None)
        for p in g.objects(node, SH.targetSubjectsOf):
            for n in self._index(to_ox(p), False):
                found.setdefault(n, None)
        for p in g.objects(node, SH.targetObjectsOf):
            for n in self._index(to_ox(p), True):
                found.setdefault(n, None)
        return list(found)

    def shapes_with_targets(self) -> list:
        g = self.sg
        nodes: dict = {}
        for pred in (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
            for s in g.subjects(pred, None):
                nodes.setdefault(s, None)
        for kind in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, kind):
                if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, OWL.Class) in g:
                    nodes.setdefault(s, None)
        return sorted(nodes, key=lambda n: (isinstance(n, BNode), str(n)))

    # -- running -------------------------------------------------------------------
    def run(self) -> list[Result]:
        results: list[Result] = []
        for node in self.shapes_with_targets():
            shape = self.shape(node)
            if shape.deactivated:
                continue
            focus = self.targets(node)
            if focus:
                results.extend(self.evaluate(shape, focus))
        return results

    def conforming(self, node, nodes: list) -> set:
        """The subset of ``nodes`` that conform to the shape ``node``."""
        shape = self.shape(node)
        if shape.deactivated:
            return set(nodes)
        if node in self._stack:  # recursive shapes: SHACL leaves them undefined; assume conformance
            return set(nodes)
        self._stack.append(node)
        try:
            failed = {r.focus for r in self.evaluate(shape, nodes)}
        finally:
            self._stack.pop()
        return {n for n in nodes if n not in failed}

    def evaluate(self, shape: Shape, focus: list) -> list[Result]:
        if shape.deactivated or not focus:
            return []
        if shape.is_property:
            vmap = self.values(shape.path, focus)
        else:
            vmap = {f: [f] for f in focus}
        out: list[Result] = []
        g = self.sg
        node = shape.node

        def result(f, component, value=None, *, path=None, messages=None, constraint=None):
            out.append(Result(focus=f, shape=node, component=component if isinstance(component, URIRef)
                              else _COMPONENT[component], severity=shape.severity,
                              messages=messages if messages is not None else [str(m) for m in shape.messages],
                              path=path if path is not None else shape.path, value=value, constraint=constraint))

        for param in sorted(set(g.predicates(node, None)), key=str):
            check = _CHECKS.get(param)
            if check is not None:
                for obj in sorted(g.objects(node, param), key=str):
                    check(self, shape, obj, vmap, result)
        # qualified value shapes and the property shapes are separate
        q = g.value(node, SH.qualifiedValueShape)
        if q is not None and shape.is_property:
            self._qualified(shape, q, vmap, result)
        for prop in sorted(g.objects(node, SH.property), key=str):
            values = list(dict.fromkeys(v for vs in vmap.values() for v in vs))
            out.extend(self.evaluate(self.shape(prop), values))
        for constraint in sorted(g.objects(node, SH.sparql), key=str):
            self._sparql(shape, constraint, vmap, result)
        for declared in self._components():
            self._component(shape, declared, vmap, result)
        if g.value(node, SH.closed) is not None and not shape.is_property:
            self._closed(shape, vmap, result)
        return out

    # -- components ----------------------------------------------------------------
    def _qualified(self, shape, qnode, vmap, result):
        g = self.sg
        qmin = g.value(shape.node, SH.qualifiedMinCount)
        qmax = g.value(shape.node, SH.qualifiedMaxCount)
        disjoint = g.value(shape.node, SH.qualifiedValueShapesDisjoint)
        siblings: list = []
        if isinstance(disjoint, Literal) and disjoint.value is True:
            for parent in g.subjects(SH.property, shape.node):
                for sib in g.objects(parent, SH.property):
                    sq = g.value(sib, SH.qualifiedValueShape)
                    if sib != shape.node and sq is not None:
                        siblings.append(sq)
        values = list(dict.fromkeys(v for vs in vmap.values() for v in vs))
        ok = self.conforming(qnode, values)
        for sq in siblings:
            ok -= self.conforming(sq, values)
        for f, vs in vmap.items():
            n = sum(1 for v in vs if v in ok)
            if qmax is not None and n > int(qmax):
                result(f, SH.QualifiedMaxCountConstraintComponent)
            if qmin is not None and n < int(qmin):
                result(f, SH.QualifiedMinCountConstraintComponent)

    def _closed(self, shape, vmap, result):
        g = self.sg
        closed = g.value(shape.node, SH.closed)
        if not (isinstance(closed, Literal) and closed.value is True):
            return
        allowed = {to_ox(p) for prop in g.objects(shape.node, SH.property)
                   for p in [g.value(prop, SH.path)] if isinstance(p, URIRef)}
        ignored = g.value(shape.node, SH.ignoredProperties)
        if ignored is not None:
            allowed |= {to_ox(p) for p in Collection(g, ignored)}
        for f, vs in vmap.items():
            for v in vs:
                if isinstance(v, ox.Literal):
                    continue
                for q in self.store.quads_for_pattern(v, None, None, None):
                    if q.predicate not in allowed:
                        result(f, "closed", q.object, path=URIRef(q.predicate.value))

    def _sparql(self, shape, constraint, vmap, result):
        g = self.sg
        deact = g.value(constraint, SH.deactivated)
        if isinstance(deact, Literal) and deact.value is True:
            return
        select = g.value(constraint, SH.select)
        if select is None:
            raise ShapesError(f"sh:sparql {constraint} has no sh:select", self.shapes_name)
        text = one_line_ending(str(select))  # Oxigraph ends a comment at CR too, rdflib's checks only at LF
        prefixes = self._prefixes(constraint)
        key = tuple(sorted(prefixes.items()))
        problem = _forbidden(text, key)
        if problem:
            named = constraint if isinstance(constraint, URIRef) else f"a sh:sparql constraint of shape {shape.node}"
            raise ShapesError(f"the SPARQL of {named} {problem}", self.shapes_name)
        if shape.is_property:
            text = re.sub(r"\$PATH\b", self._sparql_path(shape.path), text)
        constants = {}
        if isinstance(shape.node, URIRef):
            text = _prebind(text, {"currentShape": f"<{shape.node}>"})
        else:
            constants[ox.Variable("currentShape")] = to_ox(shape.node)
        messages = sorted(g.objects(constraint, SH.message), key=str)
        shape_messages = [str(m) for m in shape.messages]
        extra = [str(m) for m in messages if m not in shape.messages]
        try:
            batch = _this_is_bound(text, key)
        except Exception as exc:  # a query rdflib cannot parse: Oxigraph will say what is wrong
            batch = False
            _ = exc
        rows_by_focus: dict = {}
        try:
            if batch:
                wanted = set(vmap)
                variables, rows = self._batch_rows(text, prefixes, constants)
                for row in rows:
                    f = row.get("this")
                    if f in wanted:
                        rows_by_focus.setdefault(f, []).append(row)
            else:
                # pre-binding (SHACL 5.3.1): $this stands for the focus node everywhere in the
                # query, inner groups and sub-selects included, so its term is written in its
                # place; a blank node (no text names it) is bound by Oxigraph's substitution
                this = ox.Variable("this")
                for f in vmap:
                    if isinstance(f, ox.BlankNode):
                        query, bound = text, {**constants, this: f}
                    else:
                        query, bound = _prebind(text, {"this": str(f)}), constants
                    solutions = self.store.query(query, prefixes=prefixes, substitutions=bound,
                                                 use_default_graph_as_union=True)
                    variables = [v.value for v in solutions.variables]
                    rows = [dict(zip(variables, r)) for r in solutions]  # (a solution yields its values in order)
                    if rows:
                        rows_by_focus[f] = rows
        except SyntaxError as exc:
            raise ShapesError(f"the SPARQL of {constraint} cannot be parsed: {exc}", self.shapes_name) from None
        for f in vmap:
            if rows_by_focus.get(f):
                _emit(shape, f, rows_by_focus[f], shape_messages + extra, "sparql", constraint, result)

    # -- SPARQL-based constraint components (SHACL 6) ----------------------------------
    def _components(self) -> list:
        """``(component, [(parameter path, variable name, optional)], node validator,
        property validator, validator)`` for each constraint component the shapes graph
        declares (its class may be a subclass of sh:ConstraintComponent) with a validator."""
        if self._declared is None:
            g = self.sg
            classes, todo = {SH.ConstraintComponent}, [SH.ConstraintComponent]
            while todo:
                for sub in g.subjects(RDFS.subClassOf, todo.pop()):
                    if sub not in classes:
                        classes.add(sub)
                        todo.append(sub)
            found = []
            for comp in sorted({c for k in classes for c in g.subjects(RDF.type, k)}, key=str):
                validators = [g.value(comp, p) for p in (SH.nodeValidator, SH.propertyValidator, SH.validator)]
                if not any(v is not None for v in validators):
                    continue  # SHACL Core's own, or one without an implementation: nothing to run
                params = []
                for param in sorted(g.objects(comp, SH.parameter), key=str):
                    path = g.value(param, SH.path)
                    if not isinstance(path, URIRef):
                        raise ShapesError(f"parameter {param} of {comp} has no IRI as sh:path", self.shapes_name)
                    optional = g.value(param, SH.optional)
                    name = re.split(r"[#/]", str(path))[-1]
                    params.append((path, name, isinstance(optional, Literal) and optional.value is True))
                found.append((comp, params, *validators))
            self._declared = found
        return self._declared

    def _component(self, shape, declared, vmap, result):
        """Run one SPARQL-based constraint component on a shape that gives its parameters."""
        import itertools

        comp, params, node_validator, property_validator, validator = declared
        g = self.sg
        chosen = (property_validator if shape.is_property else node_validator) or validator
        if chosen is None:
            return
        choices = []
        for path, name, optional in params:
            values = sorted(g.objects(shape.node, path), key=str)
            if not values and not optional:
                return  # the shape does not use this component
            choices.append([(name, v) for v in values] or [None])
        if all(c == [None] for c in choices):
            return
        ask, select = g.value(chosen, SH.ask), g.value(chosen, SH.select)
        if (ask is None) == (select is None):
            raise ShapesError(f"validator {chosen} of {comp} needs one sh:ask or one sh:select", self.shapes_name)
        text = one_line_ending(str(ask if ask is not None else select))
        prefixes = self._prefixes(chosen)
        problem = _forbidden(text, tuple(sorted(prefixes.items())))
        if problem:
            raise ShapesError(f"the SPARQL of {chosen} ({comp}) {problem}", self.shapes_name)
        if shape.is_property:
            text = re.sub(r"\$PATH\b", self._sparql_path(shape.path), text)
        own = sorted(g.objects(chosen, SH.message), key=str)
        messages = [str(m) for m in shape.messages] + [str(m) for m in own if m not in shape.messages]
        for combination in itertools.product(*choices):
            given = {name: to_ox(v) for name, v in (c for c in combination if c is not None)}
            if not isinstance(shape.node, BNode):
                given["currentShape"] = to_ox(shape.node)
            try:
                if ask is not None:
                    for f, values in vmap.items():
                        for v in values:
                            query, bound = _bind_terms(text, {**given, "this": f, "value": v})
                            answer = self.store.query(query, prefixes=prefixes, substitutions=bound,
                                                      use_default_graph_as_union=True)
                            if not bool(answer):
                                fill = {**given, "this": f, "value": v}
                                result(f, comp, v, messages=[_fill(m, fill) for m in messages], constraint=chosen)
                else:
                    for f in vmap:
                        query, bound = _bind_terms(text, {**given, "this": f})
                        solutions = self.store.query(query, prefixes=prefixes, substitutions=bound,
                                                     use_default_graph_as_union=True)
                        names = [v.value for v in solutions.variables]
                        rows = [{**given, **dict(zip(names, r))} for r in solutions]
                        if rows:
                            _emit(shape, f, rows, messages, comp, chosen, result, drop=set(given))
            except SyntaxError as exc:
                raise ShapesError(f"the SPARQL of {chosen} ({comp}) cannot be parsed: {exc}", self.shapes_name) from None

    def _batch_rows(self, text: str, prefixes: dict, constants: dict) -> tuple[list, list]:
        """All solutions of a constraint's query with ``$this`` free, as dicts of the projected
        variables. A top-level ``FILTER NOT EXISTS`` is decorrelated (Oxigraph evaluates it
        once per row against its whole inner pattern, quadratic at scale): the query runs
        without it, the inner pattern runs once joined to the outer one, and rows whose shared
        variables found a match are dropped: the same solutions, in linear time."""
        split = _split_not_exists(text)
        if split is not None:
            outer, positives, projection = split
            rows = self._query_dicts(outer, prefixes, constants)
            keep = rows
            for positive in positives:
                shared = sorted(set(_variables(positive)) & set(_variables(outer)) - {"*"})
                if any(r.get(v) is None for r in keep for v in shared):
                    break  # a shared variable is not always bound: fall back to the query as written
                matched = {tuple(r[v] for v in shared) for r in self._query_dicts(positive, prefixes, constants)}
                keep = [r for r in keep if tuple(r[v] for v in shared) not in matched]
            else:
                variables = projection if projection is not None else sorted({k for r in rows for k in r})
                return variables, [{v: r.get(v) for v in variables} for r in keep]
        solutions = self.store.query(text, prefixes=prefixes, substitutions=constants, use_default_graph_as_union=True)
        variables = [v.value for v in solutions.variables]
        return variables, [dict(zip(variables, r)) for r in solutions]

    def _query_dicts(self, text: str, prefixes: dict, constants: dict) -> list:
        solutions = self.store.query(text, prefixes=prefixes, substitutions=constants, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [dict(zip(names, r)) for r in solutions]  # (a solution yields its values in order)

    def _prefixes(self, constraint) -> dict:
        """The prefixes declared by the values of ``sh:prefixes`` and by what they
        ``owl:imports`` (transitively, within the shapes graph), as SHACL 5.2.1 says."""
        g = self.sg
        out: dict = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}  # pySHACL declares these for every query
        todo, seen = list(g.objects(constraint, SH.prefixes)), set()
        while todo:
            src = todo.pop(0)
            if src in seen:
                continue
            seen.add(src)
            for decl in g.objects(src, SH.declare):
                prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    out[str(prefix)] = str(ns)
            todo.extend(g.objects(src, OWL.imports))
        return out


_NOT_EXISTS = re.compile(r"FILTER\s*\(?\s*NOT\s+EXISTS\s*\{", re.I)
_SELECT = re.compile(r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*(WHERE\s*)?\{", re.I | re.S)


def _variables(text: str) -> list:
    return re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", text)


def _block_end(text: str, start: int) -> int:
    """Index just after the ``}`` closing the ``{`` at ``start`` (strings and IRIs skipped)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced braces")


def _split_not_exists(text: str):
    """``(outer query, [outer+inner queries], projected variables)`` for a SELECT whose WHERE
    group has top-level ``FILTER NOT EXISTS { … }`` blocks; None when it has none or when
    the query has more than one top-level group (aggregates, ORDER BY, LIMIT: left as is)."""
    m = _SELECT.search(text)
    if m is None:
        return None
    head, select_vars = text[:m.start()], m.group(2).strip()
    open_at = m.end() - 1
    try:
        close = _block_end(text, open_at)
    except ValueError:
        return None
    if text[close:].strip():
        return None  # GROUP BY, ORDER BY, LIMIT...: not decorrelated
    body = text[open_at + 1:close - 1]
    blocks: list = []
    outer: list = []
    pos = 0
    while True:
        found = None
        for nm in _NOT_EXISTS.finditer(body, pos):
            if _depth(body, nm.start()) == 0:
                found = nm
                break
        if found is None:
            break
        brace = found.end() - 1
        try:
            end = _block_end(body, brace)
        except ValueError:
            return None
        inner = body[brace + 1:end - 1]
        if "(" in found.group(0):  # FILTER (NOT EXISTS {…}) is one filter; FILTER (NOT EXISTS {…} || …) is not
            rest = body[end:].lstrip()
            if not rest.startswith(")"):
                return None  # FILTER (NOT EXISTS {…} || …): a combination, not one filter
            end = len(body) - len(rest) + 1
        blocks.append(inner)
        outer.append(body[pos:found.start()])
        pos = end
    if not blocks:
        return None
    outer.append(body[pos:])
    outer_body = " ".join(outer)
    inner_text = " ".join(blocks)
    if re.search(r"\b(NOT\s+EXISTS|EXISTS|MINUS|SELECT|SERVICE|VALUES|GRAPH)\b", inner_text + outer_body, re.I):
        return None
    projection = None if select_vars == "*" else _variables(select_vars)
    if projection is not None and len(projection) != len(select_vars.split()):
        return None  # expressions in the projection: left as is
    outer_q = f"{head}SELECT * WHERE {{ {outer_body} }}"
    positives = [f"{head}SELECT * WHERE {{ {_without_spare_optionals(outer_body, b)} {b} }}" for b in blocks]
    return outer_q, positives, projection


_OPTIONAL = re.compile(r"OPTIONAL\s*\{", re.I)


def _without_spare_optionals(body: str, inner: str) -> str:
    """``body`` without its top-level OPTIONAL groups whose own variables play no part
    in ``inner`` or in the rest of ``body`` (e.g. a label fetched for the message): they
    cannot change which rows match, and Oxigraph plans the join far better without them."""
    out, pos = [], 0
    for m in _OPTIONAL.finditer(body):
        if m.start() < pos or _depth(body, m.start()) != 0:
            continue
        end = _block_end(body, m.end() - 1)
        block = body[m.start():end]
        rest = body[:m.start()] + body[end:]
        new = set(_variables(block)) - set(_variables(rest))
        if new and not new & set(_variables(inner)):
            out.append(body[pos:m.start()])
            pos = end
    out.append(body[pos:])
    return " ".join(out)


def _depth(text: str, at: int) -> int:
    depth = 0
    for ch in text[:at]:
        depth += ch == "{"
        depth -= ch == "}"
    return depth


def _emit(shape, f, rows: list, messages: list, component, constraint, result, drop: set = frozenset()) -> None:
    """The results of a SPARQL constraint's (or a SELECT validator's) solutions for focus
    node ``f``, as pySHACL gives them: one per distinct solution, ``?failure`` once."""
    seen: set = set()
    for row in rows:
        bound = {name: val for name, val in row.items() if val is not None}
        if "failure" in bound:
            if "failure" in seen:
                continue
            seen.add("failure")
            bound.pop("failure")
            result(f, component, f if not shape.is_property else None,
                   messages=[_fill(m, bound) for m in messages], constraint=constraint)
            continue
        t = bound.pop("this", None)
        p = bound.pop("path", None)
        v = bound.pop("value", None)
        key = (t, p, v, tuple(sorted(((k, x) for k, x in bound.items() if k not in drop), key=lambda kv: kv[0])))
        if key in seen:
            continue
        seen.add(key)
        fill = dict(bound)
        for name, term in (("this", t), ("path", p), ("value", v)):
            if term is not None:
                fill[name] = term
        value = v if v is not None else (f if not shape.is_property else None)
        result(t if t is not None else f, component, value, path=from_ox(p) if p is not None else None,
               messages=[_fill(m, fill) for m in messages], constraint=constraint)


def _bind_terms(text: str, terms: dict) -> tuple[str, dict]:
    """Pre-bind ``terms`` (variable name -> pyoxigraph term): written into the query where
    they have a text form, handed to Oxigraph as substitutions where they are blank nodes."""
    written = {n: str(t) for n, t in terms.items() if not isinstance(t, ox.BlankNode)}
    return _prebind(text, written), {ox.Variable(n): t for n, t in terms.items() if isinstance(t, ox.BlankNode)}


def _fill(message: str, bound: dict) -> str:
    """pySHACL's substitution of ``{?var}`` / ``{$var}`` in a SPARQL constraint's message."""
    for name, val in bound.items():
        message = re.sub("{{[?$]{}}}".format(name), str(from_ox(val)), message)
    return message


_PREBOUND = ("this", "shapesGraph", "currentShape")

_NAME = "[\\w\u00b7\u0300-\u036f\u203f\u2040]+"  # a SPARQL variable name (Unicode letters allowed)
_LEXEME = re.compile("|".join((
    '"""(?:[^"\\\\]|\\\\.|"(?!""))*"""',  # long strings
    "'''(?:[^'\\\\]|\\\\.|'(?!''))*'''",
    '"(?:[^"\\\\\\n]|\\\\.)*"',  # short strings
    "'(?:[^'\\\\\\n]|\\\\.)*'",
    '<[^<>"{}|^`\\\\\\s]*:[^<>"{}|^`\\\\\\s]*>',  # absolute IRIs (so `?v<5&&$this>0` stays operators)
    "#[^\\n]*",  # comments
    "(?<![\\w:.\\-])BOUND\\s*\\(\\s*[?$]" + _NAME + "\\s*\\)",  # BOUND(?v)
    "[?$]" + _NAME,  # variables
    # keywords, not the same letters inside a prefixed name (ex:select, ex:has-select)
    "(?<![\\w:.\\-])(?:SELECT|WHERE|GROUP\\s+BY|ORDER\\s+BY|HAVING|LIMIT|OFFSET|VALUES)(?![\\w:\\-])",
    "[{}()]",
)), re.I)


def _prebind(text: str, terms: dict[str, str]) -> str:
    """``text`` with each variable named in ``terms`` replaced by the term written there
    (``<iri>`` or a literal in N-Triples form): SHACL's pre-binding, which reaches inner
    groups, sub-selects and expressions alike. Strings, IRIs and comments are left alone;
    in a SELECT clause the variable becomes ``(term AS ?name)``, after GROUP BY and ORDER
    BY ``(term)``, and ``BOUND(?name)`` is ``(true)``. A sub-select's projection gets a name
    of its own (``?name_2``...): Oxigraph refuses to bind one variable twice."""
    out: list[str] = []
    last = 0
    clause = None  # "select" (depth 0 of its projection) or "modifier"
    depth = selects = 0
    for m in _LEXEME.finditer(text):
        token = m.group(0)
        upper = token.upper()
        replacement = None
        if upper.startswith("BOUND"):
            if re.sub(r"[\s()]", "", token)[6:] in terms:
                replacement = "(true)"
        elif token[0] in "?$":
            name = token[1:]
            term = terms.get(name)
            if term is not None:
                if clause == "select" and depth == 0:
                    replacement = f"({term} AS ?{name})" if selects == 1 else f"({term} AS ?{name}_{selects})"
                elif clause == "modifier":
                    replacement = f"({term})"
                else:
                    replacement = term
        elif upper == "SELECT":
            clause, depth = "select", 0
            selects += 1
        elif upper.startswith(("GROUP", "ORDER")):
            clause = "modifier"
        elif upper in ("WHERE", "{", "}", "HAVING", "LIMIT", "OFFSET", "VALUES"):
            clause = None
        elif token == "(" and clause == "select":
            depth += 1
        elif token == ")" and clause == "select":
            depth -= 1
        if replacement is not None:
            out.append(text[last:m.start()])
            out.append(replacement)
            last = m.end()
    out.append(text[last:])
    return "".join(out)


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def might_reach_out(text: str, keywords: str = "SERVICE|FROM") -> bool:
    """Whether ``text`` holds one of ``keywords`` anywhere once SPARQL's ``\\uXXXX`` escapes
    are decoded (they apply before parsing: ``\\u0053ERVICE`` is SERVICE). Deliberately
    blunt: a match only means the query must be parsed, or refused if it cannot be."""
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return re.search(rf"(?:{keywords})", decoded, re.I) is not None


def _code(text: str) -> str:
    """``text`` without its strings, IRIs and comments (for keyword checks)."""
    return _LEXEME.sub(lambda m: " " if m.group(0)[0] in "\"'<#" else m.group(0), text)


@lru_cache(maxsize=256)
def _algebra(text: str, prefixes: tuple):
    """rdflib's algebra of a constraint's query with its prefixes (parsed once per text:
    25-50 ms each); raises what the parser raises."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery("".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes) + text).algebra


@lru_cache(maxsize=256)
def _forbidden(text: str, prefixes: tuple) -> str | None:
    """Why SHACL does not allow this SPARQL constraint's query (5.3.1: no MINUS, no federated
    query, no VALUES, no ``AS`` on a pre-bound variable, sub-selects that select ``$this``),
    or why eurokg cannot run it (``$shapesGraph``), as the end of a sentence; None when it
    may run. pySHACL refuses the same queries. A query rdflib cannot parse is checked for
    SERVICE by keyword, and Oxigraph then reports its syntax error."""
    from rdflib.plugins.sparql.parserutils import CompValue

    code = _code(text)
    if re.search(r"[?$]shapesGraph\b", code):
        return "uses $shapesGraph, which neither eurokg nor pySHACL supports"
    assigned = re.search(r"\bAS\s+[?$](" + "|".join(_PREBOUND) + r")\b", code, re.I)
    if assigned:  # by the text: rdflib's algebra writes an aggregate's projection as an assignment too
        return f"must not assign the pre-bound variable ?{assigned.group(1)} (AS ?{assigned.group(1)})"
    if re.search(r"\{\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", code, re.I):
        return "has a nested SELECT *, which does not select the pre-bound variables"
    try:
        algebra = _algebra(text, prefixes)
    except Exception:
        # not the stripped code: a lexer trick (``ex:p\\#x``) could hide the keyword from it
        return "must not contain a federated query (SERVICE)" if might_reach_out(text, "SERVICE") else None
    if reaches_out(algebra) == "SERVICE":
        return "must not contain a federated query (SERVICE)"
    problems: list[str] = []

    def visit(node, top: bool) -> None:
        if isinstance(node, CompValue):
            name = node.name
            if name == "Minus":
                problems.append("must not contain MINUS")
            elif name == "values":
                problems.append("must not contain VALUES")
            elif name == "Project" and not top and "this" not in {str(v) for v in node.PV}:
                problems.append("has a nested SELECT that does not select $this")
            for key, value in node.items():
                if not key.startswith("_"):
                    # the query's own projection sits under its modifiers; below it, a Project is a sub-select
                    visit(value, top and name in ("SelectQuery", "AskQuery", "Slice", "Distinct", "Reduced", "OrderBy"))
        elif isinstance(node, (list, tuple)):
            for item in node:
                visit(item, top)

    visit(algebra, True)
    return problems[0] if problems else None


def _mentions(node, name: str) -> bool:
    """Whether the algebra or expression ``node`` reads the variable ``name``."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if isinstance(node, Variable):
        return str(node) == name
    if isinstance(node, CompValue):
        return any(_mentions(v, name) for k, v in node.items() if not k.startswith("_"))
    if isinstance(node, (list, tuple, set)):
        return any(_mentions(v, name) for v in node)
    return False


def _free_this_agrees(node) -> bool:
    """Whether evaluating with ``$this`` free and keeping the focus nodes' rows gives what
    pre-binding gives: every FILTER, BIND and OPTIONAL condition that reads ``$this`` applies
    to a pattern that binds it, and no sub-select reads it."""
    name = getattr(node, "name", None)
    if name is None:
        return True
    if name == "Project":
        return not _mentions(node, "this")
    if name in ("Filter", "Extend") and _mentions(node.expr, "this") and "this" not in {str(v) for v in _certain(node.p)}:
        return False
    if name == "LeftJoin" and _mentions(node.expr, "this") and "this" not in {str(v) for v in _certain(node.p1)}:
        return False
    return all(_free_this_agrees(node[k]) for k in ("p", "p1", "p2") if k in node)


def _this_is_bound(text: str, prefixes: tuple) -> bool:
    """Whether every solution of the query's top-level pattern binds ``$this``, with no
    aggregation, sub-query or slice that pre-binding would change: then one run over the
    whole store, filtered to the focus nodes, equals one pre-bound run per focus node."""
    algebra = _algebra(text, prefixes)
    node = algebra.p
    while node.name in ("Project", "Distinct", "Reduced", "OrderBy", "ToMultiSet"):
        node = node.p
    if node.name in ("Slice", "Group", "AggregateJoin"):
        return False
    if "this" not in {str(v) for v in _projection(algebra.p)}:
        return False  # rows without a this column cannot be matched to focus nodes
    return "this" in {str(v) for v in _certain(node)} and _free_this_agrees(node)


def _projection(node) -> list:
    """The variables the query's own Project (under its modifiers) selects."""
    while node is not None and getattr(node, "name", None) in ("Distinct", "Reduced", "OrderBy", "Slice"):
        node = node.p
    return list(getattr(node, "PV", None) or [])


def _certain(node) -> set:
    name = getattr(node, "name", None)
    if name == "BGP":
        # a property path (ex:p*) may match zero steps, binding $this to a node with no triples
        # at all, which running with $this free never finds: only plain patterns count
        return {t for triple in node.triples if not isinstance(triple[1], Path)
                for t in triple if t.__class__.__name__ == "Variable"}
    if name == "Join":
        return _certain(node.p1) | _certain(node.p2)
    if name in ("LeftJoin", "Minus"):
        return _certain(node.p1)
    if name in ("Filter", "Graph", "ToMultiSet"):
        return _certain(node.p)
    if name == "Extend":
        return _certain(node.p) | {node.var}
    if name == "Union":
        return _certain(node.p1) & _certain(node.p2)
    return set()


# ----------------------------------------------------------------------------- core checks

def _literal_value(v):
    return from_ox(v)


def _check_class(eng: StoreValidator, shape, cls, vmap, result):
    members = eng.instances(to_ox(cls))
    for f, vs in vmap.items():
        for v in vs:
            if v not in members:
                result(f, "class", v)


_RDFS_LITERAL, _RDFS_DATATYPE = str(RDFS.Literal), str(RDFS.Datatype)
_PYTHON_TYPES = {_XSD_STRING: (str, bytes), str(XSD.integer): int, str(XSD.float): float, str(XSD.decimal): Decimal,
                 str(XSD.boolean): bool, str(XSD.date): dt_date, str(XSD.time): dt_time, str(XSD.dateTime): dt_datetime}
"""XSD datatype IRI -> the Python type(s) rdflib gives a well-formed value of it."""


def _datatype_ok(v, dt: URIRef) -> bool:
    if not isinstance(v, ox.Literal):
        return False
    dt = str(dt)
    if dt == _RDFS_LITERAL:
        return True
    if dt == _RDFS_DATATYPE:
        return from_ox(v).datatype is not None
    if v.language:
        return dt == _LANGSTRING
    if v.datatype.value != dt:
        return False
    lit = from_ox(v)
    if getattr(lit, "ill_typed", None) is True:
        return False
    want = _PYTHON_TYPES.get(dt)
    if want is None:
        return True
    if dt == _XSD_STRING:
        return isinstance(str(lit), str)
    return isinstance(lit.value, want)


def _check_datatype(eng, shape, dt, vmap, result):
    # one verdict per distinct value: the same dates and amounts recur across focus nodes and
    # shapes, and each verdict parses the literal through rdflib
    verdicts = eng.datatype_verdicts.setdefault(str(dt), {})
    for f, vs in vmap.items():
        for v in vs:
            ok = verdicts.get(v)
            if ok is None:
                ok = verdicts[v] = _datatype_ok(v, dt)
            if not ok:
                result(f, "datatype", v)


_KINDS = {
    SH.IRI: (ox.NamedNode,), SH.BlankNode: (ox.BlankNode,), SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


def _check_node_kind(eng, shape, kind, vmap, result):
    types = _KINDS.get(kind)
    if types is None:
        raise ShapesError(f"unknown sh:nodeKind {kind}", eng.shapes_name)
    for f, vs in vmap.items():
        for v in vs:
            if not isinstance(v, types):
                result(f, "nodeKind", v)


def _check_min_count(eng, shape, n, vmap, result):
    if not shape.is_property:
        return
    for f, vs in vmap.items():
        if len(vs) < int(n):
            result(f, "minCount")


def _check_max_count(eng, shape, n, vmap, result):
    if not shape.is_property:
        return
    for f, vs in vmap.items():
        if len(vs) > int(n):
            result(f, "maxCount")


def _range(component: str, test):
    def check(eng, shape, bound, vmap, result):
        from pyshacl.rdfutil.compare import compare_literal

        bound_is_str = isinstance(bound.value, str) if isinstance(bound, Literal) else None
        for f, vs in vmap.items():
            for v in vs:
                ok = False
                if isinstance(v, ox.Literal) and isinstance(bound, Literal):
                    lit = from_ox(v)
                    if isinstance(lit.value, str) == bound_is_str:
                        try:
                            ok = test(compare_literal(lit, bound))
                        except (TypeError, NotImplementedError):
                            ok = False
                if not ok:
                    result(f, component, v)
    return check


def _length(component: str, test):
    def check(eng, shape, n, vmap, result):
        for f, vs in vmap.items():
            for v in vs:
                if isinstance(v, ox.BlankNode) or not test(len(v.value), int(n)):
                    result(f, component, v)
    return check


def _check_pattern(eng, shape, pattern, vmap, result):
    flags_lit = eng.sg.value(shape.node, SH.flags)
    flags = 0
    for ch in str(flags_lit or ""):
        flags |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X}.get(ch, 0)
    try:
        rx = re.compile(str(pattern), flags)
    except re.error as exc:
        raise ShapesError(f"sh:pattern {str(pattern)!r} of {shape.node} is not a regular expression: {exc}",
                          eng.shapes_name) from None
    for f, vs in vmap.items():
        for v in vs:
            if isinstance(v, ox.BlankNode) or not rx.search(v.value):
                result(f, "pattern", v)


def _lang_matches(tag: str, rng: str) -> bool:
    tag, rng = tag.lower(), rng.lower()
    if rng == "*":
        return bool(tag)
    return tag == rng or tag.startswith(rng + "-")


def _check_language_in(eng, shape, lst, vmap, result):
    ranges = [str(x) for x in Collection(eng.sg, lst)]
    for f, vs in vmap.items():
        for v in vs:
            lang = v.language if isinstance(v, ox.Literal) else None
            if not lang or not any(_lang_matches(lang, r) for r in ranges):
                result(f, "languageIn", v)


def _check_unique_lang(eng, shape, flag, vmap, result):
    if not (isinstance(flag, Literal) and flag.value is True):
        return
    for f, vs in vmap.items():
        seen: set = set()
        dup: dict = {}
        for v in vs:
            if isinstance(v, ox.Literal) and v.language:
                low = v.language.lower()
                if low in seen:
                    dup[low] = None
                seen.add(low)
        for _ in dup:
            result(f, "uniqueLang")


def _pair(component: str):
    def check(eng, shape, prop, vmap, result):
        others = eng.values(prop, list(vmap))
        for f, vs in vmap.items():
            other = others.get(f, [])
            if component == "equals":
                for v in vs:
                    if v not in other:
                        result(f, component, v)
                for o in other:
                    if o not in vs:
                        result(f, component, o)
            elif component == "disjoint":
                for v in vs:
                    if v in other:
                        result(f, component, v)
            else:
                for v in vs:
                    for o in other:
                        if not _ordered(v, o, strict=component == "lessThan"):
                            result(f, component, v)
    return check


def _comparable(term):
    """(is a string, the value to compare) as SHACL's property-pair comparisons see a term."""
    t = from_ox(term)
    if isinstance(t, URIRef):
        return True, str(t)
    if isinstance(t, Literal) and isinstance(t.value, str):
        return True, t.value
    return False, t


def _ordered(v, o, *, strict: bool) -> bool:
    if isinstance(v, ox.BlankNode) or isinstance(o, ox.BlankNode):
        return False
    (vs, a), (os_, b) = _comparable(v), _comparable(o)
    if vs != os_:
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)
    except TypeError:
        return False


def _check_in(eng, shape, lst, vmap, result):
    allowed = {to_ox(x) for x in Collection(eng.sg, lst)}
    for f, vs in vmap.items():
        for v in vs:
            if v not in allowed:
                result(f, "in", v)


def _check_has_value(eng, shape, hv, vmap, result):
    want = to_ox(hv)
    for f, vs in vmap.items():
        if want not in vs:
            result(f, "hasValue", None if shape.is_property else None)


def _all_values(vmap) -> list:
    return list(dict.fromkeys(v for vs in vmap.values() for v in vs))


def _check_node(eng, shape, other, vmap, result):
    ok = eng.conforming(other, _all_values(vmap))
    for f, vs in vmap.items():
        for v in vs:
            if v not in ok:
                result(f, "node", v)


def _check_not(eng, shape, other, vmap, result):
    ok = eng.conforming(other, _all_values(vmap))
    for f, vs in vmap.items():
        for v in vs:
            if v in ok:
                result(f, "not", v)


def _logical(component: str):
    def check(eng, shape, lst, vmap, result):
        members = list(Collection(eng.sg, lst))
        values = _all_values(vmap)
        sets = [eng.conforming(m, values) for m in members]
        for f, vs in vmap.items():
            for v in vs:
                n = sum(1 for s in sets if v in s)
                bad = {"and": n != len(sets), "or": n == 0, "xone": n != 1}[component]
                if bad:
                    result(f, component, v)
    return check


_CHECKS = {
    SH["class"]: _check_class,
    SH.datatype: _check_datatype,
    SH.nodeKind: _check_node_kind,
    SH.minCount: _check_min_count,
    SH.maxCount: _check_max_count,
    SH.minExclusive: _range("minExclusive", lambda c: c > 0),
    SH.minInclusive: _range("minInclusive", lambda c: c >= 0),
    SH.maxExclusive: _range("maxExclusive", lambda c: c < 0),
    SH.maxInclusive: _range("maxInclusive", lambda c: c <= 0),
    SH.minLength: _length("minLength", lambda n, m: n >= m),
    SH.maxLength: _length("maxLength", lambda n, m: n <= m),
    SH.pattern: _check_pattern,
    SH.languageIn: _check_language_in,
    SH.uniqueLang: _check_unique_lang,
    SH.equals: _pair("equals"),
    SH.disjoint: _pair("disjoint"),
    SH.lessThan: _pair("lessThan"),
    SH.lessThanOrEquals: _pair("lessThanOrEquals"),
    SH["in"]: _check_in,
    SH.hasValue: _check_has_value,
    SH.node: _check_node,
    SH["not"]: _check_not,
    SH["and"]: _logical("and"),
    SH["or"]: _logical("or"),
    SH.xone: _logical("xone"),
}
"""Constraint parameter -> check over a batch (focus node -> value nodes). The
qualified value shapes, nested property shapes, SPARQL constraints and closed
shapes are handled by :meth:`StoreValidator.evaluate` itself."""


def validate_store(store: ox.Store, shapes: Graph, *, inference: str = "rdfs",
                   shapes_name: str = "shapes", originals: Originals | None = None) -> list[Result]:
    """Validate every graph of ``store`` against ``shapes``; ``inference`` is "rdfs" or "none"
    (with "rdfs" the store gains the subclass/subproperty closure in its default graph)."""
    if inference not in ("rdfs", "none"):
        raise ValueError(f"inference must be 'rdfs' or 'none', not {inference!r}")
    for feature, what in ((SH.rule, "SHACL-AF rules (sh:rule)"), (SH.target, "SHACL-AF targets (sh:target)")):
        for shape in sorted(set(shapes.subjects(feature, None)), key=str):
            # pySHACL (advanced) runs these; a report without them would differ without a word
            raise ShapesError(f"{what} of {shape} are not run by eurokg's store engine; validate with the "
                              "reference engine (--engine pyshacl, or [tool.eurokg] validator = \"pyshacl\")",
                              shapes_name)
    originals = originals if originals is not None else Originals()
    if inference == "rdfs":
        materialize_rdfs(store, originals)
    return StoreValidator(store, shapes, shapes_name=shapes_name, originals=originals).run()
