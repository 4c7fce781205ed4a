"""The project's own error types: every bad input surfaces as one of these, never a traceback.

Every one survives `pickle.dumps` + `pickle.loads` (a worker process sends them to the driver):
`DisclosureError.__reduce__` rebuilds an error from its attributes, not by calling its
constructor again, so subclasses may take keyword-only arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _rebuild(cls: type[DisclosureError], args: tuple[Any, ...]) -> DisclosureError:
    """An error of `cls` without calling its constructor; pickle then restores its attributes."""
    exc = cls.__new__(cls)
    exc.args = args
    return exc


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

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException's own reduce calls `cls(*self.args)`: wrong for keyword-only arguments
        return (_rebuild, (type(self), self.args), self.__dict__)


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


class ImportFailed(DisclosureError):
    """Input that cannot be imported as a report."""


ImportError_ = ImportFailed  # the former name (the builtin ImportError is taken)


class RenderError(DisclosureError):
    """A report that cannot be rendered (unknown agency/year, missing fonts, failed cell)."""


class BuildError(DisclosureError):
    """A batch build that cannot run (output folder locked, read-only, …)."""


class NotebookFailed(RenderError):
    """A cell raised. `notebook` is the executed notebook (an nbformat `NotebookNode`) with
    papermill's error marker; `cell_index` the failing cell's index when known."""

    def __init__(
        self,
        message: str,
        *,
        notebook: Any,
        cell_index: int | None = None,
        path: Path | str | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.notebook = notebook
        self.cell_index = cell_index


class ReportBlocked(RenderError):
    """`strict` and the report's check found errors: nothing was written (earlier outputs of
    the report were removed). `checked` is what the check found (a `batch.gate.Checked`)."""

    def __init__(self, message: str, *, checked: Any, path: Path | str | None = None) -> None:
        super().__init__(message, path=path)
        self.checked = checked


class OutputError(BuildError):
    """An output that cannot be written; `errno` says why (a full disk stops a build, a file
    name the filesystem refuses fails only its unit)."""

    def __init__(self, message: str, *, path: Path | str, errno: int | None) -> None:
        super().__init__(message, path=path)
        self.errno = errno
