"""One file -> its staged batches in the per-load scratch DuckDB: the one place a file is staged.

A schedule or a file of a known export format goes to its handler (pipelines.formats); any other table is read
(readers.read_table), its headers mapped to a source (readers.header_map, with a user mapping file) and its
values typed (readers.conform). The formats use the readers too, so only this module sees both.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb

from contract.batch import Progress, StagedBatch
from pipelines.formats import handler_for
from pipelines.formats.schedule import Known, knows_nothing
from pipelines.readers import conform, drop_raw, header_map, load_user_map, read_table


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, *, source: str | None = None, as_of: date | None = None,
               mapping: str | None = None, baseline: bool = False, user_map: dict[str, str] | None = None,
               sheet: str | None = None, known: Known = knows_nothing,
               progress: Progress | None = None) -> list[StagedBatch]:
    """Stage one file: schedules and mapping presets go to their format handler, tables to read -> map -> type.
    `known` tells a schedule update what the warehouse holds of its project (its stored baseline)."""
    if handler := handler_for(path, mapping):
        return handler(con, path, as_of=as_of, baseline=baseline, known=known)
    # a header map: `--mapping FILE.toml` holding `[aliases]` (not a preset), else the PMO_MAPPING file
    if user_map is None and (header_file := mapping or os.environ.get("PMO_MAPPING")):
        user_map = load_user_map(header_file)
    raw = read_table(con, path, sheet=sheet, progress=progress)
    name, columns = header_map(raw.headers, source, user_map=user_map, file_name=path.name)
    if progress:
        progress(f"{path.name}: typing {raw.rows:,} {name} rows")
    batch = conform(con, name, raw.table, path.name, header_map=columns, as_of=as_of)
    drop_raw(con, raw)
    return [batch]
