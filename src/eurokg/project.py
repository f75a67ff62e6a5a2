"""Where a eurokg project's files live.

A project is a folder with ``ontology/eurokg.ttl``; everything else has a
default place under it that a caller may override.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError

ONTOLOGY_FILE = Path("ontology") / "eurokg.ttl"


@dataclass(frozen=True)
class Project:
    """Paths of one project. Build one with :func:`find_project` or directly."""

    root: Path
    ontology: Path = field(default=None)  # type: ignore[assignment]
    shapes: Path = field(default=None)  # type: ignore[assignment]
    curated: Path = field(default=None)  # type: ignore[assignment]
    queries: Path = field(default=None)  # type: ignore[assignment]
    gazetteer: Path = field(default=None)  # type: ignore[assignment]
    articles: Path = field(default=None)  # type: ignore[assignment]
    build_dir: Path = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        root = Path(self.root).resolve()
        object.__setattr__(self, "root", root)
        defaults = {
            "ontology": root / ONTOLOGY_FILE,
            "shapes": root / "ontology" / "shapes.ttl",
            "curated": root / "data" / "curated",
            "queries": root / "queries",
            "gazetteer": root / "data" / "gazetteer",
            "articles": root / "data" / "articles",
            "build_dir": root / "build",
        }
        for name, default in defaults.items():
            value = getattr(self, name)
            object.__setattr__(self, name, Path(value) if value is not None else default)

    def setting(self, name: str, default):
        """A setting from ``[tool.eurokg]`` in the project's ``pyproject.toml`` (``default`` if unset)."""
        import tomllib

        from .errors import InputError

        path = self.root / "pyproject.toml"
        if not path.exists():
            return default
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not valid TOML: {exc}", self.relpath(path)) from None
        value = data.get("tool", {}).get("eurokg", {}).get(name, default)
        if default is not None and not isinstance(value, type(default)):
            raise InputError(f"[tool.eurokg] {name} must be {type(default).__name__}, not {value!r}",
                             self.relpath(path))
        return value

    def limits(self):
        """The project's :class:`eurokg.limits.Limits`: the defaults, with what
        ``[tool.eurokg.limits]`` in ``pyproject.toml`` sets (each checked)."""
        from .limits import Limits

        return Limits.from_settings(self.setting("limits", {}), self.relpath(self.root / "pyproject.toml"))

    def relpath(self, path: Path | str) -> str:
        """``path`` relative to the project root when inside it (for messages and provenance)."""
        p = Path(path).resolve()
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_project(start: Path | str | None = None, *, walk_up: bool = True) -> Project:
    """The project containing ``start`` (default: ``$EUROKG_PROJECT`` or the current folder).

    With ``walk_up=False`` (an explicit ``--project``), ``start`` itself must be the project."""
    if start is None:
        start = os.environ.get("EUROKG_PROJECT") or Path.cwd()
    here = Path(start).resolve()
    for candidate in (here, *here.parents) if walk_up else (here,):
        if (candidate / ONTOLOGY_FILE).is_file():
            return Project(candidate)
    raise UsageError(
        f"no eurokg project found at or above {here} (looked for {ONTOLOGY_FILE}); "
        "run from the project folder or pass --project"
    )
