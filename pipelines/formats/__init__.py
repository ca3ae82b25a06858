"""Files that are not one canonical table: schedules and public export formats.

`handler_for(path, mapping)` is asked first by `intake.stage_file` for every file. It returns a
callable `handler(con, path, *, as_of, baseline, known) -> list[StagedBatch]` for
- `.xer` files: Primavera P6 exports (xer.py);
- `.xml` files whose root element is an MS Project `Project` (MSPDI, mspdi.py);
- tabular files when `mapping` names a preset in pipelines/mappings/ (or is a path to a preset
  TOML), or when the file's header line matches a preset's `detect` headers (presets.py);
and None for an ordinary canonical file (read by readers.read_table / conform).

A preset's companion file (e.g. SiP's est-act-dates.csv, read together with Sip-task-info.csv)
stages nothing on its own: its handler returns an empty list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from contract.batch import InputError, StagedBatch

if TYPE_CHECKING:
    from pipelines.formats.schedule import Known

Handler = Callable[..., list[StagedBatch]]
XML_SNIFF_BYTES = 4096


def handler_for(path: Path, mapping: str | None = None) -> Handler | None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xer":
        return _xer
    if suffix == ".xml":
        from pipelines.formats.mspdi import declares_dtd, is_mspdi

        with path.open("rb") as fh:
            head = fh.read(XML_SNIFF_BYTES)
        if declares_dtd(head):
            raise InputError(path.name, "xml_dtd", "the XML declares a document type (<!DOCTYPE …>): DTDs are refused "
                                                   "for safety (entity expansion, external fetches); export the "
                                                   "schedule without one")
        return _mspdi if is_mspdi(head) else None
    from pipelines.formats import presets

    if mapping:
        preset = presets.find(mapping)
        return partial(_preset, preset=preset) if preset else None
    found = presets.detect(path)
    if found is None:
        return None
    preset, is_companion = found
    return _companion if is_companion else partial(_preset, preset=preset)


def _xer(con: duckdb.DuckDBPyConnection, path: Path, *, as_of: date | None = None, baseline: bool = False,
         known: Known, **_: object) -> list[StagedBatch]:
    from pipelines.formats import schedule, xer

    return schedule.stage(con, path, xer.schedules(path, as_of=as_of), baseline=baseline, known=known)


def _mspdi(con: duckdb.DuckDBPyConnection, path: Path, *, as_of: date | None = None, baseline: bool = False,
           known: Known, **_: object) -> list[StagedBatch]:
    from pipelines.formats import mspdi, schedule

    return schedule.stage(con, path, mspdi.schedules(path, as_of=as_of), baseline=baseline, known=known)


def _preset(con: duckdb.DuckDBPyConnection, path: Path, *, preset, as_of: date | None = None,
            baseline: bool = False, **_: object) -> list[StagedBatch]:
    from pipelines.formats import presets

    return presets.stage(con, path, preset, as_of=as_of)


def _companion(con: duckdb.DuckDBPyConnection, path: Path, **_: object) -> list[StagedBatch]:
    return []
