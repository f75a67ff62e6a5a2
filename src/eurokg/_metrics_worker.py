"""Child process of :class:`eurokg.metrics.MetricsJob`: betweenness and Louvain communities
of an undirected graph given as edge lists, computed with igraph away from the caller's GIL.

Usage: python -m eurokg._metrics_worker INPUT.npz OUTPUT.npz

INPUT holds ``n`` (vertices), ``pairs`` (edges as vertex indices), ``weights`` and
``sources`` (how many source vertices betweenness is counted from; -1: all). OUTPUT gets
``betweenness`` (unnormalised) and ``membership``; it is written to a temporary name and
renamed, so a reader never sees half of it.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    import numpy as np

    from eurokg.metrics import membership, raw_betweenness

    src, dst = argv[1], argv[2]
    from pathlib import Path

    from eurokg.child import watch_parent

    watch_parent(Path(dst).parent)  # its folder, made by the caller for this run only
    with np.load(src) as data:
        n = int(data["n"])
        pairs = [tuple(p) for p in data["pairs"].tolist()]
        weights = data["weights"].tolist()
        sources = int(data["sources"])
    between = raw_betweenness(n, pairs, None if sources < 0 else sources) if n >= 3 else []
    member_of = membership(n, pairs, weights)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as fh:
        np.savez(fh, betweenness=np.array(between, dtype=np.float64), membership=np.array(member_of, dtype=np.int64))
    os.replace(tmp, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
