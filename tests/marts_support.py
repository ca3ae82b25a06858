"""Given/expect helpers for the mart tests: a real DuckDB warehouse file, raw rows inserted with SQL.

The ingestion pipeline is tested on its own; these tests put hand-made rows straight into the raw_* tables
(with lineage columns) so every expected number can be worked out by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from contract.layout import current_snapshot
from contract.sources import SOURCES
from pipelines import warehouse
from pipelines.build import build

REPO = Path(__file__).resolve().parents[1]
_row_numbers = itertools.count(1)


def new_warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "pmo.duckdb"))
    warehouse.ensure_schema(con)
    return con


def insert(con: duckdb.DuckDBPyConnection, source: str, rows: Iterable[Mapping[str, Any]], *,
           load_id: str | None = None, file_name: str | None = None) -> None:
    """INSERT rows (dicts of canonical columns) into raw_<source> with lineage; values always bound."""
    spec = SOURCES[source]
    allowed = {c.name for c in spec.columns}
    for row in rows:
        unknown = set(row) - allowed
        assert not unknown, f"{source} has no column(s) {unknown}"
        columns = [*row, "_load_id", "_source_file", "_file_hash", "_source_row"]
        values = [*row.values(), load_id or f"test-{source}", file_name or f"{source}.csv", "hash",
                  next(_row_numbers)]
        con.execute(f"INSERT INTO {spec.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})",
                    values)


def log_load(con: duckdb.DuckDBPyConnection, load_id: str, source: str, file_name: str, status: str,
             loaded_at: datetime, as_of_date: date | None = None) -> None:
    con.execute("INSERT INTO load_log VALUES (?, ?, ?, 'hash', ?, ?, ?, 0, 0, 0, '')",
                [load_id, source, file_name, as_of_date, loaded_at, status])


def project(project_id: str, **overrides: Any) -> dict[str, Any]:
    row = {"project_id": project_id, "project_name": f"Project {project_id}", "portfolio": "Growth",
           "programme": "Digital", "department": "IT", "manager": "Ann", "lifecycle_stage": "execution",
           "status": "active", "start_date": date(2026, 1, 1), "planned_finish_date": date(2026, 5, 31),
           "budget_at_completion": 100_000.0, "currency": "EUR"}
    row.update(overrides)
    return row


def plan(project_id: str, first_month: date, planned: list[float], actual: list[float | None] | None = None
         ) -> list[dict[str, Any]]:
    """Monthly budget rows: planned[i] (0 past the plan) and actual[i] for month first_month + i."""
    actual = actual or []
    rows = []
    for i in range(max(len(planned), len(actual))):
        year, month = divmod(first_month.month - 1 + i, 12)
        rows.append({"project_id": project_id, "period": f"{first_month.year + year}-{month + 1:02d}",
                     "cost_category": "labour", "planned_cost": planned[i] if i < len(planned) else 0.0,
                     "actual_cost": actual[i] if i < len(actual) else None})
    return rows


def status(project_id: str, report_date: date, percent: float, rag: str = "green", **extra: Any
           ) -> dict[str, Any]:
    return {"project_id": project_id, "report_date": report_date, "percent_complete": percent,
            "overall_rag": rag, "summary": f"{project_id} at {percent} %", "reported_by": "Ann", **extra}


def run_build(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> dict[str, int]:
    return build(con, as_of=as_of, own_transaction=True)


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None
        ) -> dict[str, Any]:
    """The single row a query returns, as a dict."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, f"expected one row, got {len(rows)}: {rows[:5]}"
    return dict(zip(names, rows[0], strict=True))


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None
         ) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """All rows of `sql` on the warehouse file `db`, read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def approx(value: float, tolerance: float = 1e-6) -> Any:
    """Equal to `value` within `tolerance` (money comes back as Decimal and is compared as a number)."""
    return _Near(float(value), max(tolerance, 1e-9 * abs(float(value))))


def index(value: float) -> Any:
    """An index (CPI, SPI, SPI(t), TCPI) as the marts hold it: rounded to 4 decimals."""
    return approx(round(value, 4), 1e-9)


def money(value: float) -> Any:
    """An amount the marts compute (EAC, ETC, VAC): rounded to the cent."""
    return approx(round(value, 2), 1e-6)


@dataclass(frozen=True)
class _Near:
    value: float
    tolerance: float

    def __eq__(self, actual: object) -> bool:
        return (isinstance(actual, int | float | Decimal) and not isinstance(actual, bool)
                and abs(float(actual) - self.value) <= self.tolerance)

    def __repr__(self) -> str:
        return f"{self.value} ± {self.tolerance:g}"


def query_file(name: str) -> str:
    """dashboard/queries/<name>.sql as the dashboard runs it (with its filtered_projects CTE when used)."""
    from dashboard.db import sql_text

    return sql_text(name)


def published_marts(db: Path) -> dict[str, list[tuple]]:
    """Every dim_* and mart_* table of the warehouse `db`'s current published snapshot (views of shared Parquet
    files, most of them), rows sorted."""
    snapshot = current_snapshot(db)
    assert snapshot is not None, f"nothing published for {db}"
    with duckdb.connect(str(snapshot[1]), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND regexp_matches(table_name, '^(dim|mart)_') ORDER BY 1").fetchall()]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
