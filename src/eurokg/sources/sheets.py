"""CSV sheets: a researcher adds a fact by adding a row.

A sheet's file name picks its class (the ontology's ``ek:sheet`` annotation:
``offices.csv`` makes ``ek:Office`` instances). Its header names columns:

* ``id`` (required): the entity's local id, ``[a-z0-9][a-z0-9-]*``; the IRI is
  ``ID[<id>]`` (the ``id:`` namespace of :mod:`eurokg.vocab`).
* ``source`` (required): one or more ids of ``ek:Source`` entities the row's
  facts come from (``|``-separated).
* ``type``: a subclass of the sheet's class (``MultilateralTreaty``).
* ``label``, ``label@xx``: ``rdfs:label`` in English or language xx;
  ``altLabel``: ``skos:altLabel`` values, ``|``-separated.
* ``wikidata``: the Wikidata item id (``Q…``).
* any other column: the local name of an ontology property, parsed by its
  ``rdfs:range`` (entity ids for object properties; dates at the precision
  written, decimals, language-tagged text...). ``|`` separates several values.

Blank cells are skipped; blank rows, and rows whose first cell starts with ``#``
(comments), are skipped anywhere, also before the header.
Every problem is reported as ``file:line:column: message``.

Each contribution records the 1-based column of every property its row gives
values for (``columns``) and the row's line (``lines``), so that validation
results can point back at the cell. The special columns above are handled by
the entries of ``SPECIAL_COLUMNS``; adding one is adding an entry there.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Literal, URIRef

from ..errors import InputError
from ..vocab import EK, GRAPH, ID, PROV, RDF, RDFS, SKOS, WD
from . import Contribution, Reference
from .text import check_cell_lengths, csv_room, csv_rows, read_utf8
from .values import parse_lang_string, parse_literal

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
QID_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
SEPARATOR = "|"

_LABEL_LANG = re.compile(r"^label@([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$")


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean {close[0]}?" if close else ""


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


class _Column:
    def __init__(self, name: str, index: int, prop=None, lang: str | None = None) -> None:
        self.name = name
        self.index = index  # 0-based
        self.prop = prop
        self.lang = lang


def _header(names: list[str], sheet_class: URIRef, ontology, path: str, line: int = 1) -> list[_Column]:
    columns: list[_Column] = []
    seen: dict[str, int] = {}
    known_props = {info.local: info for info in ontology.properties.values()
                   if info.kind != "annotation" and str(info.iri).startswith(str(EK))}
    for i, raw in enumerate(names):
        name = raw.strip()
        col = i + 1
        if not name:
            raise InputError("empty column name in header", path, line, col)
        if name in seen:
            raise InputError(f'column "{name}" appears twice (also column {seen[name]})', path, line, col)
        seen[name] = col
        if name in SPECIAL_COLUMNS:
            columns.append(_Column(name, i))
            continue
        if m := _LABEL_LANG.match(name):
            columns.append(_Column("label", i, lang=m.group(1)))
            continue
        info = known_props.get(name)
        if info is None:
            raise InputError(
                f'unknown column "{name}": not a property of the ontology{_suggest(name, [*known_props, *SPECIAL_COLUMNS])}',
                path, line, col,
            )
        if info.domains and not any(ontology.is_subclass(sheet_class, d) or ontology.is_subclass(d, sheet_class)
                                    for d in info.domains):
            domains = ", ".join(ontology.label(d) for d in info.domains)
            raise InputError(
                f'column "{name}": property {name} applies to {domains}, not to {ontology.label(sheet_class)}',
                path, line, col,
            )
        columns.append(_Column(name, i, prop=info))
    if "id" not in seen:
        raise InputError('missing column "id"', path, line, None)
    if "source" not in seen:
        raise InputError('missing column "source" (every fact needs its source)', path, line, None)
    return columns


def _object_value(text: str, info, ontology) -> URIRef:
    """An entity id, or the name of an ontology individual allowed by the range (``Signed``)."""
    for rng in info.ranges:
        candidate = EK[text]
        if candidate in ontology.individuals and (candidate, RDF.type, rng) in ontology.graph:
            return candidate
    if ID_PATTERN.match(text):
        return ID[text]
    allowed = sorted(
        str(ind)[len(str(EK)):] for rng in info.ranges for ind in ontology.individuals
        if (ind, RDF.type, rng) in ontology.graph
    )
    hint = f" or one of {', '.join(allowed)}" if allowed else ""
    raise ValueError(f"{text!r} is not an entity id (lower-case letters, digits and '-'){hint}")


@dataclass
class _Row:
    """What one row contributes, filled by the column handlers."""

    subject: URIRef
    line: int
    shown: str
    sheet_class: URIRef
    allowed_types: dict[str, URIRef]
    ontology: object
    rdf_class: URIRef | None = None
    triples: list[tuple] = field(default_factory=list)
    refs: list[Reference] = field(default_factory=list)
    sources: list[URIRef] = field(default_factory=list)
    columns: dict[URIRef, int] = field(default_factory=dict)

    def add(self, prop: URIRef, value, column: _Column) -> None:
        """Add ``subject prop value``; ``prop`` is located at the first column giving it."""
        self.triples.append((self.subject, prop, value))
        self.columns.setdefault(prop, column.index + 1)

    def refer(self, iri: URIRef, column: _Column) -> None:
        self.refs.append(Reference(iri, self.shown, self.line, column.index + 1))


ColumnHandler = Callable[[_Row, _Column, str], None]
"""``handler(row, column, cell_text)``: adds the cell's triples to ``row``; raises ``ValueError``
with a message that the reader locates at the row and column."""


def _id_column(row: _Row, column: _Column, raw: str) -> None:
    """The id makes the subject (read before the other columns); it adds no triple."""


def _type_column(row: _Row, column: _Column, raw: str) -> None:
    if raw not in row.allowed_types:
        raise ValueError(f"{raw!r} is not a kind of {row.ontology.label(row.sheet_class)} "
                         f"(allowed: {', '.join(sorted(row.allowed_types))})")
    row.rdf_class = row.allowed_types[raw]
    row.columns[RDF.type] = column.index + 1


def _label_column(row: _Row, column: _Column, raw: str) -> None:
    lit = Literal(raw, lang=column.lang) if column.lang else parse_lang_string(raw)
    row.add(RDFS.label, lit, column)


def _alt_label_column(row: _Row, column: _Column, raw: str) -> None:
    for part in _split(raw):
        row.add(SKOS.altLabel, parse_lang_string(part), column)


def _wikidata_column(row: _Row, column: _Column, raw: str) -> None:
    if not QID_PATTERN.match(raw):
        raise ValueError(f"{raw!r} is not a Wikidata item id (Q followed by digits)")
    row.add(EK.wikidataId, Literal(raw), column)
    row.add(SKOS.exactMatch, WD[raw], column)


def _source_column(row: _Row, column: _Column, raw: str) -> None:
    for part in _split(raw):
        if not ID_PATTERN.match(part):
            raise ValueError(f"{part!r} is not a source id")
        row.sources.append(ID[part])
        row.refer(ID[part], column)
        row.add(PROV.wasDerivedFrom, ID[part], column)


def _property_column(row: _Row, column: _Column, raw: str) -> None:
    """Any other column: an ontology property, its cell parsed by the property's range."""
    info = column.prop
    if info.kind == "object":
        parts = _split(raw)
        if info.functional and len(parts) > 1:
            raise ValueError(f"{column.name} takes one value, got {len(parts)}")
        for part in parts:
            value = _object_value(part, info, row.ontology)
            if str(value).startswith(str(ID)):
                row.refer(value, column)
            row.add(info.iri, value, column)
    else:
        for part in (_split(raw) if not info.functional else [raw]):
            row.add(info.iri, parse_literal(part, info.ranges), column)


SPECIAL_COLUMNS: dict[str, ColumnHandler] = {
    "id": _id_column,
    "source": _source_column,
    "type": _type_column,
    "label": _label_column,  # also label@xx (the column carries the language)
    "altLabel": _alt_label_column,
    "wikidata": _wikidata_column,
}
"""Column name -> handler for the columns that are not ontology properties.
Adding a special column is adding an entry here."""


def read_sheet(path: Path, ontology, *, display: str | None = None) -> list[Contribution]:
    """Read one CSV sheet into one :class:`Contribution` per row."""
    shown = display or str(path)
    sheet = path.stem
    sheet_class = ontology.sheets.get(sheet)
    if sheet_class is None:
        raise InputError(
            f'no class is made from a sheet named "{sheet}"{_suggest(sheet, ontology.sheets)} '
            f"(sheets: {', '.join(ontology.sheets)})",
            shown,
        )
    text = read_utf8(path, shown)
    csv_room(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = csv_rows(reader, shown)
    for header_line, header in rows:  # the header is the first row that is neither blank nor a comment
        if any(c.strip() for c in header) and not header[0].lstrip().startswith("#"):
            break
    else:
        raise InputError("empty sheet (no header row)", shown, 1, None)
    columns = _header(header, sheet_class, ontology, shown, header_line)
    by_name = {c.name: c for c in columns if c.lang is None}
    allowed_types = {str(c)[len(str(EK)):]: c for c in ontology.subclasses(sheet_class)}

    out: list[Contribution] = []
    ids_seen: dict[str, int] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if cells[0].lstrip().startswith("#"):
            continue
        if len(cells) > len(columns):
            raise InputError(
                f"row has {len(cells)} cells but the header has {len(columns)} columns",
                shown, line, len(columns) + 1,
            )
        cells = cells + [""] * (len(columns) - len(cells))
        check_cell_lengths(cells, shown, line)

        def fail(column: _Column, message: str) -> InputError:
            return InputError(f'column "{column.name}": {message}', shown, line, column.index + 1)

        id_col = by_name["id"]
        ident = cells[id_col.index].strip()
        if not ident:
            raise fail(id_col, "missing id")
        if not ID_PATTERN.match(ident):
            raise fail(id_col, f"{ident!r} is not a valid id (lower-case letters, digits and '-', e.g. xi-jinping)")
        if ident in ids_seen:
            raise fail(id_col, f"id {ident!r} already used on line {ids_seen[ident]}")
        ids_seen[ident] = line
        subject = ID[ident]

        row = _Row(subject=subject, line=line, shown=shown, sheet_class=sheet_class,
                   allowed_types=allowed_types, ontology=ontology)
        for column in columns:
            raw = cells[column.index].strip()
            if not raw:
                continue
            handler = SPECIAL_COLUMNS[column.name] if column.prop is None else _property_column
            try:
                handler(row, column, raw)
            except ValueError as exc:
                raise fail(column, str(exc)) from None
        if not row.sources:
            raise InputError('column "source": missing source (every fact needs its source)',
                             shown, line, by_name["source"].index + 1)
        out.append(Contribution(
            graph=GRAPH[f"curated/{sheet}/{ident}"],
            triples=[(subject, RDF.type, row.rdf_class or sheet_class), *row.triples],
            file=shown,
            row=line,
            sources=tuple(dict.fromkeys(row.sources)),
            defines=(subject,),
            references=row.refs,
            columns=row.columns,
            lines={subject: line},
        ))
    return out
