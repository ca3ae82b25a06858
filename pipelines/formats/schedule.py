"""Schedules (P6 XER, MS Project XML) -> canonical `projects`, `status` and `milestones` batches.

The readers (xer.py, mspdi.py) turn a file into `Schedule`s; this module writes them as text tables
in the per-load scratch DuckDB and hands those to `readers.conform`, so dates and numbers are typed by the
same code as every CSV. Every row carries `_source_row` = the line (XER) or the Task element's
ordinal (MSPDI) it came from.

Baselines (SPEC duty 1: slip = forecast - baseline):
- `pmo ingest FILE --baseline` marks the schedule as its project's baseline: each milestone's
  baseline_date is its own finish (slip 0) and its rows carry `is_baseline = true`. They are an
  ordinary milestones snapshot at the baseline's data date.
- Any other schedule load takes baseline_date per milestone from the stored baseline: the
  `is_baseline` snapshot of the same project with the latest as_of_date on or before this
  schedule's data date, which the loader reads from the warehouse (`Known`). A milestone the baseline does not have
  gets its own forecast (slip 0) and " (not in baseline)" after its name; milestones the update
  dropped are simply absent from its snapshot.
- No stored baseline for the project: the file's own baseline field (P6 target_end_date, the
  planned finish P6 keeps per activity, which many schedulers reset at each update; MSPDI
  Baseline 0 Finish), else the forecast. Slip then is only as good as those fields.
The projects row: planned start/finish are the baseline's (this file's when loaded with
--baseline); an update keeps the planned dates, name and descriptive fields the warehouse already
holds for the project (a register loaded earlier stays the master). budget_at_completion is the
schedule's cost when it is cost-loaded, else the stored BAC, else 0 (SPEC requires a value; a
schedule without costs is still a valid schedule, and EVM then shows n/a rather than a guess).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from contract.batch import InputError, StagedBatch
from pipelines.readers import conform

NOT_IN_BASELINE = " (not in baseline)"

PROJECT_COLUMNS = ("project_id", "project_name", "portfolio", "programme", "department", "sponsor", "manager",
                   "lifecycle_stage", "status", "priority", "start_date", "planned_finish_date",
                   "actual_finish_date", "budget_at_completion", "currency")
KEPT_FROM_WAREHOUSE = ("project_name", "portfolio", "programme", "department", "sponsor", "manager",
                       "lifecycle_stage", "status", "priority", "actual_finish_date", "currency")
STATUS_COLUMNS = ("project_id", "report_date", "percent_complete", "forecast_finish_date", "summary", "as_of_date")
MILESTONE_COLUMNS = ("project_id", "milestone_id", "milestone_name", "baseline_date", "forecast_date",
                     "actual_date", "is_baseline", "as_of_date")


@dataclass
class Milestone:
    milestone_id: str
    name: str
    forecast: date | None  # actual finish, else the current (early) finish
    actual: date | None
    own_baseline: date | None  # the file's own baseline field, used only when no baseline is stored
    row: int


@dataclass
class Schedule:
    kind: str  # "P6" | "MSPDI"
    project_id: str
    project_name: str
    data_date: date
    start: date | None
    finish: date | None
    budget: float | None
    currency: str | None
    percent_complete: float | None
    percent_basis: str
    milestones: list[Milestone]
    row: int


@dataclass
class Stored:
    """What the warehouse already knows about a project."""

    baseline_as_of: date | None = None
    baseline: dict[str, date | None] | None = None  # milestone_id -> baseline_date
    project: dict[str, Any] | None = None  # the raw_projects row


# (project_id, data date) -> what the warehouse knows of the project; the loader supplies it (pipelines.ingest), so a
# format never opens the warehouse itself
Known = Callable[[str, date], Stored]


def knows_nothing(_project_id: str, _data_date: date) -> Stored:
    """A first load: no warehouse yet."""
    return Stored()


def stage(con: duckdb.DuckDBPyConnection, path: Path, schedules: list[Schedule], *, baseline: bool,
          known: Known = knows_nothing) -> list[StagedBatch]:
    """Write the schedules' canonical rows to the scratch database and type them (readers.conform)."""
    name = path.name
    ids = [s.project_id for s in schedules]
    if len(set(ids)) != len(ids):
        raise InputError(name, "schedule_projects", f"two projects in the file map to the same project_id "
                                                    f"{next(i for i in ids if ids.count(i) > 1)!r}")
    projects, status, milestones = [], [], []
    for s in schedules:
        stored = known(s.project_id, s.data_date)
        projects.append((s.row, _project_row(s, stored, baseline=baseline)))
        if s.percent_complete is not None:
            status.append((s.row, [s.project_id, s.data_date, s.percent_complete, s.finish,
                                   f"{s.kind} schedule, data date {s.data_date}: {s.percent_basis}", s.data_date]))
        for m in s.milestones:
            milestones.append((m.row, _milestone_row(s, m, stored, baseline=baseline)))

    batches = []
    for source, columns, rows in (("projects", PROJECT_COLUMNS, projects), ("status", STATUS_COLUMNS, status),
                                  ("milestones", MILESTONE_COLUMNS, milestones)):
        if not rows:
            continue
        text = f"schedule_{source}_text"
        write_text_table(con, text, columns, rows)
        as_of = schedules[0].data_date if source != "projects" else None
        batches.append(conform(con, source, text, name, header_map={c: c for c in columns}, as_of=as_of))
        con.execute(f"DROP TABLE {text}")
    return batches


def _project_row(s: Schedule, known: Stored, *, baseline: bool) -> list[Any]:
    row: dict[str, Any] = dict.fromkeys(PROJECT_COLUMNS)
    row.update(project_id=s.project_id, project_name=s.project_name, status="active", currency=s.currency,
               start_date=s.start, planned_finish_date=s.finish)
    if known.project:
        row.update({k: known.project.get(k) for k in KEPT_FROM_WAREHOUSE if known.project.get(k) is not None})
        if not baseline:  # the plan is the baseline's (or the register's), not this update's forecast
            for key in ("start_date", "planned_finish_date"):
                row[key] = known.project.get(key) or row[key]
    stored_bac = known.project.get("budget_at_completion") if known.project else None
    row["budget_at_completion"] = s.budget if s.budget else (stored_bac if stored_bac is not None else 0)
    return [row[c] for c in PROJECT_COLUMNS]


def _milestone_row(s: Schedule, m: Milestone, known: Stored, *, baseline: bool) -> list[Any]:
    name, forecast = m.name, m.forecast
    if baseline:
        base = forecast
    elif known.baseline is not None:
        if m.milestone_id in known.baseline:
            base = known.baseline[m.milestone_id]
        else:
            base, name = forecast, m.name + NOT_IN_BASELINE
    else:
        base = m.own_baseline or forecast
    return [s.project_id, m.milestone_id, name, base, forecast, m.actual, baseline, s.data_date]


def stored_in(con: duckdb.DuckDBPyConnection, project_id: str, data_date: date) -> Stored:
    """The project's raw row and its baseline at `data_date`, read on a (read-only) warehouse connection."""
    columns = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_name IN ('raw_milestones', 'raw_projects')").fetchall()}
    stored = Stored()
    if ("raw_projects", "project_id") in columns:
        cur = con.execute("SELECT * FROM raw_projects WHERE project_id = ? LIMIT 1", [project_id])
        hit = cur.fetchone()
        if hit:
            stored.project = dict(zip([d[0] for d in cur.description], hit, strict=True))
    if ("raw_milestones", "is_baseline") in columns:
        latest = con.execute("SELECT max(as_of_date) FROM raw_milestones WHERE project_id = ? AND is_baseline "
                             "AND as_of_date <= ?", [project_id, data_date]).fetchone()
        as_of = latest[0] if latest else None
        if as_of is not None:
            stored.baseline_as_of = as_of
            stored.baseline = dict(con.execute(
                "SELECT milestone_id, baseline_date FROM raw_milestones WHERE project_id = ? AND is_baseline "
                "AND as_of_date = ?", [project_id, as_of]).fetchall())
    return stored


def write_text_table(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...] | list[str],
                     rows: list[tuple[int, list[Any]]]) -> None:
    """A text table as readers.read_table makes them: one VARCHAR column per header + _source_row.
    Values are bound as one list per column (parallel unnest), never spliced into the SQL."""
    selects = [f'unnest(?::VARCHAR[]) AS "{c}"' for c in columns] + ["unnest(?::BIGINT[]) AS _source_row"]
    params: list[list[Any]] = [[_text(r[i]) for _, r in rows] for i in range(len(columns))]
    params.append([n for n, _ in rows])
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(selects)}", params)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)
