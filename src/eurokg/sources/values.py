"""Parse cell text into typed RDF literals, keeping the precision of dates.

Used by the CSV sheet reader; every function raises ``ValueError`` with a
message fit for a researcher, which the caller locates (file, row, column).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Callable
from urllib.parse import urlparse

from rdflib import Literal, URIRef

from ..vocab import EK, RDF, XSD

_LANG_SUFFIX = re.compile(r"^(?P<text>.*?)@(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$", re.S)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEAR_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_YEAR = re.compile(r"^[0-9]{4}$")
_DECADE = re.compile(r"^([0-9]{3})0s$")

TEMPORAL = frozenset({XSD.date, XSD.gYearMonth, XSD.gYear, EK.Decade})


MAX_DECIMAL_DIGITS = 40
"""Decimals whose integer part or fraction would need more digits than this are refused
(``1e999999999`` would otherwise be expanded to a gigabyte of zeros)."""


def parse_date(text: str) -> Literal:
    # Only the xsd:date form: Python's fromisoformat also takes ISO week dates
    # ("2025-W24-2"), which would be silently rewritten as another date.
    if not _DATE.match(text):
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None
    return Literal(value.isoformat(), datatype=XSD.date)


def parse_temporal(text: str, allowed: frozenset = TEMPORAL) -> Literal:
    """A date at the precision written: ``2025-06-17``, ``2025-06``, ``2025`` or ``1990s`` (a decade)."""
    text = text.strip()
    if len(text) == 10:
        lit = parse_date(text)
    elif m := _YEAR_MONTH.match(text):
        if not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"{text!r}: month {m.group(2)} does not exist")
        lit = Literal(text, datatype=XSD.gYearMonth)
    elif _YEAR.match(text):
        lit = Literal(text, datatype=XSD.gYear)
    elif _DECADE.match(text):
        lit = Literal(text, datatype=EK.Decade)
    else:
        raise ValueError(
            f"{text!r} is not a date: write YYYY-MM-DD, YYYY-MM, YYYY or a decade such as 1990s"
        )
    if lit.datatype not in allowed:
        names = ", ".join(sorted(str(a).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for a in allowed))
        raise ValueError(f"{text!r} has the wrong precision here (allowed: {names})")
    return lit


def parse_decimal(text: str) -> Literal:
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number (write digits, e.g. 1500000000 or 10.4)") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if value.is_zero():
        return Literal("0", datatype=XSD.decimal)
    if abs(value.adjusted()) > MAX_DECIMAL_DIGITS:
        raise ValueError(f"{text!r} is out of range (more than {MAX_DECIMAL_DIGITS} digits)")
    lexical = format(value, "f")
    if "." in lexical:
        lexical = lexical.rstrip("0").rstrip(".") or "0"
    return Literal(lexical, datatype=XSD.decimal)


def parse_integer(text: str, datatype: URIRef) -> Literal:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if datatype == XSD.positiveInteger and value < 1:
        raise ValueError(f"{text!r} must be 1 or more")
    if datatype == XSD.nonNegativeInteger and value < 0:
        raise ValueError(f"{text!r} must be 0 or more")
    return Literal(str(value), datatype=datatype)


def parse_url(text: str) -> Literal:
    parts = urlparse(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{text!r} is not an http(s) URL")
    return Literal(text, datatype=XSD.anyURI)


def parse_lang_string(text: str, default_lang: str = "en") -> Literal:
    m = _LANG_SUFFIX.match(text)
    if m and m.group("text"):
        return Literal(m.group("text"), lang=m.group("lang"))
    return Literal(text, lang=default_lang)


def _integer_parser(datatype: URIRef) -> Callable[[str, frozenset], Literal]:
    def parse(text: str, ranges: frozenset) -> Literal:
        return parse_integer(text, datatype)

    return parse


RangeTest = Callable[[frozenset], bool]
LiteralParser = Callable[[str, frozenset], Literal]

def parse_boolean(text: str) -> Literal:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(f"{text!r} is not true or false")
    return Literal(lowered, datatype=XSD.boolean)


LITERAL_PARSERS: list[tuple[RangeTest, LiteralParser]] = [
    (lambda r: bool(r) and r <= TEMPORAL, parse_temporal),
    (lambda r: XSD.decimal in r, lambda text, r: parse_decimal(text)),
    (lambda r: XSD.positiveInteger in r, _integer_parser(XSD.positiveInteger)),
    (lambda r: XSD.nonNegativeInteger in r, _integer_parser(XSD.nonNegativeInteger)),
    (lambda r: XSD.integer in r, _integer_parser(XSD.integer)),
    (lambda r: XSD.anyURI in r, lambda text, r: parse_url(text)),
    (lambda r: XSD.boolean in r, lambda text, r: parse_boolean(text)),
    (lambda r: RDF.langString in r, lambda text, r: parse_lang_string(text)),
    (lambda r: XSD.string in r or not r, lambda text, r: Literal(text)),
]
"""Ordered ``(range test, parser)`` pairs: :func:`parse_literal` uses the first entry whose
test accepts the property's set of ranges. Supporting a new range is adding an entry."""


def parse_literal(text: str, ranges: tuple[URIRef, ...]) -> Literal:
    """Parse ``text`` for a datatype property whose range is ``ranges``."""
    rset = frozenset(ranges)
    for accepts, parse in LITERAL_PARSERS:
        if accepts(rset):
            return parse(text, rset)
    raise ValueError(f"no parser for range {sorted(rset)}")
