"""Strict text input: UTF-8 only, with the position of the first bad byte."""

from __future__ import annotations

from pathlib import Path

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
