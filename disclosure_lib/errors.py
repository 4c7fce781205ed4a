"""The project's own error types: every bad input surfaces as one of these, never a traceback."""

from __future__ import annotations

from pathlib import Path


class DisclosureError(Exception):
    """Base of all errors the CLI reports as a one-line message (exit 2)."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ParamsError(DisclosureError):
    """A params file that cannot be read as a report.

    Loading goes on after an error to find the others in the same file: the error raised is
    the first, and its `errors` lists every one found (itself first), each with its line.
    """

    _errors: list[ParamsError] | None = None

    @property
    def errors(self) -> list[ParamsError]:
        return self._errors or [self]

    def with_errors(self, errors: list[ParamsError]) -> ParamsError:
        """This error, carrying `errors` (which start with it) as every error of its file."""
        self._errors = errors
        return self


class ImportError_(DisclosureError):  # trailing _ : the builtin ImportError is taken
    """Input that cannot be imported as a report."""


class RenderError(DisclosureError):
    """A report that cannot be rendered (unknown agency/year, missing fonts, failed cell)."""


class BuildError(DisclosureError):
    """A batch build that cannot run (output folder locked, read-only, …)."""


class UnreadableError(ParamsError):
    """A params file or folder that could not be listed or read (permissions, an I/O error, a
    link loop): what it holds is unknown, so nothing published from it is removed."""


class WriteError(DisclosureError):
    """A file that cannot be written (`files.write_atomic`): full disk, a folder that is not
    writable or does not exist, a target that is not a regular file. `errno` says why."""

    def __init__(self, message: str, *, path: Path | str, errno: int | None = None) -> None:
        super().__init__(message, path=path)
        self.errno = errno
