"""Input and query limits: their defaults, and a project's ``[tool.eurokg.limits]``.

Every reader checks its limit when it is called, from :func:`current`: the defaults
below unless a caller applied others with :func:`applied` (the build, validation,
extraction and linking apply the project's own, :meth:`eurokg.project.Project.limits`).
A researcher with a 400 MB Wikidata slice raises one number in ``pyproject.toml``
instead of editing eurokg::

    [tool.eurokg.limits]
    max-input-bytes = 536870912      # an RDF file (default 256 MiB)
    max-literal-chars = 131072       # one literal in an RDF file, one CSV cell
    max-text-bytes = 52428800        # a CSV sheet, the gazetteer (default 50 MiB)
    max-article-bytes = 5242880      # one article (default 5 MiB)
    query-timeout-s = 30.0           # `eurokg query` and `eurokg serve`, unless --timeout
    max-rows = 10000                 # the same, unless --max-rows
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import Iterator

from .errors import InputError


@dataclass(frozen=True)
class Limits:
    max_input_bytes: int = 256 * 1024 * 1024
    """An RDF file (Turtle, TriG, N-Triples, N-Quads) larger than this is refused before parsing."""
    max_literal_chars: int = 131_072
    """The longest literal of an RDF file and the longest CSV cell, in characters."""
    max_text_bytes: int = 50 * 1024 * 1024
    """A CSV sheet or another text file (the gazetteer, a review file)."""
    max_article_bytes: int = 5 * 1024 * 1024
    """One article to extract from (a long news article is well under 100 KB)."""
    query_timeout_s: float = 30.0
    """Seconds before a query of ``eurokg query`` or ``eurokg serve`` is stopped."""
    max_rows: int = 10_000
    """Rows (or triples) of one answer; more are cut, and the cut reported."""

    @classmethod
    def from_settings(cls, table: object, shown: str) -> "Limits":
        """Limits from a ``[tool.eurokg.limits]`` table (``max-input-bytes = …``); each value a
        positive number of the field's type up to :data:`MAX_COUNT` or :data:`MAX_SECONDS`,
        unknown names refused with the known ones."""
        if not isinstance(table, dict):
            raise InputError(f"[tool.eurokg.limits] must be a table, not {table!r}", shown)
        known = {f.name.replace("_", "-"): f for f in fields(cls)}
        values = {}
        for name, value in table.items():
            field = known.get(name)
            if field is None:
                raise InputError(f"[tool.eurokg.limits] has no setting {name!r} (known: {', '.join(sorted(known))})",
                                 shown)
            wanted = int if field.type in ("int", int) else float
            ok = isinstance(value, int) if wanted is int else isinstance(value, (int, float))
            top = MAX_SECONDS if wanted is float else MAX_COUNT
            if isinstance(value, bool) or not ok or not 0 < value <= top:  # also refuses nan and inf
                kind = "a whole number" if wanted is int else "a number"
                raise InputError(f"[tool.eurokg.limits] {name} must be {kind} above 0 and at most {top:,}, "
                                 f"not {value!r}", shown)
            values[field.name] = wanted(value)
        return replace(cls(), **values)


MAX_COUNT = 2**40
"""The largest byte, character or row limit a setting may give (1 TiB; Python's csv module and
the operating system take no more)."""

MAX_SECONDS = 1_000_000.0
"""The longest query time limit a setting (or ``--timeout``) may give, about 11.6 days: a wait
longer than about 24.8 days overflows the operating system's timer."""

_CURRENT: ContextVar[Limits] = ContextVar("eurokg_limits", default=Limits())


def current() -> Limits:
    """The limits in force here (the defaults, or those of the innermost :func:`applied`)."""
    return _CURRENT.get()


@contextmanager
def applied(limits: Limits) -> Iterator[Limits]:
    """Put ``limits`` in force for this thread (or task) until the block ends. The API's
    project-level functions (``build``, ``validate``, ``linker``, ``query_build``...) put the
    project's own limits in force inside them, replacing any a caller applied around them."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)
