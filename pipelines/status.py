"""What `pmo status` reports: per source, what is loaded, how fresh, and how the last gate went."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.sources import SOURCES

_PER_SOURCE = """
WITH active AS (SELECT * FROM load_log WHERE source = $source AND status IN ('loaded', 'loaded_with_quarantine')),
last AS (SELECT * FROM load_log WHERE source = $source ORDER BY loaded_at DESC, load_id LIMIT 1)
SELECT
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


def source_status(db: Path) -> list[tuple]:
    """One row per canonical source: source, rows, files, last load, latest as-of, last status,
    quarantined rows, failed checks of the last load, age in days."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = []
        for name, source in SOURCES.items():
            (count,) = con.execute(f"SELECT count(*) FROM {source.table}").fetchone()  # type: ignore[misc]
            rows.append((name, count, *con.execute(_PER_SOURCE, {"source": name}).fetchone()))  # type: ignore[misc]
        return rows
    finally:
        con.close()
