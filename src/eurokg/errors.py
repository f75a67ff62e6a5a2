"""Every failure a user can cause is an :class:`EurokgError` with a location.

Exit codes used by the CLI: 0 ok, 1 data or validation failure, 2 usage,
3 a limit or timeout was hit.
"""

from __future__ import annotations

from pathlib import Path


class EurokgError(Exception):
    """Base class of all errors eurokg reports to its users."""

    exit_code = 1


class InputError(EurokgError):
    """Bad input, located as ``path:line:col: message``.

    ``line`` and ``col`` are 1-based; either may be ``None`` where the input has
    no such position (an entity reference checked after loading, say).
    """

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.col = col
        super().__init__(str(self))

    @property
    def location(self) -> str:
        parts = [p for p in (self.path, self.line, self.col) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        loc = self.location
        return f"{loc}: {self.message}" if loc else self.message


class ValidationFailed(EurokgError):
    """SHACL validation found violations (or warnings, in strict mode)."""

    def __init__(self, report) -> None:  # report: eurokg.validate.Report
        self.report = report
        super().__init__(report.summary())


class InconsistentOntology(EurokgError):
    """The reasoner found the ontology plus data inconsistent."""


class ReasonerError(EurokgError):
    """The reasoner could not run (no Java, crash)."""


class QueryRefused(EurokgError):
    """A query was refused by policy (SERVICE, LOAD, FROM <http...>, updates)."""

    exit_code = 2


class UsageError(EurokgError):
    """The command was called wrongly (unknown format, missing build...)."""

    exit_code = 2


class LimitExceeded(EurokgError):
    """A configured limit (time, rows, size) was hit."""

    exit_code = 3


class BuildLocked(EurokgError):
    """Another build is writing to the same output folder."""


class EurokgWarning(UserWarning):
    """Something the user should know that does not stop the command (``warning: …`` on the CLI)."""


class GephiValueLost(EurokgWarning):
    """A value that Gephi's importer will read as missing (the text "null" in any case)."""
