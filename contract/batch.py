"""Types shared by readers, the quality gate and the loader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


class Progress(Protocol):
    """What a long step reports as it goes: a message, and the percent of the running statement when known."""

    def __call__(self, message: str, percent: float | None = None, /) -> None: ...


class InputError(Exception):
    """A file the product cannot accept. The message is one line naming file, row, column and rule."""

    def __init__(self, file: str, rule: str, detail: str, *, row: int | None = None, column: str | None = None):
        self.file, self.rule, self.detail, self.row, self.column = file, rule, detail, row, column
        where = ", ".join(p for p in (f"row {row}" if row else "", f"column {column!r}" if column else "") if p)
        super().__init__(f"{file}{': ' + where if where else ''}: {detail} [{rule}]")


@dataclass
class StagedBatch:
    """One source's rows of one file, staged in the per-load scratch DuckDB.

    `table` has every canonical column of the source with its canonical type (missing optional
    columns are NULL), plus `_source_row BIGINT` (1-based data row in the file) and
    `_cast_errors VARCHAR` (NULL, or e.g. "hours='abc'; work_date='31/02/2026'" for cells that
    could not be converted to the column's type; those typed cells are NULL).
    """

    source: str
    table: str
    file_name: str
    rows: int
    columns: list[str]  # canonical columns present in the file
    as_of_date: date | None = None
