"""Writing into an output folder: a unit's files as a worker returned them, and removing what
no params produce any more. The driver (`build.py`) and `render` record what is written here in
the manifest; the order of writes is what a build killed at any point relies on (see
`remove_entry`)."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .manifest import Entry, OutputError, write_output
from .plan import Unit
from .states import Status
from .worker import Result

# A unit whose file name the filesystem refuses fails alone; other write errors (a full
# disk, a read-only folder) stop the build.
_UNIT_ERRNOS = (errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL)


def store(output_dir: Path, unit: Unit, formats: Sequence[str], result: Result) -> Entry:
    """Write a unit's files atomically; remove the ones the result makes stale; return its
    manifest entry (with each file's stamp)."""
    names = unit.outputs()
    stamps: dict[str, dict[str, Any]] = {}
    try:
        if result.ok:
            stamps[names["ipynb"]] = write_output(output_dir / names["ipynb"], result.notebook)
            for ext, data in result.documents.items():
                stamps[names[ext]] = write_output(output_dir / names[ext], data)
        elif result.notebook and not result.blocked:
            stamps[names["failed"]] = write_output(output_dir / names["failed"], result.notebook)
    except OutputError as exc:
        if exc.errno not in _UNIT_ERRNOS:
            raise
        stamps = {}
        result = Result(False, error=str(exc), errors=result.errors, warnings=result.warnings,
                        findings=result.findings, timings=result.timings)  # fmt: skip
    # Nothing that looks successful may stay beside a failed or blocked unit, nor a format
    # not asked for this time.
    for rel in set(names.values()) - set(stamps):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            (output_dir / rel).unlink()
    status = Status.BUILT if result.ok else Status.BLOCKED if result.blocked else Status.FAILED
    return Entry(
        key=unit.key,
        fingerprint=unit.fingerprint,
        inputs=unit.inputs,
        status=status,
        formats=list(formats) if result.ok else [],
        outputs=list(stamps),
        kind=unit.kind,
        agency=unit.agency,
        year=unit.year,
        source=unit.source,
        errors=result.errors,
        warnings=result.warnings,
        first_error=result.first_check_error if result.ok or result.blocked else result.error,
        seconds=round(result.timings.get("total", 0.0), 3),
        parameters={"agency": unit.agency, "year": unit.year} if unit.agency
        else {"year": unit.year},
        versions=result.versions,
        code=result.code,
        stamps=stamps,
        findings=result.findings,
        acknowledged=result.acknowledged,
        issued=result.issued,
        figures=result.figures,
        snapshot=result.snapshot,
        profile=unit.inputs.get("profile", ""),
    )  # fmt: skip


def failed_entry(unit: Unit) -> Entry:
    """The entry of a unit that failed before reaching a worker (unreadable params file)."""
    return Entry(unit.key, unit.fingerprint, unit.inputs, Status.FAILED, [], [], kind=unit.kind,
                 agency=unit.agency, year=unit.year, source=unit.source,
                 first_error=unit.load_error)  # fmt: skip


def remove_entry(output_dir: Path, entry: Entry) -> None:
    """Delete an entry's files and the folders they leave empty. The caller forgets the
    entry only afterwards: a build killed in between finds it again and finishes."""
    for rel in entry.outputs:
        path = output_dir / rel
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()
        remove_empty_folders(output_dir, path.parent)


def remove_replaced(output_dir: Path, old: Entry | None, new: Entry) -> None:
    """Files the unit's previous entry recorded that its new one does not (the output's name
    changed: a new folder-name mapping, a format no longer asked for): removed, not left
    unlisted."""
    if old is None:
        return
    for rel in set(old.outputs) - set(new.outputs):
        path = output_dir / rel
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()
        remove_empty_folders(output_dir, path.parent)


def remove_empty_folders(output_dir: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to (not including) `output_dir` while empty."""
    root = output_dir.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents:
        try:
            os.rmdir(folder)
        except OSError:  # not empty, or gone
            return
        folder = folder.parent
