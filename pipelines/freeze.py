"""Frozen months: a month as presented at its review, kept immutable beside the warehouse.

`pmo freeze --month 2026-10` builds every dim_* and mart_* as of the month's end from the raw layer as it is
now, and writes them — with cfg_*, the load log, gate results, quarantine and the published macros — into
`<db>.frozen/2026-10.v1.duckdb`, made read-only. `frozen_month` and `frozen_input` record when, by which code
(`pipelines.warehouse.code_version`) and configuration (sha256 of pmo.toml), and from which input files (the
sha256 of every file whose rows were in the warehouse). Later loads never touch that file. Freezing the month
again is refused unless `replace`: it adds v2 and v1 stays listed (no longer current).

The dashboard and `pmo report` open a frozen file exactly like a published snapshot, and compare it with the
live marts to list every figure restated since (`restatements`).
"""

from __future__ import annotations

import calendar
import hashlib
import re
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from contract import settings
from contract.layout import frozen_dir
from contract.sources import SOURCES
from pipelines import warehouse
from pipelines.build import build

# Copied into the scratch warehouse a freeze builds in: what the models read.
_INPUT_TABLES = (*(s.table for s in SOURCES.values()), "load_log", "gate_results", "quarantine")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class FreezeError(ValueError):
    """The month cannot be frozen (or found frozen); the message says why and what to do."""


@dataclass(frozen=True)
class FrozenMonth:
    month: str  # 'YYYY-MM'
    version: int
    frozen_at: datetime
    file: Path
    code_version: str
    config_sha256: str
    inputs: int  # input files recorded in frozen_input
    is_current: bool


def month_end(month: str) -> date:
    """'2026-02' -> 2026-02-28."""
    year, number = map(int, month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def freeze(month: str, *, db: Path, replace: bool = False) -> FrozenMonth:
    """Freeze `month` of the warehouse `db` as presented; return the new version's record."""
    if not _MONTH.fullmatch(month):
        raise FreezeError(f"--month {month!r}: expected YYYY-MM, e.g. 2026-10")
    if not db.exists():
        raise FreezeError(f"no warehouse at {db}: load data first (`pmo demo` or `pmo ingest FILES`)")
    with warehouse.writing(db, f"freezing {month}"), warehouse.connect(db) as con:
        latest = _report_period(con)
        if latest is None or month > latest:
            raise FreezeError(f"{month} has no figures yet: the warehouse's latest month is {latest or 'none'}")
        current = con.execute("SELECT version, frozen_at FROM frozen_month WHERE month = ? AND is_current",
                              [month]).fetchone()
        if current and not replace:
            raise FreezeError(f"{month} is already frozen (v{current[0]}, {current[1]:%Y-%m-%d %H:%M}); "
                              f"pass --replace to freeze it again (both versions stay listed)")
        version = 1 + (con.execute("SELECT coalesce(max(version), 0) FROM frozen_month WHERE month = ?",
                                   [month]).fetchone() or (0,))[0]
        folder = frozen_dir(db)
        folder.mkdir(exist_ok=True)
        for stale in folder.glob(".*.building.duckdb*"):  # a killed freeze's scratch (we hold the write lock)
            stale.unlink()
        target = folder / f"{month}.v{version}.duckdb"
        _build_as_of(con, folder / f".{month}.v{version}.building.duckdb", month_end(month), target)
        target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # immutable: later loads never change it
        frozen_at = datetime.now().replace(microsecond=0)
        config_sha = hashlib.sha256(settings.config_path().read_bytes()).hexdigest()
        con.execute("BEGIN")
        try:
            con.execute("UPDATE frozen_month SET is_current = false WHERE month = ?", [month])
            con.execute("INSERT INTO frozen_month VALUES (?, ?, ?, ?, ?, ?, true)",
                        [month, version, frozen_at, target.name, warehouse.code_version(), config_sha])
            con.execute("""INSERT INTO frozen_input
                           SELECT ?, ?, load_id, source, file_name, file_hash, loaded_at FROM load_log
                           WHERE status IN ('loaded', 'loaded_with_quarantine')""", [month, version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            target.chmod(stat.S_IWUSR | stat.S_IRUSR)
            target.unlink(missing_ok=True)
            raise
        warehouse.publish(con, db)  # the dashboard's month selector learns of the frozen month
        return next(f for f in frozen_months(con, db) if f.month == month and f.version == version)


def _report_period(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT as_of_period FROM dim_report_date").fetchone()
    except duckdb.CatalogException:  # never built
        return None
    return row[0] if row else None


def _build_as_of(con: duckdb.DuckDBPyConnection, scratch: Path, as_of: date, target: Path) -> None:
    """Copy what the models read into a scratch warehouse, build it as of `as_of` there, write `target` from
    it. The warehouse itself is only read: its marts stay those of its own report date."""
    scratch.unlink(missing_ok=True)
    con.execute("ATTACH ? AS scratch", [str(scratch)])
    try:
        for table in _INPUT_TABLES:
            con.execute(f'CREATE TABLE scratch."{table}" AS SELECT * FROM main."{table}"')
    finally:
        con.execute("DETACH scratch")
    try:
        with warehouse.connect(scratch) as built:
            build(built, as_of=as_of, own_transaction=True)
            warehouse.write_snapshot(built, target)
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)


def frozen_months(con: duckdb.DuckDBPyConnection, db: Path) -> list[FrozenMonth]:
    """Every frozen version of the warehouse at `db`, newest month first, read through `con` (the warehouse or
    a published snapshot of it: both carry frozen_month and frozen_input)."""
    try:
        rows = con.execute("""
            SELECT m.month, m.version, m.frozen_at, m.file_name, m.code_version, m.config_sha256,
                   (SELECT count(*) FROM frozen_input AS i WHERE i.month = m.month AND i.version = m.version),
                   m.is_current
            FROM frozen_month AS m ORDER BY m.month DESC, m.version DESC""").fetchall()
    except duckdb.CatalogException:  # a warehouse made before frozen months
        return []
    return [FrozenMonth(m, v, at, frozen_dir(db) / name, code, config, inputs, current)
            for m, v, at, name, code, config, inputs, current in rows]
