"""Strict text input: UTF-8 only, with the position of the first bad byte."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

MAX_TEXT_BYTES = 50 * 1024 * 1024


def read_utf8(path: Path, display: str | None = None, limit: int | None = None) -> str:
    """Read ``path`` as UTF-8 (a BOM is dropped); report a bad byte as ``file:line:col``.

    ``limit`` defaults to :data:`MAX_TEXT_BYTES`, read at call time."""
    shown = display or str(path)
    if limit is None:
        limit = MAX_TEXT_BYTES
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
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        # the column in characters, as editors (and pyoxigraph's errors) count it;
        # everything before the bad byte is valid UTF-8
        line_text = before[before.rfind(b"\n") + 1:].decode("utf-8")
        if line == 1:
            line_text = line_text.removeprefix("\ufeff")
        col = len(line_text) + 1
        raise InputError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; save the file as UTF-8",
            shown, line, col,
        ) from None
    return text.removeprefix("\ufeff")
