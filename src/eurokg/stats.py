"""Counts by class and by property, for ``eurokg stats``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Dataset

from .merge import union_graph
from .vocab import RDF, curie


@dataclass
class Stats:
    triples: int
    named_graphs: int
    entities: int
    by_class: list[tuple[str, int]]
    by_property: list[tuple[str, int]]

    def text(self) -> str:
        lines = [f"triples: {self.triples}", f"named graphs: {self.named_graphs}", f"typed entities: {self.entities}", "", "class\tinstances"]
        lines += [f"{c}\t{n}" for c, n in self.by_class]
        lines += ["", "property\tuses"]
        lines += [f"{p}\t{n}" for p, n in self.by_property]
        return "\n".join(lines) + "\n"


def stats(dataset: Dataset) -> Stats:
    """Counts over the asserted data: the provenance graph, the inferred types and the
    ontology copy are left out, so a multilateral treaty counts once, as ek:MultilateralTreaty."""
    g = union_graph(dataset, include_provenance=False, include_inferred=False)
    classes = Counter(curie(o) for o in g.objects(None, RDF.type))
    order = lambda item: (-item[1], item[0])  # noqa: E731
    return Stats(
        triples=len(g),
        named_graphs=sum(1 for x in dataset.graphs() if len(x)),
        entities=len(set(g.subjects(RDF.type, None))),
        by_class=sorted(classes.items(), key=order),
        by_property=sorted(Counter({p: n for p, n in _count_props(g).items()}).items(), key=order),
    )


def _count_props(g) -> Counter:
    c: Counter = Counter()
    for _, p, _ in g:
        c[curie(p)] += 1
    return c
