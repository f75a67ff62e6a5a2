"""A picture of a view: deterministic layout, labels, colours by type.

matplotlib with the Agg backend (no screen needed). The layout is networkx's
Kamada–Kawai layout for small connected graphs, else the spring layout with a
fixed seed, on the undirected, unweighted graph (weights
here are amounts such as trade values, which would squash the drawing); node
size follows PageRank. PNG and SVG carry no timestamps, so identical input
gives identical files.
"""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx

from .errors import UsageError

SEED = 7
FORMATS = {".png": "png", ".svg": "svg"}


def render(g: nx.MultiDiGraph, fmt: str, *, title: str | None = None) -> bytes:
    """The drawing of ``g`` as PNG or SVG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from .metrics import compute

    plt.rcParams["svg.hashsalt"] = "eurokg"
    simple = nx.Graph()
    simple.add_nodes_from(sorted(g.nodes))
    simple.add_edges_from(sorted((u, v) for u, v in g.edges() if u != v))
    if 0 < len(simple) <= 400 and nx.is_connected(simple):
        pos = nx.kamada_kawai_layout(simple)  # deterministic, spreads small graphs well
    else:
        pos = nx.spring_layout(simple, seed=SEED, k=1.6 / max(1, len(simple)) ** 0.5, iterations=200)
    metrics = compute(g) if len(g) else {}
    top = max((m["pagerank"] for m in metrics.values()), default=1.0) or 1.0
    types = sorted({str(g.nodes[n].get("type", "")) for n in g.nodes})
    if len(types) <= 10:
        palette = [plt.get_cmap("tab10")(i) for i in range(10)]
    else:  # up to 40 distinct colours before any repeat
        palette = [plt.get_cmap(name)(i) for name in ("tab20", "tab20b") for i in range(20)]
    colour = {t: palette[i % len(palette)] for i, t in enumerate(types)}

    fig, ax = plt.subplots(figsize=(13, 9), dpi=120)
    nodes = sorted(g.nodes)
    nx.draw_networkx_edges(simple, pos, ax=ax, alpha=0.35, width=0.8, edge_color="#555555")
    nx.draw_networkx_nodes(
        simple, pos, nodelist=nodes, ax=ax,
        node_color=[colour[str(g.nodes[n].get("type", ""))] for n in nodes],
        node_size=[120 + 1400 * metrics.get(n, {}).get("pagerank", 0) / top for n in nodes],
        linewidths=0.5, edgecolors="#222222",
    )
    labels = {n: str(g.nodes[n].get("label", n))[:40] for n in nodes}
    nx.draw_networkx_labels(simple, pos, labels=labels, ax=ax, font_size=7)
    for t in types:
        ax.scatter([], [], color=colour[t], label=t or "(untyped)", s=40)
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncol=2)
    if title:
        ax.set_title(title, fontsize=11)
    ax.set_axis_off()
    fig.tight_layout()
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def format_for(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{path}: draw writes {' or '.join(FORMATS)} files")
    return FORMATS[suffix]
