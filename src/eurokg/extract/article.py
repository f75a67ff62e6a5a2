"""Articles: UTF-8 text, Markdown with YAML front matter, or plain text known to the curated sources.

Front matter (between ``---`` lines at the top of a ``.md`` file) must give
``title``, ``published`` (an ISO date) and ``language``; ``url``, ``publisher``
and ``sources`` (a list of citations) are optional but recommended. A plain
``.txt`` file has no front matter: its metadata comes from the row of
``data/curated/sources.csv`` whose ``identifier`` is the file's stem (that is how
the founding article is known), or from the caller.

Character offsets in claims count from the first character of the body (after
the front matter), in Python characters (code points).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import InputError
from ..limits import Limits, current
from ..sources.text import read_utf8

REQUIRED = ("title", "published", "language")
MAX_ARTICLE_BYTES = Limits.max_article_bytes  # the default of max-article-bytes (eurokg.limits)
KNOWN = {"title", "url", "publisher", "published", "language", "sources", "id"}
SLUG = re.compile(r"[\W_]+")  # (what is not a letter or a digit, in any script)
_ARTICLE_ID = re.compile(r"[\w.-]+")  # letters and digits of any script, "_", "-", "."


@dataclass(frozen=True)
class Article:
    id: str
    path: str  # as shown in messages and provenance
    title: str
    published: dt.date
    language: str
    body: str
    url: str | None = None
    publisher: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    source_id: str | None = None  # a curated ek:Source this article is
    body_line: int = 1  # line of the file where the body starts

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()


def slug(text: str) -> str:
    return SLUG.sub("-", text.lower()).strip("-") or "article"


def _front_matter(text: str, shown: str) -> tuple[dict, str, int]:
    """(metadata, body, body line) of a Markdown file; a missing or broken block is an error."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise InputError("missing front matter: a Markdown article starts with a line '---', "
                         "then title, published and language, then '---'", shown, 1, 1)
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise InputError("front matter is not closed: no second '---' line", shown, 1, 1)
    block = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        col = mark.column + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"front matter is not valid YAML: {problem}", shown, line, col) from None
    if not isinstance(meta, dict):
        raise InputError("front matter must be a mapping of keys to values (title: ..., published: ...)", shown, 2, 1)
    body = "\n".join(lines[end + 1:])
    return meta, body, end + 2


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*:", line):
            return number
    return None


def _date(value, shown: str, line: int | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"published: {value!r} is not a date (write YYYY-MM-DD)", shown, line, None) from None


def parse_article(text: str, shown: str, *, suffix: str = ".md", stem: str = "article",
                  known: dict[str, dict] | None = None, metadata: dict | None = None) -> Article:
    """An :class:`Article` from the file's text. ``known`` maps curated source identifiers to
    their metadata (for plain text files); ``metadata`` overrides or supplies fields.

    The text is put in Unicode normal form C first, so that "Türkiye" typed as ``u`` plus a
    combining diaeresis gives the same claims, quotes and labels as the precomposed form
    (evidence offsets count characters of the normalised text; lines do not change)."""
    text = unicodedata.normalize("NFC", text)
    body_line = 1
    if suffix.lower() in (".md", ".markdown"):
        meta, body, body_line = _front_matter(text, shown)
        unknown = sorted(set(meta) - KNOWN)
        if unknown:
            raise InputError(f"front matter: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN))})",
                             shown, _key_line(text, unknown[0]), 1)
    else:
        body = text
        meta = dict((known or {}).get(stem, {}))
    meta.update({k: v for k, v in (metadata or {}).items() if v is not None})
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        hint = ("add it to the front matter" if suffix.lower() in (".md", ".markdown") else
                f"a plain text file needs a row in data/curated/sources.csv with identifier {stem!r}, "
                "or --published/--title on the command line")
        raise InputError(f"missing {', '.join(missing)}: {hint}", shown, 1 if body_line > 1 else None, None)
    published = _date(meta["published"], shown, _key_line(text, "published") if body_line > 1 else None)
    for key in ("title", "language", "url", "publisher"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            raise InputError(f"front matter: {key} must be text, not {type(meta[key]).__name__}",
                             shown, _key_line(text, key), 1)
    sources = meta.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise InputError("front matter: sources must be a list of citations", shown, _key_line(text, "sources"), 1)
    if not body.strip():
        raise InputError("the article has no text", shown, body_line, None)
    ident = str(meta.get("id") or slug(stem))  # (YAML reads "id: 2025" as a number)
    # an id typed in the front matter is checked; one from a curated source is an IRI's already
    if suffix.lower() in (".md", ".markdown") and meta.get("id") and not _ARTICLE_ID.fullmatch(ident):
        raise InputError(f"front matter: id {ident!r} must be letters, digits, '-', '_' or '.' (it names the "
                         "article's IRIs)", shown, _key_line(text, "id") if body_line > 1 else None, 1)
    return Article(id=ident, path=shown, title=meta["title"].strip(), published=published,
                   language=meta["language"].strip(), body=body, url=meta.get("url"),
                   publisher=meta.get("publisher"), sources=tuple(sources), source_id=meta.get("source_id"),
                   body_line=body_line)


def read_article(path: Path | str, *, display: str | None = None, known: dict[str, dict] | None = None,
                 metadata: dict | None = None, limit: int | None = None) -> Article:
    """Read and check one article file (UTF-8 only, size-limited)."""
    path = Path(path)
    shown = display or str(path)
    text = read_utf8(path, shown, current().max_article_bytes if limit is None else limit)
    return parse_article(text, shown, suffix=path.suffix, stem=path.stem, known=known, metadata=metadata)


def article_files(folder: Path) -> list[Path]:
    """The articles of a folder, in name order (``*.md`` and ``*.txt``)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".md", ".txt")
                  and not p.name.startswith("."))
