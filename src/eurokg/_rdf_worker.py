"""Child process of :class:`eurokg.rdfwrite.RdfJob`: a build's Turtle and TriG written by
Oxigraph's serializer away from the caller, which writes the Gephi view meanwhile.

Usage: python -m eurokg._rdf_worker FOLDER

FOLDER holds what the caller ordered and ranked (see :meth:`eurokg.rdfwrite.RdfJob.start`):

* ``terms.nt``: N-Triples whose objects are the distinct terms, subjects first, then
  predicates, then objects, each list in rank order, then the TriG's graph names;
* ``plan.json``: how many terms of each kind, the key's bases ``P`` and ``O``, and, for
  TriG, how many triples each graph has;
* ``turtle.npy`` and ``trig.npy``: each triple as one number, ``(s * P + p) * O + o`` (the
  terms' ranks), in the order it is written.

It writes ``eurokg.ttl`` and ``eurokg.trig`` there, each under a temporary name renamed once
complete, so the caller never reads half a file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    import numpy as np
    import pyoxigraph as ox

    from eurokg.child import watch_parent
    from eurokg.rdfwrite import oxigraph_file

    folder = Path(argv[1])
    watch_parent(folder)
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    terms = [t.object for t in ox.parse(path=str(folder / "terms.nt"), format=ox.RdfFormat.N_TRIPLES)]
    n_s, n_p, n_o = plan["subjects"], plan["predicates"], plan["objects"]
    subjects, predicates, objects = terms[:n_s], terms[n_s:n_s + n_p], terms[n_s + n_p:n_s + n_p + n_o]
    names = terms[n_s + n_p + n_o:]
    per_object = plan["O"]  # the key's bases (the caller's counts of terms, plus one)
    per_subject = plan["P"] * per_object
    make, quad = ox.Triple, ox.Quad

    def decoded(keys):
        for key in keys:
            s, rest = divmod(key, per_subject)
            p, o = divmod(rest, per_object)
            yield subjects[s], predicates[p], objects[o]

    def triples():
        for s, p, o in decoded(np.load(folder / "turtle.npy").tolist()):
            yield make(s, p, o)

    def quads():
        keys = iter(decoded(np.load(folder / "trig.npy").tolist()))
        for name, count in zip(names, plan["graph_sizes"]):
            for _ in range(count):
                s, p, o = next(keys)
                yield quad(s, p, o, name)

    for name, items, fmt in (("eurokg.ttl", triples, "turtle"), ("eurokg.trig", quads, "trig")):
        tmp = folder / f".{name}.tmp"
        oxigraph_file(items(), fmt, tmp)  # (streamed: the text is not held in memory)
        os.replace(tmp, folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
