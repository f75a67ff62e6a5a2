"""Strict text input: UTF-8 only, with the position of the first bad byte."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..limits import Limits, current

MAX_TEXT_BYTES = Limits.max_text_bytes
"""The default of ``max-text-bytes`` (see :mod:`eurokg.limits`)."""


def read_utf8(path: Path, display: str | None = None, limit: int | None = None) -> str:
    """Read ``path`` as UTF-8 (a BOM is dropped); report a bad byte as ``file:line:col``.

    ``limit`` defaults to the limits in force (:func:`eurokg.limits.current`)."""
    shown = display or str(path)
    if limit is None:
        limit = current().max_text_bytes
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file", shown) from None
    if size > limit:
        raise InputError(f"file is {size} bytes, over the {limit}-byte limit for text input", shown)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise utf8_error(data, exc, shown) from None
    return text.removeprefix("\ufeff")


def utf8_error(data: bytes, exc: UnicodeDecodeError, shown: str) -> InputError:
    """The first bad byte of ``data`` as ``file:line:col`` with its offset."""
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    # the column in characters, as editors (and pyoxigraph's errors) count it;
    # everything before the bad byte is valid UTF-8
    line_text = before[before.rfind(b"\n") + 1:].decode("utf-8")
    if line == 1:
        line_text = line_text.removeprefix("\ufeff")
    return InputError(f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; save the file as UTF-8",
                      shown, line, len(line_text) + 1)


def check_utf8(data: bytes, shown: str) -> None:
    """Raise :func:`utf8_error` for ``data`` if it is not UTF-8, without holding its decoded
    text (it is checked in 1 MiB slices: a 256 MiB file could decode to 1 GiB)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    for start in range(0, len(data), step):
        try:
            decoder.decode(data[start:start + step], final=start + step >= len(data))
        except UnicodeDecodeError:
            try:
                data.decode("utf-8")  # stops at the first bad byte: its position for the message
            except UnicodeDecodeError as exc:
                raise utf8_error(data, exc, shown) from None


_CSV_CAP = threading.Lock()


def csv_room(text: str) -> None:
    """Let Python's csv module read any field of ``text``. Its cap on one field (131,072
    characters by default) is process-wide and would stop a long cell before eurokg's own
    check (``max-literal-chars``) could name its line and column; it is only ever raised, to
    the length of a text already read under ``max-text-bytes``, and under a lock, so two
    threads reading sheets never lower each other's."""
    import csv

    with _CSV_CAP:
        if csv.field_size_limit() <= len(text):
            csv.field_size_limit(len(text) + 1)


def check_cell_lengths(cells, shown: str, line: int) -> None:
    """Raise an :class:`InputError` at ``line`` and the cell's column for the first of ``cells``
    longer than ``max-literal-chars`` (the limits in force)."""
    longest = current().max_literal_chars
    for column, cell in enumerate(cells, start=1):
        if cell is not None and len(cell) > longest:
            raise InputError(f"a cell of {len(cell)} characters is over the {longest}-character limit "
                             "(max-literal-chars)", shown, line, column)


def csv_dict_rows(text: str, shown: str) -> tuple[list[str], Iterator]:
    """The header of a CSV text with a header row, and :func:`csv_rows` of a ``DictReader`` over
    it; a malformed header is an :class:`InputError` too."""
    import csv
    import io

    csv_room(text)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", shown, reader.line_num, None) from None
    return header, csv_rows(reader, shown)


def csv_rows(reader, shown: str):
    """``(line, row)`` for each row of a ``csv`` reader (or ``DictReader``), ``line`` being
    where the row starts (a quoted cell may span lines); a malformed row is an
    :class:`InputError` at the line where the reader stopped."""
    import csv

    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", shown, reader.line_num, None) from None
        line, previous = previous + 1, reader.line_num
        yield line, row
