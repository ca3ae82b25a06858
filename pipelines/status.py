"""What `pmo status` reports: whether the published data is current, and per source what is loaded, how fresh,
and how the last gate went.

It reads the published snapshot, never the live warehouse, so it answers while a load runs (DuckDB lets one
process write a file or many read it, not both). Only to tell whether a build is owed does it open the warehouse,
and then only while it holds the writer lock, so it can never make a starting load fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from contract.layout import current_snapshot
from contract.sources import SOURCES
from pipelines import warehouse
from pipelines.freeze import FrozenMonth, frozen_months

_PER_SOURCE = """
WITH active AS (SELECT * FROM load_log WHERE source = $source AND status IN ('loaded', 'loaded_with_quarantine')),
last AS (SELECT * FROM load_log WHERE source = $source ORDER BY loaded_at DESC, load_id LIMIT 1)
SELECT
    (SELECT rows FROM source_rows WHERE source = $source) AS rows,
    (SELECT count(*) FROM active) AS files,
    (SELECT strftime(max(loaded_at), '%Y-%m-%d %H:%M') FROM load_log WHERE source = $source) AS last_load,
    (SELECT max(as_of_date) FROM active) AS latest_as_of,
    (SELECT status FROM last) AS last_status,
    (SELECT count(*) FROM quarantine q WHERE q.load_id IN (SELECT load_id FROM active) AND NOT q.row_loaded)
        AS quarantined,
    (SELECT count(*) FROM gate_results g WHERE g.load_id = (SELECT load_id FROM last)
        AND NOT g.success AND g.severity <> 'warning') AS failed_checks,
    -- the data's age today: its latest as-of date for snapshot sources, else the last good load
    (SELECT date_diff('day', coalesce(max(as_of_date), CAST(max(loaded_at) AS DATE)), current_date) FROM active)
        AS age_days
"""


@dataclass
class Status:
    published: str  # which snapshot the figures come from, and whether it is current
    behind: bool  # a build is owed: the published figures are not yet those of the raw layer
    sources: list[tuple]  # source, rows, files, last load, latest as-of, last status, quarantined, failed checks, age
    frozen: list[FrozenMonth]


def status(db: Path) -> Status:
    snapshot = current_snapshot(db)
    version = f"v{snapshot[0]}" if snapshot else "nothing"
    try:
        with warehouse.writing(db, "reading the status", wait=False), duckdb.connect(str(db), read_only=True) as con:
            behind = warehouse.published_behind(con, db)
    except warehouse.WarehouseBusy as busy:
        line, behind = f"{busy}; the figures below are the last published ({version})", None
    else:
        line = (f"published {version}: BEHIND the raw layer ({behind}); the next pmo command finishes the build"
                if behind else f"published {version}: up to date with the raw layer")
    if snapshot is None:
        return Status(line, bool(behind), [], [])
    with duckdb.connect(str(snapshot[1]), read_only=True) as con:
        try:
            sources = [(name, *con.execute(_PER_SOURCE, {"source": name}).fetchone()) for name in SOURCES]  # type: ignore[misc]
        except duckdb.CatalogException:  # published by a release before source_rows
            sources = []
        return Status(line, bool(behind), sources, frozen_months(con, db))
