"""Curated Turtle files: one named graph per entity described in the file.

Each entity (an ``id:`` subject) and the blank nodes it points to form one
named graph, ``graph:curated/<file stem>/<id>``, whose sources are the
entity's own ``prov:wasDerivedFrom`` values; so provenance is as fine as for
a CSV row. Triples about anything else stay in the file's graph,
``graph:curated/<file stem>``. Blank nodes are replaced by stable skolem IRIs
(numbered in order of appearance), so rebuilding gives identical output.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from ..errors import InputError
from ..vocab import GENID, GRAPH, ID, PROV, RDF, segment
from . import Contribution, Reference
from .rdffile import iter_quads


def _skolemizer(stem: str):
    names: dict[BNode, URIRef] = {}

    def skolem(term):
        if isinstance(term, BNode):
            if term not in names:
                names[term] = GENID[f"{stem}-{len(names) + 1}"]
            return names[term]
        return term

    return skolem


def read_turtle(path: Path, ontology, *, display: str | None = None, copy=None) -> list[Contribution]:
    """``copy``: a :class:`eurokg.shacl_store.StoreCopy` that gets every triple too (Oxigraph
    loads the file's bytes itself; its blank nodes are replaced by the skolem IRIs given here)."""
    shown = display or str(path)
    stem = segment(path.stem)  # a file named "g7 notes.ttl" gives graphs under curated/g7%20notes/
    skolem = _skolemizer(stem)
    triples = []
    skolemised: list = []  # (with a copy) the triples that had blank nodes in the file
    noted: list = []  # (with a copy) the triples whose object the store canonicalises
    canonicalised = _canonicalised_datatypes() if copy is not None else ()
    # (iter_quads makes plain URIRef, BNode and Literal objects, so their exact types are
    # tested: rdflib's terms are ABC classes, whose isinstance costs several times more)
    for s, p, o, g in iter_quads(path, display=shown, copy=copy):
        if g is not None:
            raise InputError("curated Turtle files hold one graph; named graphs are not allowed", shown)
        if type(s) is BNode or type(o) is BNode:
            s, o = skolem(s), skolem(o)
            if copy is not None:
                skolemised.append((s, p, o))
        elif copy is not None and type(o) is Literal and o.datatype in canonicalised:
            noted.append((s, p, o))
        triples.append((s, p, o))

    id_base, genid_base = str(ID), str(GENID)
    by_subject: dict[URIRef, list[tuple]] = defaultdict(list)
    for t in triples:
        by_subject[t[0]].append(t)

    claimed: set[URIRef] = set()  # the subjects whose triples some entity's graph holds

    def closure(subject: URIRef) -> list[tuple]:
        """The subject's triples plus those of the skolemised blank nodes it reaches."""
        out, todo, seen = [], [subject], {subject}
        while todo:
            node = todo.pop()
            for t in by_subject.get(node, ()):
                out.append(t)
                o = t[2]
                if type(o) is URIRef and o.startswith(genid_base) and o not in seen:
                    seen.add(o)
                    todo.append(o)
        claimed.update(seen)
        return out

    lines = _subject_lines(path, id_base)
    derived = PROV.wasDerivedFrom  # (rdflib's namespaces look each name up anew)
    contributions: list[Contribution] = []
    for subject in sorted(s for s in by_subject if s.startswith(id_base)):
        group = closure(subject)
        sources = sorted({o for s, p, o in by_subject[subject] if p == derived and isinstance(o, URIRef)})
        contribution = _contribution(GRAPH[f"curated/{stem}/{str(subject)[len(id_base):]}"], group, shown, sources)
        if subject in lines:
            contribution.lines = {subject: lines[subject]}
        contributions.append(contribution)
    rest = [t for t in triples if t[0] not in claimed]  # a closure takes every triple of the subjects it visits
    if rest:
        sources = sorted({o for s, p, o in rest if p == derived and isinstance(o, URIRef)})
        contributions.append(_contribution(GRAPH[f"curated/{stem}"], rest, shown, sources))
    if copy is not None:
        copy.holds([c.graph for c in contributions], canonicalised=noted, skolemised=skolemised)
    return contributions


read_turtle.keeps_store_copy = True  # see eurokg.sources.load_files


@lru_cache(maxsize=1)
def _canonicalised_datatypes() -> frozenset:
    from ..shacl_store import CANONICALISED

    return frozenset(URIRef(iri) for iri in CANONICALISED)


def _contribution(graph: URIRef, triples: list[tuple], shown: str, sources: list[URIRef]) -> Contribution:
    id_base, rdf_type = str(ID), RDF.type
    # (every term here is an rdflib URIRef or Literal: a str, so its text is tested in place)
    defines = sorted({s for s, p, o in triples if p == rdf_type and s.startswith(id_base)})
    refs = [Reference(o, shown) for s, p, o in triples
            if type(o) is URIRef and o.startswith(id_base) and p != rdf_type]
    return Contribution(graph=graph, triples=triples, file=shown, row=None,
                        sources=tuple(sources), defines=tuple(defines), references=refs)


_PREFIX = re.compile(r"^[^\S\n]*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)


def _subject_lines(path: Path, id_base: str) -> dict[URIRef, int]:
    """Line where each ``id:`` subject's block starts (first line beginning with its name).

    pyoxigraph gives no positions for parsed triples; this locates a subject by its
    written name — ``prefix:local`` for any prefix bound to the id namespace, or
    ``<full IRI>`` — so validation results can point at the line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    prefixes = [m.group(1) or "" for m in _PREFIX.finditer(text) if m.group(2) == id_base]
    names = [re.escape(p) + ":" for p in prefixes] + [re.escape("<" + id_base)]
    # one search over the whole text for a line break followed by a name, not a match per
    # line (a million-line file: 2.5 s); a line break is put before the first line
    # a name may hold dots but not end with one (``id:f.g``; ``id:e.`` ends a statement)
    start = re.compile(r"\n[^\S\n]*(?:" + "|".join(names) + r")([A-Za-z0-9](?:[\w.-]*[\w-])?)(?:>)?(?=[\s;,.]|$)",
                       re.M)
    text = "\n" + text
    first: dict[str, int] = {}
    line, at = 0, 0
    for m in start.finditer(text):
        line += text.count("\n", at, m.start() + 1)
        at = m.start() + 1
        first.setdefault(m.group(1), line)
    return {URIRef(id_base + name): n for name, n in first.items()}
