"""Child process of :mod:`eurokg.reason`: load into a fresh World, run HermiT, write JSON.

Usage: python -m eurokg._reason_worker INPUT.nt OUTPUT.json
"""

from __future__ import annotations

import json
import sys
import time


def _types(ind) -> set[str]:
    return {c.iri for c in ind.INDIRECT_is_a if hasattr(c, "iri")}


def main(argv: list[str]) -> int:
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit

    src, dst = argv[1], argv[2]
    from pathlib import Path

    from eurokg.child import watch_parent

    watch_parent(Path(dst).parent)  # its folder, made by the caller for this run only
    owlready2.reasoning.JAVA_MEMORY = 1000
    world = World()  # isolated: never the default world
    onto = world.get_ontology("file://" + src).load(only_local=True, format="ntriples")
    individuals = list(world.individuals())
    before = {ind.iri: _types(ind) for ind in individuals}
    started = time.monotonic()
    result = {"consistent": True, "unsatisfiable": [], "inferred": {}, "individuals": len(individuals)}
    try:
        with onto:
            sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except OwlReadyInconsistentOntologyError as exc:
        result["consistent"] = False
        result["explanation"] = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else ""
    else:
        result["unsatisfiable"] = sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))
        for ind in individuals:
            gained = _types(ind) - before.get(ind.iri, set())
            gained.discard(owlready2.Thing.iri)  # every individual is an owl:Thing: not news
            if gained:
                result["inferred"][ind.iri] = sorted(gained)
    result["seconds"] = round(time.monotonic() - started, 3)
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(result, fh, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
