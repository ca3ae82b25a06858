"""Rebuild staging and marts from raw: config -> cfg_* tables, then every model in `MODELS`, each after the models
it reads (the order is derived from the model files: build_order).

Layers (dbt style): raw_* (written by the loader) -> latest_* (TEMP views generated from the source contract: the
raw rows of the latest load per grain, see latest_rows_sql) -> stg_* (TEMP views: typed and cleaned; private to
this connection, never materialised nor published) -> int_* (TEMP tables reused within a
mart) -> dim_* / mart_* (persistent tables, copied into the dashboard's published snapshot by
`pipelines.warehouse.publish`).

Every model is one static `.sql` file in `pipelines/models/` named after the table it builds; its first
line is a comment stating the grain. Thresholds, bands and weights are never formatted into SQL: they are
written into small `cfg_*` tables with bound parameters, and the models JOIN to them.

Incremental builds (`build(con, changes=Changes(...))`, after a load): only the models that read what the load
changed are run. A model whose inputs did not change keeps its table; a rebuilt model whose table comes out the
same (compared cell for cell) changes nothing downstream. The timesheet marts, whose SQL filters by
`in_week_slice`, are refreshed for the weeks the load touched only (delete + insert of those weeks). A build whose
configuration or code differs from the last build's is a full build, and `pmo build` always is.

Transactions: `build()` does NOT open a transaction by default. It runs inside the caller's one
(`pipelines.ingest.rebuild` holds BEGIN ... COMMIT around it and publishes afterwards), so a failed build
leaves the warehouse as it was. On a bare connection pass `own_transaction=True` and build() wraps itself
in BEGIN / COMMIT (ROLLBACK on error).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from contract import settings
from contract.sources import SOURCES, Source

MODELS_DIR = Path(__file__).resolve().parent / "models"

# Executed first: temporary SQL macros the models share (not a model; builds no table), then the macros the
# published snapshot carries too (pipelines.warehouse.publish creates them there from the same file).
MACROS = "_macros"
PUBLISHED_MACROS = "_published_macros"

# The configuration sections this module turns into cfg_* tables.
CONFIG_SECTIONS = ("evm", "risk", "utilisation", "milestones", "health", "quality", "issues", "documents")
HEALTH_DRIVERS = ("cost", "schedule", "risk", "quality", "freshness")
# The scalar settings the models and the dashboard's queries read from cfg_setting (by key); each must be a
# number in the config file, which holds the only copy of every default.
REQUIRED_SETTINGS = (
    "evm.bac_tolerance", "evm.eac_move_share", "evm.index_decimals", "health.stale_after_days",
    "health.quality.window_months",
    "milestones.on_time_tolerance_days", "milestones.amber_slip_days", "milestones.red_slip_days",
    "quality.conditional_counts_as", "quality.amber_below", "quality.red_below",
    "utilisation.over_allocated_above", "utilisation.under_allocated_below",
    "utilisation.default_weekly_capacity_hours", "documents.stale_after_days",
)
HEALTH_INPUTS = {"cost": "cpi", "schedule": "spi_t", "risk": "exposure", "quality": "pass_rate",
                 "freshness": "status_age_days"}

CFG_DDL = """
CREATE OR REPLACE TABLE cfg_setting (key VARCHAR PRIMARY KEY, value VARCHAR, num DOUBLE);
CREATE OR REPLACE TABLE cfg_rag_band (rag VARCHAR PRIMARY KEY, severity INTEGER, low DOUBLE, high DOUBLE);
CREATE OR REPLACE TABLE cfg_risk_band (band VARCHAR PRIMARY KEY, band_rank INTEGER, min_score_exclusive DOUBLE,
                                       max_score DOUBLE, is_escalated BOOLEAN);
CREATE OR REPLACE TABLE cfg_risk_open_status (status VARCHAR PRIMARY KEY);
CREATE OR REPLACE TABLE cfg_health_driver (driver VARCHAR PRIMARY KEY, input VARCHAR, weight DOUBLE,
                                           full_at DOUBLE, zero_at DOUBLE, required BOOLEAN);
CREATE OR REPLACE TABLE cfg_health_band (rag VARCHAR PRIMARY KEY, min_score DOUBLE);
CREATE OR REPLACE TABLE cfg_mandatory_document (lifecycle_stage VARCHAR, document_type VARCHAR);
CREATE OR REPLACE TABLE cfg_issue_age_band (band VARCHAR PRIMARY KEY, band_rank INTEGER, min_days INTEGER,
                                            max_days INTEGER);
"""


# Read by the models of the loads' own record (dim_project_load, mart_gate_impact): every load changes them.
AUDIT_TABLES = ("load_log", "quarantine", "gate_results", "load_replaced")
# warehouse_meta key: what the last build was built from (a digest of the code and the configuration)
BUILT_FROM = "built_from"


@dataclass(frozen=True)
class Changes:
    """What the loads since the last build changed: the sources written (their rows added or replaced) and, for
    timesheets, the first and last work date of the rows added or replaced."""

    sources: frozenset[str]
    work_dates: tuple[date, date] | None = None


class BuildError(RuntimeError):
    """A model's SQL failed; the message names the model file."""


class ConfigError(ValueError):
    """The configuration file has a value the build cannot use; the message names the key."""


def model_sql(name: str) -> str:
    return (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")


def model_dependencies() -> dict[str, set[str]]:
    """Model -> the models its SQL reads. File `pipelines/models/<name>.sql` builds table (or view) `<name>`; a
    model depends on every other model its code names (comments left out)."""
    names = {path.stem for path in MODELS_DIR.glob("*.sql")} - {MACROS, PUBLISHED_MACROS}
    code = {name: re.sub(r"--[^\n]*", "", model_sql(name)) for name in names}
    return {name: {other for other in names - {name} if re.search(rf"\b{other}\b", code[name])} for name in names}


def build_order(dependencies: dict[str, set[str]]) -> tuple[str, ...]:
    """Every model after the models it reads; of those ready, the first by name (a stable, reproducible order)."""
    order: list[str] = []
    while len(order) < len(dependencies):
        done = set(order)
        ready = sorted(name for name, needs in dependencies.items() if name not in done and needs <= done)
        if not ready:
            raise BuildError(f"models read each other in a circle: {', '.join(sorted(set(dependencies) - done))}")
        order.append(ready[0])
    return tuple(order)


# The build order, derived from the models themselves: staging views, the report date, dimensions, marts.
MODELS = build_order(model_dependencies())
# The marts with a row per week (week_start) that an incremental build refreshes by week (`in_week_slice`).
WEEKLY_MARTS = tuple(name for name in MODELS if "in_week_slice(" in model_sql(name))


def build(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None, own_transaction: bool = False,
          changes: Changes | None = None) -> dict[str, int]:
    """Rebuild cfg_*, staging and marts from raw; return {model: row_count} for every model that is a table
    (staging views are not counted: counting would run them).

    `as_of` is the report date; by default the end of the latest month with any status report or booked
    actual cost. `changes`: what the loads since the last build changed, for an incremental build (see the module
    docstring); None rebuilds everything. Runs inside the caller's transaction unless `own_transaction` is True.
    """
    if not own_transaction:
        return _run_models(con, as_of, changes)
    con.execute("BEGIN")
    try:
        counts = _run_models(con, as_of, changes)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _run_models(con: duckdb.DuckDBPyConnection, as_of: date | None, changes: Changes | None) -> dict[str, int]:
    cfg = settings.config()
    load_config(con, cfg, as_of=as_of)
    con.execute(model_sql(MACROS))
    con.execute(model_sql(PUBLISHED_MACROS))
    con.execute("\n".join(latest_rows_sql(source) for source in SOURCES.values() if source.name != "timesheets"))
    built_from = code_digest(json.dumps([cfg, as_of and as_of.isoformat()], sort_keys=True, default=str).encode())
    previous = con.execute("SELECT value FROM warehouse_meta WHERE key = ?", [BUILT_FROM]).fetchone()
    _set_week_slice(con, None)
    written: dict[str, tuple[date, date] | None]  # table -> the weeks rewritten (None: all of it)
    if changes is None or previous is None or previous[0] != built_from:
        for name in MODELS:
            _run(con, name)
        written = dict.fromkeys(MODELS)
    else:
        refresh = _Refresh(con, changes)
        refresh.run()
        written = {name: refresh.weeks if name in refresh.sliced else None for name in refresh.changed}
    con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES (?, ?)", [BUILT_FROM, built_from])
    # for the publisher (pipelines.warehouse.publish): the tables whose rows this build may have changed, and of
    # a weekly mart refreshed for some weeks, the first and last of them
    con.execute("CREATE OR REPLACE TEMP TABLE built_tables (name VARCHAR, first_week DATE, last_week DATE)")
    if written:
        con.executemany("INSERT INTO built_tables VALUES (?, ?, ?)",
                        [(name, *(weeks or (None, None))) for name, weeks in sorted(written.items())])
    return {name: _scalar(con, f'SELECT count(*) FROM "{name}"') for name in MODELS  # names of model files
            if _scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])}


def _run(con: duckdb.DuckDBPyConnection, name: str, sql: str | None = None) -> None:
    try:
        con.execute(sql or model_sql(name))
    except duckdb.Error as exc:
        raise BuildError(f"model {name} ({MODELS_DIR / name}.sql) failed: {exc}") from exc


def code_digest(*extra: bytes) -> str:
    """A digest of the build's code (this module and every model's SQL) and of `extra`."""
    digest = hashlib.sha256(b"".join(extra) + Path(__file__).read_bytes())
    for model in sorted(MODELS_DIR.glob("*.sql")):
        digest.update(model.name.encode() + model.read_bytes())
    return digest.hexdigest()[:16]


def _set_week_slice(con: duckdb.DuckDBPyConnection, weeks: tuple[date, date] | None) -> None:
    """The weeks (first and last Monday) `in_week_slice` lets through: every week unless a refresh names some."""
    first, last = weeks or (date.min, date.max - timedelta(days=7))
    con.execute("SET VARIABLE week_slice_first = ?::DATE", [first])
    con.execute("SET VARIABLE week_slice_last = ?::DATE", [last])


class _Refresh:
    """An incremental build: in build order, run each model that reads something changed."""

    # A larger rebuilt table is taken as changed without comparing: the comparison would cost more than
    # rebuilding what reads it.
    COMPARED_UP_TO_ROWS = 1_000_000

    def __init__(self, con: duckdb.DuckDBPyConnection, changes: Changes):
        self.con, self.changes = con, changes
        self.needs = model_dependencies()
        self.code = {name: model_sql(name) for name in MODELS}
        audit = re.compile(rf"\b({'|'.join(AUDIT_TABLES)})\b")
        # the models reading the loads' own record: every load changes their input
        self.audit_readers = {name for name in MODELS if audit.search(re.sub(r"--[^\n]*", "", self.code[name]))}
        self.changed = {f"stg_{source}" for source in changes.sources}  # models whose rows may differ now
        self.sliced: set[str] = set()  # of those, the ones refreshed for some weeks only
        self.present: set[str] = set()  # TEMP models (staging views, int_*) created on this connection
        self.weeks: tuple[date, date] | None = None  # the weeks the timesheet marts are refreshed for

    def run(self) -> None:
        self.weeks = self._weeks() if self.changes.work_dates is not None else None  # before any table changes
        for name in MODELS:
            if name in self.audit_readers or self.needs[name] & self.changed:
                for need in self.needs[name]:
                    self._ensure(need)
                if self._is_temp(name):
                    self._ensure(name)
                    self.changed.add(name)
                elif self._by_weeks(name):
                    self._refresh_weeks(name)
                else:
                    self._rebuild(name)

    def _ensure(self, name: str) -> None:
        """A TEMP model exists on this connection (persistent tables are in the warehouse already)."""
        if self._is_temp(name) and name not in self.present:
            for need in self.needs[name]:
                self._ensure(need)
            _run(self.con, name)
            self.present.add(name)

    def _is_temp(self, name: str) -> bool:
        return "CREATE OR REPLACE TEMP " in self.code[name]

    def _by_weeks(self, name: str) -> bool:
        """Refreshed for the weeks the loads touched: the model filters by week, and all it reads that changed is
        timesheets or tables refreshed that way."""
        return (self.weeks is not None and name in WEEKLY_MARTS
                and self.needs[name] & self.changed <= {"stg_timesheets"} | self.sliced)

    def _rebuild(self, name: str) -> None:
        """Rebuild the table whole; it counts as changed unless it comes out cell for cell as before."""
        before = f"{name}__before"
        self.con.execute(f'ALTER TABLE "{name}" RENAME TO "{before}"')
        _run(self.con, name)
        rows = _scalar(self.con, f'SELECT count(*) FROM "{name}"')
        same = (rows <= self.COMPARED_UP_TO_ROWS and rows == _scalar(self.con, f'SELECT count(*) FROM "{before}"')
                and not _scalar(self.con, f'SELECT count(*) FROM (FROM "{name}" EXCEPT ALL FROM "{before}")'))
        self.con.execute(f'DROP TABLE "{before}"')
        if not same:
            self.changed.add(name)

    def _refresh_weeks(self, name: str) -> None:
        """Replace the table's rows of the touched weeks by the model's rows for them."""
        insert = re.sub(r"\A(?:\s*--[^\n]*\n)*\s*CREATE OR REPLACE TABLE \w+ AS", f'INSERT INTO "{name}"',
                        self.code[name])
        _set_week_slice(self.con, self.weeks)
        try:
            self.con.execute(f'DELETE FROM "{name}" WHERE in_week_slice(week_start)')
            _run(self.con, name, insert)
        finally:
            _set_week_slice(self.con, None)
        self.sliced.add(name)
        self.changed.add(name)

    def _weeks(self) -> tuple[date, date]:
        """The weeks whose rows the loads may have changed: those of the work dates added or replaced, and the weeks
        by which the span of timesheet weeks up to the report date grew or shrank (every employed person has a row
        in each week of the span)."""
        days = list(self.changes.work_dates or ())
        self._ensure("stg_timesheets")
        old = self.con.execute("SELECT min(week_start), max(week_start) FROM mart_utilisation").fetchone() or ()
        new = self.con.execute("SELECT min(work_date), max(work_date) FROM stg_timesheets, dim_report_date "
                               "WHERE work_date <= as_of_date").fetchone() or ()
        for before, after in zip(old, new, strict=True):
            after = after and _monday(after)
            if before != after:
                days += [d for d in (before, after) if d is not None]
        return _monday(min(days)), _monday(max(days))


def latest_rows_sql(source: Source) -> str:
    """TEMP VIEW latest_<source>: one raw row per grain of the source contract, each grain column compared through
    its normalising macro (Source.keys). A snapshot source (as_of_date in its grain) keeps, per project and as-of,
    only the load that wrote the newest snapshot: a corrected export of the same as-of replaces the whole
    snapshot. Any other source keeps the row of the latest load (then the last row of the file). Not for
    timesheets: the loader keeps raw_timesheets unique per grain as written, and its 10 M rows are not re-sorted."""
    keys = ", ".join(f"{source.keys[c]}(r.{c})" if c in source.keys else f"r.{c}" for c in source.grain)
    if "as_of_date" in source.grain:
        # the last row of the grain in that load (a window max: row_number() = 1 is rewritten by DuckDB into a
        # slow arg_max over every column when there are a million tiny partitions)
        return f"""CREATE OR REPLACE TEMP VIEW latest_{source.name} AS
            SELECT r.* FROM {source.table} AS r
            SEMI JOIN latest_snapshot_load('{source.table}') AS k ON k.project_id = r.project_id
                AND k.as_of_date = r.as_of_date AND k._load_id IS NOT DISTINCT FROM r._load_id
            QUALIFY r._source_row IS NOT DISTINCT FROM max(r._source_row) OVER (PARTITION BY {keys});"""
    return f"""CREATE OR REPLACE TEMP VIEW latest_{source.name} AS
        SELECT r.* FROM {source.table} AS r LEFT JOIN load_log AS l ON l.load_id = r._load_id
        QUALIFY row_number() OVER (PARTITION BY {keys}
            ORDER BY l.loaded_at DESC NULLS LAST, r._load_id DESC NULLS LAST, r._source_row DESC NULLS LAST) = 1;"""


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0


# --- configuration -> cfg_* tables ---------------------------------------------------------------

def load_config(con: duckdb.DuckDBPyConnection, cfg: dict[str, Any], *, as_of: date | None = None) -> None:
    """Write the config sections into cfg_* tables (values always bound, never formatted into SQL)."""
    con.execute(CFG_DDL)
    flat = dict(_flatten(cfg, CONFIG_SECTIONS))
    for key in REQUIRED_SETTINGS:  # each present and a number, or a ConfigError naming it
        section, _, name = key.rpartition(".")
        _num({name: flat[key]} if key in flat else {}, name, section)
    scalars = [(key, _text(value), _number(value)) for key, value in flat.items()]
    scalars.append(("build.as_of_date", as_of.isoformat() if as_of else None, None))
    con.executemany("INSERT INTO cfg_setting VALUES (?, ?, ?)", scalars)
    con.executemany("INSERT INTO cfg_rag_band VALUES (?, ?, ?, ?)", rag_bands(cfg))
    con.executemany("INSERT INTO cfg_risk_band VALUES (?, ?, ?, ?, ?)", risk_bands(cfg))
    open_statuses = _required(_section(cfg, "risk"), "open_statuses", "risk")
    con.executemany("INSERT INTO cfg_risk_open_status VALUES (?)", [[str(s).lower()] for s in open_statuses])
    con.executemany("INSERT INTO cfg_health_driver VALUES (?, ?, ?, ?, ?, ?)", health_drivers(cfg))
    health = _section(cfg, "health")
    con.executemany("INSERT INTO cfg_health_band VALUES (?, ?)",
                    [("green", _num(health, "green_from", "health")), ("amber", _num(health, "amber_from", "health")),
                     ("red", 0.0)])
    con.executemany("INSERT INTO cfg_issue_age_band VALUES (?, ?, ?, ?)", issue_age_bands(cfg))
    mandatory = _required(_section(cfg, "documents"), "mandatory", "documents")
    rows = [(stage, doc) for stage, docs in mandatory.items() for doc in docs]
    if rows:
        con.executemany("INSERT INTO cfg_mandatory_document VALUES (?, ?)", rows)


def rag_bands(cfg: dict[str, Any]) -> list[tuple[str, int, float, float]]:
    evm = _section(cfg, "evm")
    g_lo, g_hi = _num(evm, "green_low", "evm"), _num(evm, "green_high", "evm")
    a_lo, a_hi = _num(evm, "amber_low", "evm"), _num(evm, "amber_high", "evm")
    if not a_lo <= g_lo <= g_hi <= a_hi:
        raise ConfigError("[evm] needs amber_low <= green_low <= green_high <= amber_high")
    return [("green", 1, g_lo, g_hi), ("amber", 2, a_lo, a_hi), ("red", 3, -math.inf, math.inf)]


def risk_bands(cfg: dict[str, Any]) -> list[tuple[str, int, float, float, bool]]:
    risk = _section(cfg, "risk")
    bands = _required(risk, "bands", "risk")
    escalated = {str(b) for b in _required(risk, "escalated_bands", "risk")}
    rows, previous = [], 0.0
    for rank, band in enumerate(bands, start=1):
        name, top = str(band.get("name", "")), band.get("max")
        if not name or not isinstance(top, int | float) or top <= previous:
            raise ConfigError(f"[risk] bands[{rank - 1}] needs a name and a max above the previous band's max")
        rows.append((name, rank, previous, float(top), name in escalated))
        previous = float(top)
    if not rows:
        raise ConfigError("[risk] bands is empty")
    return rows


def issue_age_bands(cfg: dict[str, Any]) -> list[tuple[str, int, int, int | None]]:
    """[issues] age_band_days = [30, 60, 90] -> 0-30, 31-60, 61-90, 90+ (band, rank, min days, max days)."""
    bounds = _required(_section(cfg, "issues"), "age_band_days", "issues")
    whole_days = all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
    if not bounds or not whole_days or bounds != sorted(set(bounds)):
        raise ConfigError(f"{settings.config_path().name}: [issues] age_band_days must be increasing whole days")
    rows, low = [], 0
    for rank, high in enumerate(bounds, start=1):
        rows.append((f"{low}-{high}", rank, low, high))
        low = high + 1
    return [*rows, (f"{bounds[-1]}+", len(bounds) + 1, low, None)]


def health_drivers(cfg: dict[str, Any]) -> list[tuple[str, str, float, float, float, bool]]:
    health = _section(cfg, "health")
    weights = _required(health, "weights", "health")
    required = _required(health, "required_drivers", "health")
    if not isinstance(required, list) or not set(required) <= set(HEALTH_DRIVERS):
        raise ConfigError(f"{settings.config_path().name}: [health] required_drivers must list drivers of "
                          f"{', '.join(HEALTH_DRIVERS)}")
    rows = []
    for driver in HEALTH_DRIVERS:
        section = _required(health, driver, "health")
        full_at = _num(section, "full_at", f"health.{driver}")
        # freshness reaches 0 where a report turns stale
        zero_at = (_num(health, "stale_after_days", "health") if driver == "freshness"
                   else _num(section, "zero_at", f"health.{driver}"))
        weight = _num(weights, driver, "health.weights")
        if full_at == zero_at or weight < 0:
            raise ConfigError(f"[health.{driver}] needs full_at != zero_at and a weight >= 0")
        rows.append((driver, HEALTH_INPUTS[driver], weight, full_at, zero_at, driver in required))
    return rows


def _section(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    value = cfg.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _required(section: dict[str, Any], key: str, where: str) -> Any:
    if key not in section:
        raise ConfigError(f"{settings.config_path().name}: [{where}] {key} is missing")
    return section[key]


def _num(section: dict[str, Any], key: str, where: str) -> float:
    value = _required(section, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{settings.config_path().name}: [{where}] {key} must be a number, got {value!r}")
    return float(value)


def _flatten(cfg: dict[str, Any], sections: Iterable[str]) -> list[tuple[str, Any]]:
    """Scalar settings as ('section.key', value); nested tables become dotted keys; lists are skipped."""
    out: list[tuple[str, Any]] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}", value)
        elif not isinstance(node, list):
            out.append((prefix, node))

    for name in sections:
        walk(name, cfg.get(name, {}))
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, int | float) else None
