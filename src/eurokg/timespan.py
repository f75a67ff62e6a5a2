"""Calendar intervals of date literals at their precision (for timelines).

``2025-06-17`` is one day; ``2025-06`` the whole of June; ``2025`` the year;
``"1990s"^^ek:Decade`` 1990-01-01 to 1999-12-31. Gephi's GEXF importer wants
``yyyy-mm-dd`` bounds, which is what these functions give.
"""

from __future__ import annotations

import calendar
import datetime as dt

from rdflib import Literal

from .vocab import EK, XSD


def interval(lit: Literal) -> tuple[str, str] | None:
    """First and last day covered by ``lit``, as ISO dates; None if it is not a date value."""
    text = str(lit)
    try:
        if lit.datatype == XSD.date:
            day = dt.date.fromisoformat(text[:10])
            return day.isoformat(), day.isoformat()
        if lit.datatype == XSD.gYearMonth:
            year, month = int(text[:4]), int(text[5:7])
            last = calendar.monthrange(year, month)[1]
            return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
        if lit.datatype == XSD.gYear:
            year = int(text[:4])
            return f"{year:04d}-01-01", f"{year:04d}-12-31"
        if lit.datatype == EK.Decade:
            first = int(text[:4])
            return f"{first:04d}-01-01", f"{first + 9:04d}-12-31"
    except ValueError:
        return None
    return None


def interval_of_text(text: str) -> tuple[str, str] | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` text as its first and last day; None otherwise."""
    text = text.strip()
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(text))
    if datatype is None or not text[:4].isdigit():
        return None
    return interval(Literal(text, datatype=datatype))


def intersect(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> tuple[str | None, str | None] | None:
    """Intersection of two intervals with open ends (None); None when they do not meet."""
    start = max((x for x in (a[0], b[0]) if x), default=None)
    end = min((x for x in (a[1], b[1]) if x), default=None)
    if start and end and end < start:
        return None
    return start, end


def cover(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    """The smallest interval containing both (an open end stays open)."""
    start = None if (a[0] is None or b[0] is None) else min(a[0], b[0])
    end = None if (a[1] is None or b[1] is None) else max(a[1], b[1])
    return start, end


def day_after(iso: str) -> str:
    """The next calendar day: Gephi reads an interval's end as an instant, so an inclusive
    last day ``d`` is written as the start of ``d + 1``."""
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()
