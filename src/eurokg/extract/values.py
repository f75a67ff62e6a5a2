"""Quantities and time in news text, normalised.

* Money: a number with an optional scale word ("1.5 billion", "286.42bn") and a
  currency given as a symbol, an ISO 4217 code or a name, before or after the
  number ("$208.86 million", "US$1.2 billion", "RMB 3 billion", "26 billion yuan",
  "3.5 billion dollars"). Currency words come from the gazetteer's names of
  ek:Currency entities and ISO codes from the curated currencies, so a new
  currency is added as data, not code. Amounts are exact decimals in full units.
* Percentages: "10.4%", "27 percent", "5 per cent".
* Time, resolved against the publication date with its precision kept:
  weekdays ("on Tuesday": the latest such day on or before publication),
  dates and months with or without a year (parsed by dateparser), years,
  decades ("the 1990s"), "this/last/next year", and the first N months,
  quarter or half "of this year" / "of 2024" (an interval of months).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SCALES = {
    "thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3,
    "million": Decimal(10) ** 6, "mn": Decimal(10) ** 6, "m": Decimal(10) ** 6, "mln": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9, "bn": Decimal(10) ** 9, "b": Decimal(10) ** 9, "bln": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12, "trn": Decimal(10) ** 12,
}
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SCALE = r"(?:thousand|million|billion|trillion|mln|bln|trn|mn|bn|tn|m|b|k)\b"
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
ORDINALS = {"first": 1, "inaugural": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
            "5th": 5, "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10}
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = [m for m in calendar.month_name if m]


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    amount: Decimal
    currency: str  # entity id
    code: str  # ISO 4217


@dataclass(frozen=True)
class Percent:
    start: int
    end: int
    value: Decimal


@dataclass(frozen=True)
class When:
    start: int
    end: int
    value: str  # 2025-06-17 | 2025-06 | 2025 | 1990s | 2025-01/2025-05
    precision: str  # day | month | year | decade
    first: dt.date
    last: dt.date


def number(text: str, scale: str | None = None) -> Decimal:
    value = Decimal(text.replace(",", ""))
    if scale:
        value *= SCALES[scale.lower()]
    return value.normalize() if value == value.to_integral_value() else value


def plain(value: Decimal) -> str:
    """A decimal in full, without exponent: 1.5E+9 -> "1500000000"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class Currencies:
    """Currency names, symbols and codes -> (entity id, ISO code)."""

    def __init__(self, kb) -> None:
        self.by_word: dict[str, tuple[str, str]] = {}
        codes = kb.currency_codes
        for ident, entry in kb.gazetteer.entries.items():
            if entry.type != "Currency":
                continue
            code = codes.get(ident) or next((n.text for n in entry.names if n.note.startswith("ISO 4217")), None)
            if not code:
                continue
            for name in entry.names:
                words = {name.text}
                if name.text[-1:].isalpha() and name.text.lower() not in ("yuan", "renminbi", "tenge", "som",
                                                                           "manat", "somoni", "sum"):
                    words.add(name.text + "s")
                for word in words:
                    self.by_word.setdefault(word.lower(), (ident, code))
        words = sorted(self.by_word, key=lambda w: (-len(w), w))
        alternation = "|".join(re.escape(w) + (r"\b" if w[-1:].isalnum() else "") for w in words)
        self.before = re.compile(rf"(?<![\w$])(?P<cur>{alternation})\s?(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE}))?", re.I)
        self.after = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE}))?\s(?:of\s)?(?P<cur>{alternation})", re.I)

    def find(self, text: str, offset: int = 0) -> list[Money]:
        found: list[Money] = []
        taken: list[tuple[int, int]] = []
        for pattern in (self.before, self.after):
            for m in pattern.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                cur = m.group("cur")
                ident, code = self.by_word[cur.lower()]
                try:
                    amount = number(m.group("num"), m.group("scale"))
                except (InvalidOperation, KeyError):
                    continue
                taken.append((m.start(), m.end()))
                found.append(Money(offset + m.start(), offset + m.end(), amount, ident, code))
        return sorted(found, key=lambda x: x.start)


PERCENT = re.compile(rf"(?P<num>{NUMBER})\s?(?:%|percent\b|per cent\b|pct\b)", re.I)


def percents(text: str, offset: int = 0) -> list[Percent]:
    return [Percent(offset + m.start(), offset + m.end(), number(m.group("num"))) for m in PERCENT.finditer(text)]


# ---------------------------------------------------------------------- time

def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year_of(phrase: str, published: dt.date) -> int | None:
    phrase = phrase.lower()
    if phrase in ("this year", "the current year", "the year"):
        return published.year
    if phrase == "last year" or phrase == "the previous year":
        return published.year - 1
    if phrase == "next year":
        return published.year + 1
    if re.fullmatch(r"\d{4}", phrase):
        return int(phrase)
    return None


YEAR_REF = r"this year|last year|next year|the previous year|the current year|\d{4}"
MONTH = "|".join(MONTHS)
MONTH_ABBR = "|".join(m[:3] for m in MONTHS)
TIME_PATTERNS = [
    ("first_n", re.compile(rf"\b(?:the\s+)?(?:first|opening)\s+(?P<n>\w+)\s+months\s+of\s+(?P<y>{YEAR_REF})\b", re.I)),
    ("part", re.compile(rf"\b(?:the\s+)?(?P<part>first|second|third|fourth)\s+(?P<unit>half|quarter)\s+of\s+(?P<y>{YEAR_REF})\b", re.I)),
    ("span", re.compile(rf"\b(?:from\s+|between\s+)?(?P<m1>{MONTH})\s+(?:to|through|until|and|-|–)\s+(?P<m2>{MONTH})(?:\s+(?:of\s+)?(?P<y>{YEAR_REF}))?\b", re.I)),
    ("decade", re.compile(r"\b(?:the\s+)?(?:early\s+|mid-|late\s+)?(?P<d>1[89]\d0|20\d0)s\b")),
    ("date", re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTH}|{MONTH_ABBR})\.?(?:,?\s+\d{{4}})?|(?:{MONTH}|{MONTH_ABBR})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)\b")),
    ("month", re.compile(rf"\b(?P<m>{MONTH})(?:\s+(?:of\s+)?(?P<y>{YEAR_REF}))?\b")),
    ("weekday", re.compile(r"\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relyear", re.compile(r"\b(?P<y>this year|last year|next year)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|by|for|of|during|from|until|before|after|to|early|late|mid-?|fiscal)\s+(?P<y>1[89]\d\d|20\d\d)\b(?!\s*(?:percent|%|km|kilomet|tonnes|tons))", re.I)),
    ("today", re.compile(r"\b(?P<t>today|yesterday|this week|last week|this month|last month)\b", re.I)),
]


class TimeParser:
    def __init__(self) -> None:
        from dateparser.date import DateDataParser

        self._parsers: dict[dt.date, DateDataParser] = {}
        self._factory = DateDataParser

    def _parse_date(self, text: str, published: dt.date):
        parser = self._parsers.get(published)
        if parser is None:
            base = dt.datetime.combine(published, dt.time())
            parser = self._factory(languages=["en"], settings={
                "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": ["month"]})
            self._parsers[published] = parser
        data = parser.get_date_data(text)
        return data.date_obj, data.period

    def find(self, text: str, published: dt.date, offset: int = 0) -> list[When]:
        out: list[When] = []
        taken: list[tuple[int, int]] = []
        for kind, pattern in TIME_PATTERNS:
            for m in pattern.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                when = self._resolve(kind, m, published)
                if when is None:
                    continue
                value, precision, first, last = when
                taken.append((m.start(), m.end()))
                out.append(When(offset + m.start(), offset + m.end(), value, precision, first, last))
        return sorted(out, key=lambda w: w.start)

    def _resolve(self, kind: str, m: re.Match, published: dt.date):
        if kind == "first_n":
            n = NUMBER_WORDS.get(m.group("n").lower()) or (int(m.group("n")) if m.group("n").isdigit() else None)
            year = _year_of(m.group("y"), published)
            if not n or not year or n > 12:
                return None
            return f"{year}-01/{year}-{n:02d}", "month", dt.date(year, 1, 1), _month_end(year, n)
        if kind == "part":
            year = _year_of(m.group("y"), published)
            index = {"first": 1, "second": 2, "third": 3, "fourth": 4}[m.group("part").lower()]
            months = 6 if m.group("unit").lower() == "half" else 3
            if year is None or index * months > 12:
                return None
            a, b = (index - 1) * months + 1, index * months
            return f"{year}-{a:02d}/{year}-{b:02d}", "month", dt.date(year, a, 1), _month_end(year, b)
        if kind == "span":
            year = _year_of(m.group("y"), published) if m.group("y") else published.year
            a, b = MONTHS.index(m.group("m1").capitalize()) + 1, MONTHS.index(m.group("m2").capitalize()) + 1
            if year is None or b < a:
                return None
            return f"{year}-{a:02d}/{year}-{b:02d}", "month", dt.date(year, a, 1), _month_end(year, b)
        if kind == "decade":
            d = int(m.group("d"))
            return f"{d}s", "decade", dt.date(d, 1, 1), dt.date(d + 9, 12, 31)
        if kind == "date":
            date, period = self._parse_date(m.group(0), published)
            if date is None or period != "day":
                return None
            day = date.date()
            return day.isoformat(), "day", day, day
        if kind == "month":
            if m.group("y"):
                year = _year_of(m.group("y"), published)
            else:  # a month without a year: the latest one not after publication
                month = MONTHS.index(m.group("m")) + 1
                year = published.year if month <= published.month else published.year - 1
            if year is None:
                return None
            month = MONTHS.index(m.group("m")) + 1
            return f"{year}-{month:02d}", "month", dt.date(year, month, 1), _month_end(year, month)
        if kind == "weekday":
            back = (published.weekday() - WEEKDAYS[m.group("w").lower()]) % 7
            day = published - dt.timedelta(days=back)
            return day.isoformat(), "day", day, day
        if kind in ("relyear", "year"):
            year = _year_of(m.group("y"), published)
            return str(year), "year", dt.date(year, 1, 1), dt.date(year, 12, 31)
        if kind == "today":
            t = m.group("t").lower()
            if t in ("today", "yesterday"):
                day = published - dt.timedelta(days=1 if t == "yesterday" else 0)
                return day.isoformat(), "day", day, day
            if t in ("this week", "last week"):
                return None  # a week has no precision of its own in xsd; left unresolved
            month = published.month - (1 if t == "last month" else 0)
            year = published.year
            if month == 0:
                month, year = 12, year - 1
            return f"{year}-{month:02d}", "month", dt.date(year, month, 1), _month_end(year, month)
        return None
