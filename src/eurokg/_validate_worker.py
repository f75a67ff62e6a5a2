"""Child process of :class:`eurokg.validate.ValidationJob`: SHACL on Oxigraph away from the
caller, which writes the build's outputs meanwhile.

Usage: python -m eurokg._validate_worker FOLDER

FOLDER holds what the caller handed over (:meth:`eurokg.shacl_store.StoreCopy.hand_over`:
the curated files' bytes, the other triples and the originals; ``shapes.pickle``: the
shapes graph's triples). The worker writes the engine's results to ``results.pickle``, or,
where the shapes cannot be used, the error to ``error.json``; each under a temporary name
renamed once complete, so the caller never reads half a file.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from eurokg.child import watch_parent
    from eurokg.errors import InputError
    from eurokg.shacl_store import ShapesError
    from eurokg.validate import ValidationJob, validate_handed_over

    folder = Path(argv[1])
    watch_parent(folder)
    try:
        results = validate_handed_over(folder)
    except InputError as exc:  # unusable shapes: raised by the caller, as in-process validation would
        name, data = ValidationJob.ERROR, json.dumps({
            "kind": "shapes" if isinstance(exc, ShapesError) else "input", "message": exc.message,
            "path": exc.path, "line": exc.line, "col": exc.col}).encode("utf-8")
    else:
        name, data = ValidationJob.RESULTS, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
