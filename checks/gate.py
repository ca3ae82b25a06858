"""The quality gate: validate one staged batch with great-expectations, inside DuckDB.

`run_gate(con, scratch_file, batch)` runs the suite of the batch's source (checks/suites.py) with
GX's SQL datasource on the per-load scratch DuckDB file and returns a `GateReport`: one `CheckResult` per
rule, plus a table in the scratch database listing every failed row x rule, which the loader
uses to quarantine those rows and load the rest. How a rule is single-sourced between GX and the
failures table is explained in checks/rules.py; the GX-on-DuckDB fix is in checks/gx_duckdb.py.

Contract with the orchestrator (pipelines/ingest.py):
- `con` is the orchestrator's connection to `scratch_file`, in autocommit mode (no open
  transaction): GX reads through cursors of `con`, which only see committed tables. run_gate
  raises RuntimeError otherwise.
- The batch table and the reference tables (`ref_projects`, `ref_people`, `ref_person_day_hours`,
  `ref_budget_periods`) are in the scratch database; a missing reference table is created empty.
- While it runs, run_gate creates the view `<table>__gate` (the batch without the required
  columns the file lacks, so GX sees them missing) and drops it before returning. It leaves
  `<table>__gate_failures`. Every GX connection is closed before it returns, so the orchestrator
  can attach the warehouse, write, close `con` and delete the file.

great_expectations is imported on first use, never at import time of this module, and without executing the
modules of scipy and altair its distribution and KL-divergence expectations import at import time and the gate
never runs (they load on first use; about 1 s of GX's 2.5-3.5 s import on two cores: bench/ingest).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from checks import rules as r
from checks.suites import suite
from contract.batch import StagedBatch
from contract.sources import MONEY, NUMBER, SOURCES

STRUCTURAL, ROW, CELL, WARNING = r.STRUCTURAL, r.ROW, r.CELL, r.WARNING
EXAMPLES = 5
EXAMPLES_MAX_CHARS = 400

REFERENCE_TABLES = {
    "ref_projects": f"project_id VARCHAR, budget_at_completion {MONEY}",
    "ref_people": "employee_id VARCHAR",
    "ref_person_day_hours": f"employee_id VARCHAR, work_date DATE, hours {NUMBER}",
    "ref_budget_periods": f"project_id VARCHAR, planned_cost {MONEY}",
}

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOCK = threading.Lock()  # one GX context per process; its datasource registry is not thread-safe
_CONTEXT: Any = None


@dataclass
class CheckResult:
    expectation: str  # GX expectation class name, e.g. "ExpectColumnValuesToBeBetween"
    rule: str  # our readable rule id, e.g. "hours_between_0_and_24"
    column: str | None
    severity: str  # structural (rejects the batch) | row (quarantines failing rows) | warning
    success: bool
    unexpected_count: int
    examples: str  # first failing values with row numbers, e.g. "row 3: 27.5; row 9: 30.0"


@dataclass
class GateReport:
    source: str
    results: list[CheckResult]
    # (_source_row BIGINT, rule VARCHAR, column_name VARCHAR, row_loaded BOOLEAN): one row per failed row x rule;
    # row_loaded marks a cell rule's entry, whose row loads with that cell empty
    failures_table: str
    quarantined_rows: int = 0  # distinct _source_row held back (not row_loaded) in failures_table
    quarantined_cells: int = 0  # entries of cell rules
    rules_skipped: list[str] = field(default_factory=list)  # rules whose columns the file lacks

    @property
    def structural_failures(self) -> list[CheckResult]:
        return [c for c in self.results if c.severity == STRUCTURAL and not c.success]

    @property
    def row_failures(self) -> list[CheckResult]:
        return [c for c in self.results if c.severity == ROW and not c.success]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.results if c.severity == WARNING and not c.success]


def run_gate(con: duckdb.DuckDBPyConnection, scratch_file: Path, batch: StagedBatch) -> GateReport:
    """Validate `batch.table` in the scratch database with the suite of `batch.source`."""
    if batch.source not in SOURCES:
        raise ValueError(f"unknown source {batch.source!r}")
    if not _IDENTIFIER.match(batch.table):
        raise ValueError(f"batch table {batch.table!r} is not a plain identifier")
    _require_no_open_transaction(con)
    for name, columns in REFERENCE_TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")

    view, failures = f"{batch.table}__gate", f"{batch.table}__gate_failures"
    table_columns = [row[0] for row in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position", [batch.table]).fetchall()]
    if not table_columns:
        raise ValueError(f"no table {batch.table!r} in {scratch_file}")
    missing = [c for c in SOURCES[batch.source].required if c not in batch.columns or c not in table_columns]
    visible = set(table_columns) - set(missing)
    hidden = [c for c in missing if c in table_columns]
    exclude = f" EXCLUDE ({', '.join(hidden)})" if hidden else ""
    # Rules read `_withheld` (cells a publisher declined to give, set by pipelines/formats presets) on every batch.
    withheld = "" if "_withheld" in table_columns else ", CAST(NULL AS VARCHAR) AS _withheld"
    all_rules = suite(batch.source) + [r.withheld_by_source(c) for c in _withheld_columns(con, batch, table_columns)]
    if "_extra_fields" in table_columns:  # the file has rows longer than its header (pipelines.readers)
        all_rules.append(r.no_extra_fields())
    if "_overlong_line" in table_columns:  # the file has lines over the length limit (pipelines.readers)
        all_rules.append(r.line_within_limit())
    checked = [rule for rule in all_rules if set(rule.needs) <= visible]
    skipped = [rule.rule for rule in all_rules if not set(rule.needs) <= visible]

    con.execute(f"CREATE OR REPLACE TABLE {failures} "
                f"(_source_row BIGINT, rule VARCHAR, column_name VARCHAR, row_loaded BOOLEAN)")
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT *{exclude}{withheld} FROM {batch.table}")
    try:
        outcomes = _validate(con, scratch_file, batch.source, view, checked)
        results: list[CheckResult] = []
        for rule, (success, count, error) in zip(checked, outcomes, strict=True):
            results += _result(con, view, failures, rule, success, count, error, batch.columns)
    finally:
        con.execute(f"DROP VIEW IF EXISTS {view}")
    rows, cells = con.execute(f"SELECT count(DISTINCT _source_row) FILTER (NOT row_loaded), "
                              f"count(*) FILTER (row_loaded) FROM {failures}").fetchone()  # type: ignore[misc]
    return GateReport(batch.source, results, failures, int(rows), int(cells), skipped)


def _withheld_columns(con: duckdb.DuckDBPyConnection, batch: StagedBatch, table_columns: list[str]) -> list[str]:
    """The canonical columns with at least one withheld cell in the batch."""
    if "_withheld" not in table_columns:
        return []
    mentioned = {row[0] for row in con.execute(
        f"SELECT DISTINCT unnest(regexp_extract_all(_withheld, '(?:^|; )([a-z_]+)=', 1)) FROM {batch.table}"
    ).fetchall()}
    return [c.name for c in SOURCES[batch.source].columns if c.name in mentioned]


# --- great-expectations --------------------------------------------------------------------------

# Imported by great_expectations at import time for expectations the gate never runs.
DEFERRED = ("scipy.", "altair")


class _Deferred(importlib.abc.MetaPathFinder):
    """Imports the pure-Python modules named by DEFERRED lazily: a module runs on first attribute access."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith(DEFERRED):
            return None
        sys.meta_path.remove(self)  # the real spec, from the finders after this one
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None and str(spec.origin).endswith(".py"):
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def load_great_expectations() -> Any:
    """great_expectations, imported once with the DEFERRED modules loading lazily."""
    if "great_expectations" not in sys.modules:
        deferred = _Deferred()
        sys.meta_path.insert(0, deferred)
        try:
            import great_expectations  # noqa: F401
        finally:
            sys.meta_path.remove(deferred)
    return sys.modules["great_expectations"]


def _context() -> Any:
    """The process's ephemeral GX context, created on first use, with the DuckDB fix applied."""
    global _CONTEXT
    if _CONTEXT is None:
        gx = load_great_expectations()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from checks import gx_duckdb

        gx_duckdb.apply()
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _CONTEXT = context
    return _CONTEXT


def _validate(con: duckdb.DuckDBPyConnection, scratch_file: Path, source: str, view: str,
              checked: list[r.Rule]) -> list[tuple[bool, int, str | None]]:
    """(success, unexpected count, error) per rule, in order, from one GX validation of `view`."""
    with _LOCK:
        from checks import gx_duckdb

        gx = load_great_expectations()
        context = _context()
        name = f"scratch_{uuid.uuid4().hex[:12]}"
        datasource = context.data_sources.add_sql(
            name, connection_string=f"duckdb:///{Path(scratch_file).resolve()}", kwargs=gx_duckdb.engine_kwargs(con))
        try:
            asset = datasource.add_table_asset(view, table_name=view)
            batch = asset.add_batch_definition_whole_table("whole").get_batch()
            expectations = [rule.gx_expectation({"gate_rule": i}) for i, rule in enumerate(checked)]
            validation = batch.validate(gx.ExpectationSuite(name=f"{source}_gate", expectations=expectations),
                                        result_format={"result_format": "BASIC", "partial_unexpected_count": 1})
        finally:
            gx_duckdb.release(datasource)
            context.data_sources.delete(name)
    outcomes: list[tuple[bool, int, str | None]] = [(False, 0, "not evaluated by great-expectations")] * len(checked)
    for evr in validation.results:
        index = int(evr.expectation_config.meta["gate_rule"])
        outcomes[index] = (bool(evr.success), _unexpected_count(checked[index], evr), _error(evr))
    return outcomes


def _unexpected_count(rule: r.Rule, evr: Any) -> int:
    result = evr.result or {}
    if rule.expectation == r.URE:
        return int(result.get("observed_value") or 0)
    if "unexpected_count" in result:
        return int(result["unexpected_count"] or 0)
    return 0 if evr.success else 1


def _error(evr: Any) -> str | None:
    """GX's exception message when an expectation could not be evaluated, else None."""
    info = evr.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():  # keyed by metric when metrics failed
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


# --- results and failing rows --------------------------------------------------------------------

def _result(con: duckdb.DuckDBPyConnection, view: str, failures: str, rule: r.Rule, success: bool, count: int,
            error: str | None, columns: list[str]) -> list[CheckResult]:
    if error is not None:  # a rule that could not run cannot quarantine: the batch is rejected
        severity = WARNING if rule.severity == WARNING else STRUCTURAL
        return [CheckResult(rule.expectation, rule.rule, rule.column, severity, False, count,
                            _clip(f"check could not run: {error}"))]
    result = CheckResult(rule.expectation, rule.rule, rule.column, rule.severity, success, count, "")
    if success:
        return [result]
    if rule.query is None:
        result.examples = (f"column {rule.column!r} is not in the file (it has: {', '.join(columns) or 'none'})"
                           if rule.expectation == "ExpectColumnToExist" else "the file has no data rows")
        return [result]
    query = rule.query.format(batch=view)
    rows = con.execute(f"SELECT _source_row, value FROM ({query}) q "
                       f"ORDER BY _source_row NULLS LAST, value LIMIT {EXAMPLES}").fetchall()
    result.examples = _clip("; ".join(
        (f"row {row}: " if row is not None else "") + (str(value) if value is not None else "(empty)")
        for row, value in rows))
    if rule.severity not in (ROW, CELL):
        return [result]
    inserted = con.execute(f"INSERT INTO {failures} SELECT _source_row, ?, ?, ? FROM ({query}) q",
                           [rule.rule, rule.column, rule.severity == CELL]).fetchone()
    selected = int(inserted[0]) if inserted else 0
    if selected == count:
        return [result]
    return [result, CheckResult(rule.expectation, "gate_self_check", rule.column, STRUCTURAL, False,
                                abs(selected - count),
                                f"{rule.rule}: great-expectations counted {count} failing rows, "
                                f"the quarantine query selected {selected}")]


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLES_MAX_CHARS else text[: EXAMPLES_MAX_CHARS - 1] + "…"


def _require_no_open_transaction(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException as err:
        raise RuntimeError("run_gate needs `con` without an open transaction: great-expectations reads "
                           "through other cursors of the same database, which only see committed tables; "
                           "COMMIT first") from err
    con.execute("ROLLBACK")
