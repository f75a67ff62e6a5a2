"""eurokg.sources.values: cell text -> typed literals, keeping the precision written."""

from __future__ import annotations

import pytest
from rdflib import Literal

from eurokg.sources.values import (
    TEMPORAL,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_lang_string,
    parse_literal,
    parse_temporal,
    parse_url,
)
from eurokg import vocab as V  # namespaces via the module: pytest probes module-level names,
#                                 and rdflib's DefinedNamespace (XSD, RDF) warns on unknown ones


# ------------------------------------------------------------------ dates

@pytest.mark.parametrize(
    "text, lexical, datatype",
    [
        ("2025-06-17", "2025-06-17", V.XSD.date),
        ("2025-06", "2025-06", V.XSD.gYearMonth),
        ("2025", "2025", V.XSD.gYear),
        ("1990s", "1990s", V.EK.Decade),
        ("  2025-06-17 ", "2025-06-17", V.XSD.date),  # cells are stripped
    ],
)
def test_temporal_keeps_the_precision_written(text, lexical, datatype):
    lit = parse_temporal(text)
    assert lit == Literal(lexical, datatype=datatype)
    assert lit.datatype == datatype
    assert not lit.ill_typed


def test_decade_is_not_turned_into_a_made_up_day():
    lit = parse_temporal("1990s")
    assert str(lit) == "1990s"
    assert lit.datatype == V.EK.Decade
    assert lit.datatype not in (V.XSD.date, V.XSD.gYear)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("2025-13", "month 13 does not exist"),
        ("2025-00", "month 00 does not exist"),
        ("2025-02-30", "is not a date"),
        ("2025-13-01", "is not a date"),
        ("June 2025", "is not a date"),
        ("2025-6-17", "is not a date"),
        ("17/06/2025", "is not a date"),
        ("1995s", "is not a date"),  # a decade starts at a year ending in 0
        ("2025-06-17T10:00", "is not a date"),
        ("", "is not a date"),
    ],
)
def test_bad_dates_are_rejected_with_the_text_quoted(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_temporal(text)
    assert fragment in str(info.value)
    assert repr(text.strip()) in str(info.value)


@pytest.mark.parametrize("text", ["2025-W24-2", "2025-168", "20250617"])
def test_other_iso_8601_forms_are_not_silently_rewritten(text):
    # Python's date.fromisoformat accepts week dates: "2025-W24-2" would become 2025-06-10.
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)
    with pytest.raises(ValueError):
        parse_temporal(text)


def test_non_ascii_digits_are_not_a_year():
    with pytest.raises(ValueError):
        parse_temporal("\uff12\uff10\uff12\uff15")  # fullwidth 2025


def test_wrong_precision_for_the_range_is_refused():
    assert parse_temporal("2025", frozenset({V.XSD.gYear})) == Literal("2025", datatype=V.XSD.gYear)
    with pytest.raises(ValueError, match="wrong precision here") as info:
        parse_temporal("2025-06-17", frozenset({V.XSD.gYear}))
    assert "gYear" in str(info.value)
    with pytest.raises(ValueError, match="wrong precision"):
        parse_temporal("1990s", frozenset({V.XSD.date, V.XSD.gYearMonth, V.XSD.gYear}))


def test_parse_literal_dispatches_dates_by_range():
    assert parse_literal("2025-06", tuple(TEMPORAL)).datatype == V.XSD.gYearMonth
    assert parse_literal("2025-06-17", (V.XSD.date,)).datatype == V.XSD.date
    with pytest.raises(ValueError):
        parse_literal("2025-06", (V.XSD.date,))  # signingDate-like: a full date only


# --------------------------------------------------------------- decimals

@pytest.mark.parametrize(
    "text, lexical",
    [
        ("1500000000", "1500000000"),
        ("10.4", "10.4"),
        ("1.5e9", "1500000000"),
        ("1.5E9", "1500000000"),
        ("1.50", "1.5"),
        ("0.0", "0"),
        ("-0", "0"),
        ("1_000", "1000"),
        ("286420000000", "286420000000"),
        ("0.000001", "0.000001"),
    ],
)
def test_decimals_are_normalised_to_plain_lexical_forms(text, lexical):
    lit = parse_decimal(text)
    assert str(lit) == lexical
    assert lit.datatype == V.XSD.decimal
    assert not lit.ill_typed
    assert "e" not in str(lit).lower()


@pytest.mark.parametrize("text", ["lots", "1,5", "1.5 billion", "", "$100"])
def test_non_numbers_are_rejected(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-inf", "sNaN"])
def test_non_finite_numbers_are_rejected(text):
    with pytest.raises(ValueError, match="not a finite number"):
        parse_decimal(text)


def test_huge_exponent_is_refused_instead_of_expanded():
    # format(Decimal("1e999999999"), "f") would build a gigabyte of zeros
    with pytest.raises(ValueError, match="out of range"):
        parse_decimal("1e999999999")
    with pytest.raises(ValueError, match="out of range"):
        parse_decimal("1e-999999999")
    assert str(parse_decimal("0e-999999999")) == "0"


# --------------------------------------------------------------- integers

def test_positive_integers():
    assert parse_integer("1", V.XSD.positiveInteger) == Literal("1", datatype=V.XSD.positiveInteger)
    assert str(parse_integer("+49", V.XSD.positiveInteger)) == "49"
    for bad, message in [("0", "must be 1 or more"), ("-2", "must be 1 or more"),
                         ("1.0", "not a whole number"), ("two", "not a whole number")]:
        with pytest.raises(ValueError, match=message):
            parse_integer(bad, V.XSD.positiveInteger)


def test_non_negative_and_plain_integers():
    assert str(parse_integer("0", V.XSD.nonNegativeInteger)) == "0"
    with pytest.raises(ValueError, match="0 or more"):
        parse_integer("-1", V.XSD.nonNegativeInteger)
    assert parse_integer("-7", V.XSD.integer) == Literal("-7", datatype=V.XSD.integer)


def test_parse_literal_uses_the_integer_range():
    lit = parse_literal("2", (V.XSD.positiveInteger,))
    assert lit.datatype == V.XSD.positiveInteger and lit.toPython() == 2
    with pytest.raises(ValueError):
        parse_literal("0", (V.XSD.positiveInteger,))


# ------------------------------------------------------------------- URLs

@pytest.mark.parametrize("text", ["https://astanatimes.com/2025/06/x/", "http://example.org"])
def test_http_urls_become_anyuri(text):
    lit = parse_url(text)
    assert lit == Literal(text, datatype=V.XSD.anyURI)


@pytest.mark.parametrize("text", ["ftp://example.org/x", "example.org", "https://", "javascript:alert(1)",
                                  "file:///etc/passwd", "www.example.org/page"])
def test_non_http_urls_are_rejected(text):
    with pytest.raises(ValueError, match=r"is not an http\(s\) URL"):
        parse_url(text)


# ---------------------------------------------------------------- language

def test_language_suffix_sets_the_tag():
    assert parse_lang_string("Astana@kk") == Literal("Astana", lang="kk")
    assert parse_lang_string("Nur-Sultan@kk-Cyrl") == Literal("Nur-Sultan", lang="kk-cyrl")


def test_default_language_is_english_and_emails_are_not_tags():
    assert parse_lang_string("Astana") == Literal("Astana", lang="en")
    # "@bar.com" is not a language tag: the text is kept whole
    assert parse_lang_string("press@bar.com") == Literal("press@bar.com", lang="en")
    assert parse_lang_string("@kk") == Literal("@kk", lang="en")  # no text before the tag


def test_parse_literal_for_lang_string_and_plain_string_ranges():
    assert parse_literal("Astana@kk", (V.RDF.langString,)) == Literal("Astana", lang="kk")
    assert parse_literal("KAZ", (V.XSD.string,)) == Literal("KAZ")
    assert parse_literal("KAZ", ()) == Literal("KAZ")
    with pytest.raises(ValueError, match="no parser"):
        parse_literal("x", (V.XSD.hexBinary,))


def test_parse_literal_decimal_range():
    assert parse_literal("1.5e9", (V.XSD.decimal,)) == Literal("1500000000", datatype=V.XSD.decimal)
    with pytest.raises(ValueError):
        parse_literal("lots", (V.XSD.decimal,))


# ---------------------------------------------------------------- registry

def test_parse_literal_dispatches_through_the_ordered_registry(monkeypatch):
    from eurokg.sources import values

    seen = []

    def parse_hex(text, ranges):
        seen.append((text, ranges))
        return Literal(text.upper(), datatype=V.XSD.hexBinary)

    # a new range is one more entry, not another branch in parse_literal
    monkeypatch.setattr(values, "LITERAL_PARSERS", [*values.LITERAL_PARSERS, (lambda r: V.XSD.hexBinary in r, parse_hex)])
    assert parse_literal("0a1f", (V.XSD.hexBinary,)) == Literal("0A1F", datatype=V.XSD.hexBinary)
    assert seen == [("0a1f", frozenset({V.XSD.hexBinary}))]


def test_first_matching_registry_entry_wins():
    from eurokg.sources import values

    # decimal is tried before the integer types: a range naming both parses as a decimal
    assert parse_literal("2.50", (V.XSD.integer, V.XSD.decimal)) == Literal("2.5", datatype=V.XSD.decimal)
    # positiveInteger before integer: the stricter check applies
    with pytest.raises(ValueError, match="1 or more"):
        parse_literal("0", (V.XSD.integer, V.XSD.positiveInteger))
    tests = [accepts for accepts, _ in values.LITERAL_PARSERS]
    assert [t(frozenset({V.XSD.gYear})) for t in tests][0] is True
    assert not any(t(frozenset({V.XSD.hexBinary})) for t in tests)
