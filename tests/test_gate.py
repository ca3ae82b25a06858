"""The quality gate on real per-load scratch DuckDB files: every rule family, structure, references, warnings,
and the great-expectations-on-DuckDB trap that checks/gx_duckdb.py fixes.

Batches are built with plain SQL in canonical types, as pipelines/readers.py stages them. Every
gate run also checks that great-expectations and the quarantine agree on each failing row rule.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from checks import GateReport, run_gate
from checks.suites import SUITES
from contract.batch import StagedBatch
from contract.sources import SOURCES

# One valid row per source; cases override what they break. Dates are in the past (today-independent).
VALID: dict[str, dict[str, Any]] = {
    "projects": dict(project_id="P1", project_name="Alpha", status="active", start_date="2025-01-01",
                     planned_finish_date="2025-12-31", budget_at_completion=1000.0, currency="EUR"),
    "people": dict(employee_id="E1", name="Ann", team="Core", weekly_capacity_hours=40.0,
                   hourly_cost_rate=80.0, start_date="2024-01-01"),
    "timesheets": dict(employee_id="E1", project_id="P1", work_date="2025-03-03", hours=8.0, activity="dev",
                       billable=True),
    "budgets": dict(project_id="P1", period="2025-03", cost_category="labour", planned_cost=1000.0,
                    actual_cost=900.0),
    "status": dict(project_id="P1", report_date="2025-06-30", percent_complete=40.0, overall_rag="green",
                   as_of_date="2025-06-30"),
    "milestones": dict(project_id="P1", milestone_id="M1", milestone_name="Design approved",
                       baseline_date="2025-05-01", forecast_date="2025-05-20", as_of_date="2025-06-30"),
    "risks": dict(risk_id="R1", project_id="P1", title="Vendor late", probability=3, impact=4, status="open",
                  raised_date="2025-01-10", as_of_date="2025-06-30"),
    "changes": dict(change_id="C1", project_id="P1", title="Add reporting", change_type="scope",
                    submitted_date="2025-02-01", decision="approved", decision_date="2025-02-10"),
    "issues": dict(item_id="I1", project_id="P1", kind="issue", title="Server down", status="open",
                   raised_date="2025-03-01"),
    "quality": dict(check_id="Q1", project_id="P1", check_date="2025-04-01", check_type="review", result="pass",
                    defects_open=0, defects_closed=2),
    "documents": dict(project_id="P1", document_type="charter", title="Project charter",
                      last_updated="2025-01-15"),
    "lessons": dict(lesson_id="L1", project_id="P1", recorded_date="2025-05-01", category="planning",
                    description="Plan buffers"),
}


@pytest.fixture
def staging(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A scratch DuckDB file with the orchestrator's reference tables: project P1 (BAC 1000), person E1."""
    path = tmp_path / "staging.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE ref_projects (project_id VARCHAR, budget_at_completion DOUBLE)")
    con.execute("INSERT INTO ref_projects VALUES ('P1', 1000.0)")
    con.execute("CREATE TABLE ref_people (employee_id VARCHAR)")
    con.execute("INSERT INTO ref_people VALUES ('E1')")
    con.execute("CREATE TABLE ref_person_day_hours (employee_id VARCHAR, work_date DATE, hours DOUBLE)")
    con.execute("CREATE TABLE ref_budget_periods (project_id VARCHAR, planned_cost DOUBLE)")
    yield con, path
    con.close()


def stage(con: duckdb.DuckDBPyConnection, source: str, rows: list[dict[str, Any]],
          columns: list[str] | None = None) -> StagedBatch:
    """CREATE + INSERT batch_<source> in canonical types; row i gets _source_row i (1-based) unless given."""
    spec = SOURCES[source]
    table = f"batch_{source}"
    typed = [f"{c.name} {c.type}" for c in spec.columns if columns is None or c.name in columns]
    con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(typed)}, _source_row BIGINT, _cast_errors VARCHAR)")
    names = [t.split()[0] for t in typed] + ["_source_row", "_cast_errors"]
    for i, row in enumerate(rows, start=1):
        values = [row.get(n, i if n == "_source_row" else None) for n in names]
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", values)
    present = columns if columns is not None else [c.name for c in spec.columns]
    return StagedBatch(source, table, f"{source}.csv", len(rows), present)


def gate(staging: tuple[duckdb.DuckDBPyConnection, Path], source: str, rows: list[dict[str, Any]],
         columns: list[str] | None = None) -> GateReport:
    con, path = staging
    report = run_gate(con, path, stage(con, source, rows, columns))
    by_rule = dict(con.execute(f"SELECT rule, count(*) FROM {report.failures_table} GROUP BY rule").fetchall())
    for check in report.results:
        assert check.rule != "gate_self_check", check.examples
        assert not check.examples.startswith("check could not run"), (check.rule, check.examples)
        if check.severity == "row":  # GX's count and the quarantine agree, rule by rule
            assert by_rule.get(check.rule, 0) == check.unexpected_count, check
    return report


def failures(staging: tuple[duckdb.DuckDBPyConnection, Path], report: GateReport) -> set[tuple[int, str]]:
    con, _ = staging
    return set(con.execute(f"SELECT _source_row, rule FROM {report.failures_table}").fetchall())


def failed(report: GateReport) -> dict[str, Any]:
    return {c.rule: c for c in report.results if not c.success}


def rows(source: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    return [VALID[source] | change for change in changes]


# --- clean batches -------------------------------------------------------------------------------

@pytest.mark.parametrize("source", sorted(SOURCES))
def test_clean_batch_of_every_source_passes(staging, source: str) -> None:
    report = gate(staging, source, rows(source, {}))
    assert [c.rule for c in report.results if not c.success] == []
    assert report.quarantined_rows == 0 and failures(staging, report) == set()
    assert report.structural_failures == [] and report.rules_skipped == []
    assert len(report.results) == len(SUITES[source]())  # every rule of the suite was evaluated


# --- row rules: exact rows and rule names ---------------------------------------------------------

# case: (source, changes to the valid row, one dict per batch row, {(failing _source_row, rule)})
ROW_CASES = {
    "required value missing": (
        "timesheets", [{}, {"hours": None, "activity": "x", "_source_row": 7}, {"project_id": None}],
        {(7, "hours_not_null"), (3, "project_id_not_null")}),
    "cell failed type conversion": (
        "timesheets",
        [{}, {"hours": None, "activity": "x", "_cast_errors": "hours='abc'"},
         {"billable": None, "_cast_errors": "work_date='31/02/2025'; billable='maybe'", "work_date": None},
         {"activity": "y", "_cast_errors": "weekly_capacity_hours='7'"}],  # another column's name contains hours
        {(2, "hours_type_valid"), (2, "hours_not_null"), (3, "work_date_type_valid"), (3, "work_date_not_null"),
         (3, "billable_type_valid")}),
    "hours between 0 and 24": (
        "timesheets",
        [{"hours": 27.5}, {"hours": 24.0, "activity": "a"}, {"hours": -1.0, "work_date": "2025-03-04"},
         {"hours": 0.0, "activity": "b"}],
        {(1, "hours_between_0_and_24"), (3, "hours_between_0_and_24")}),
    "probability and impact 1..5": (
        "risks", [{"probability": 0}, {"risk_id": "R2", "impact": 6}, {"risk_id": "R3", "probability": 5, "impact": 1}],
        {(1, "probability_between_1_and_5"), (2, "impact_between_1_and_5")}),
    "percent complete 0..100": (
        "status", [{"percent_complete": 100.5}, {"report_date": "2025-05-31"}],
        {(1, "percent_complete_between_0_and_100")}),
    "costs not negative": (
        "budgets", [{"planned_cost": -5.0}, {"period": "2025-04", "actual_cost": -1.0},
                    {"period": "2025-05", "planned_cost": 0.0}],
        {(1, "planned_cost_ge_0"), (2, "actual_cost_ge_0")}),
    "bac not negative": ("projects", [{"budget_at_completion": -1.0}], {(1, "budget_at_completion_ge_0")}),
    "weekly capacity 0..168": (
        "people", [{"weekly_capacity_hours": 169.0}, {"employee_id": "E2"}],
        {(1, "weekly_capacity_hours_between_0_and_168")}),
    "issue kind and status vocabularies": (
        "issues", [{"kind": "bug"}, {"item_id": "I2", "status": "Closed"},
                   {"item_id": "I3", "status": "closed", "closed_date": "2025-03-05"}],
        {(1, "kind_allowed_value"), (2, "status_allowed_value")}),
    "project status vocabulary": (
        "projects", [{"status": "paused"}, {"project_id": "P2", "status": "on_hold"}],
        {(1, "status_allowed_value")}),
    "change decision vocabulary": ("changes", [{"decision": "maybe"}], {(1, "decision_allowed_value")}),
    "quality result vocabulary": ("quality", [{"result": "ok"}], {(1, "result_allowed_value")}),
    "grain: every row of a duplicated key, empty activity included": (
        "timesheets",
        [{"activity": None, "hours": 1.0}, {"activity": "dev", "hours": 1.0}, {"activity": None, "hours": 2.0},
         {"activity": "dev", "hours": 1.0}, {"activity": "test", "hours": 1.0}],
        {(1, "grain_unique"), (3, "grain_unique"), (2, "grain_unique"), (4, "grain_unique")}),
    "grain of one column": (
        "projects", [{}, {"project_id": "P2"}, {"project_name": "Again"}],
        {(1, "grain_unique"), (3, "grain_unique")}),
    "dates in order: projects": (
        "projects", [{"planned_finish_date": "2024-12-31"}, {"project_id": "P2", "actual_finish_date": "2024-06-01"},
                     {"project_id": "P3", "planned_finish_date": "2025-01-01"}],
        {(1, "planned_finish_date_not_before_start_date"), (2, "actual_finish_date_not_before_start_date")}),
    "dates in order: people": (
        "people", [{"end_date": "2023-12-31"}, {"employee_id": "E2", "end_date": "2024-01-01"}],
        {(1, "end_date_not_before_start_date")}),
    "dates in order: risks": (
        "risks", [{"closed_date": "2025-01-09", "status": "closed"}], {(1, "closed_date_not_before_raised_date")}),
    "dates in order: changes": (
        "changes", [{"decision_date": "2025-01-31"}], {(1, "decision_date_not_before_submitted_date")}),
    "dates in order: issues": (
        "issues", [{"closed_date": "2025-02-28", "status": "closed"}], {(1, "closed_date_not_before_raised_date")}),
    "period is a month": (  # YYYY-MM, YYYY/MM and YYYY-MM-DD are read (as the README says); others are not
        "budgets", [{"period": "2025-13"}, {"period": "March 2025", "cost_category": "a"},
                    {"period": "2025/03", "cost_category": "b"}, {"period": "2025-04-01", "cost_category": "d"},
                    {"period": "2025-12", "cost_category": "c", "planned_cost": 0.0}],
        {(1, "period_is_a_month"), (2, "period_is_a_month")}),
    "snapshot rows need an as-of date": (
        "milestones", [{"as_of_date": None}, {"milestone_id": "M2"}], {(1, "as_of_date_not_null")}),
    "defect counts not negative": ("quality", [{"defects_open": -1}], {(1, "defects_open_ge_0")}),
}


@pytest.mark.parametrize("source, batch, expected", ROW_CASES.values(), ids=ROW_CASES.keys())
def test_row_rules_quarantine_exactly_the_failing_rows(staging, source, batch, expected) -> None:
    report = gate(staging, source, rows(source, *batch))
    assert failures(staging, report) == expected
    assert report.quarantined_rows == len({row for row, _ in expected})
    assert report.structural_failures == []
    assert {rule for _, rule in expected} == {c.rule for c in report.row_failures}


def test_examples_name_rows_and_values(staging) -> None:
    report = gate(staging, "timesheets", rows(
        "timesheets", {"hours": 30.0, "_source_row": 9}, {"hours": 27.5, "activity": "x", "_source_row": 3},
        {"hours": None, "activity": "y", "_cast_errors": "hours='abc'", "_source_row": 4}))
    checks = failed(report)
    assert checks["hours_between_0_and_24"].examples == "row 3: 27.5; row 9: 30.0"
    assert checks["hours_between_0_and_24"].expectation == "ExpectColumnValuesToBeBetween"
    assert checks["hours_between_0_and_24"].column == "hours"
    assert checks["hours_type_valid"].examples == "row 4: hours='abc'"
    assert checks["hours_not_null"].examples == "row 4: hours='abc'"


# --- references and cross-source rules ------------------------------------------------------------

def test_unknown_project_and_person_are_quarantined_by_anti_join(staging) -> None:
    report = gate(staging, "timesheets", rows("timesheets", {}, {"project_id": "P404"}, {"employee_id": "E404"},
                                              {"project_id": "P404", "employee_id": "E404", "activity": "x"}))
    assert failures(staging, report) == {(2, "project_id_known"), (3, "employee_id_known"),
                                         (4, "project_id_known"), (4, "employee_id_known")}
    checks = failed(report)
    assert checks["project_id_known"].expectation == "UnexpectedRowsExpectation"
    assert checks["project_id_known"].examples == "row 2: P404; row 4: P404"


def test_great_expectations_runs_each_query_rule_once_and_only_counts_its_rows(staging) -> None:
    """A query rule is one COUNT(*) of its query (GX would also fetch its first 200 rows, unused: the gate quotes
    and quarantines from the same query); its count still decides, and the gate's self-check still compares."""
    import sqlalchemy as sa
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def seen(conn, cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", seen)
    try:
        report = gate(staging, "timesheets", rows("timesheets", {}, {"project_id": "P404"}, {"project_id": "P404"}))
    finally:
        sa.event.remove(Engine, "before_cursor_execute", seen)
    queried = [c for c in report.results if c.expectation == "UnexpectedRowsExpectation"]
    assert len(queried) >= 5
    known = next(c for c in queried if c.rule == "project_id_known")
    assert (known.success, known.unexpected_count) == (False, 2)
    anti_join = [s for s in statements if "ANTI JOIN ref_projects" in s]
    assert len(anti_join) == 1 and anti_join[0].startswith("SELECT COUNT(*) as unexpected_row_count FROM (")
    assert "gate_self_check" not in {c.rule for c in report.results}


def test_projects_batch_has_no_project_reference_rule(staging) -> None:
    report = gate(staging, "projects", rows("projects", {"project_id": "NEW-1"}))
    assert report.quarantined_rows == 0
    assert "project_id_known" not in {c.rule for c in report.results}


def test_person_day_hours_over_24_across_files_quarantines_that_day(staging) -> None:
    con, _ = staging
    con.execute("INSERT INTO ref_person_day_hours VALUES ('E1', '2025-03-03', 10), ('E1', '2025-03-04', 2)")
    report = gate(staging, "timesheets", rows(
        "timesheets",
        {"hours": 8.0, "activity": "a"}, {"hours": 7.0, "activity": "b"},  # 10 loaded + 15 = 25 > 24
        {"work_date": "2025-03-04", "hours": 22.0},  # 2 + 22 = 24: fine
        {"work_date": "2025-03-05", "hours": 20.0, "activity": "a"},  # 20 + 30 (itself invalid) stays 20
        {"work_date": "2025-03-05", "hours": 30.0, "activity": "b"}))
    assert failures(staging, report) == {(1, "person_day_hours_le_24"), (2, "person_day_hours_le_24"),
                                         (5, "hours_between_0_and_24")}
    assert failed(report)["person_day_hours_le_24"].examples.startswith(
        "row 1: E1 on 2025-03-03 logs 25.0 h (10.0 h already loaded)")


def test_budget_far_from_bac_is_a_warning_not_a_quarantine(staging) -> None:
    con, _ = staging
    con.execute("INSERT INTO ref_projects VALUES ('P2', 1000.0), ('P3', 500.0)")
    con.execute("INSERT INTO ref_budget_periods VALUES ('P1', 600.0), ('P2', 500.0)")
    report = gate(staging, "budgets", rows(
        "budgets",
        {"planned_cost": 400.0},  # P1: 600 loaded + 400 = 1000 = BAC
        {"project_id": "P2", "planned_cost": 520.0},  # P2: 500 + 520 = 1020, 2 % over
        {"project_id": "P3", "planned_cost": 504.0}))  # P3: 504 vs 500, 0.8 %: within 1 %
    assert report.quarantined_rows == 0
    warning = failed(report)["budget_sums_to_bac"]
    assert (warning.severity, warning.unexpected_count) == ("warning", 1)
    assert warning.examples == "P2 planned 1020.0 vs BAC 1000.0"
    assert report.warnings == [warning] and report.structural_failures == []


def test_budget_tolerance_comes_from_the_configuration_file(staging, edited_config) -> None:
    edited_config({"bac_tolerance = 0.01": "bac_tolerance = 0.05"})
    report = gate(staging, "budgets", rows("budgets", {"planned_cost": 1030.0}))  # 3 %: fine at 5 %
    assert "budget_sums_to_bac" not in failed(report)


def test_future_actual_finish_and_closed_without_finish_are_warnings(staging) -> None:
    future = date.today().replace(year=date.today().year + 1).isoformat()
    report = gate(staging, "projects", rows("projects", {"actual_finish_date": future},
                                            {"project_id": "P2", "status": "closed"}))
    checks = failed(report)
    assert set(checks) == {"actual_finish_date_not_in_future", "closed_project_has_actual_finish"}
    assert checks["actual_finish_date_not_in_future"].examples == f"row 1: {future}"
    assert checks["closed_project_has_actual_finish"].examples == "row 2: P2"
    assert {c.severity for c in checks.values()} == {"warning"} and report.quarantined_rows == 0


# --- structural failures reject the batch ---------------------------------------------------------

def test_missing_required_column_is_structural(staging) -> None:
    columns = [c.name for c in SOURCES["timesheets"].columns if c.name != "hours"]
    report = gate(staging, "timesheets", rows("timesheets", {}), columns=columns)
    [failure] = report.structural_failures
    assert (failure.rule, failure.column, failure.expectation) == ("required_column_present", "hours",
                                                                   "ExpectColumnToExist")
    assert failure.examples.startswith("column 'hours' is not in the file")
    assert "hours_between_0_and_24" in report.rules_skipped  # nothing is checked on a column that is not there


def test_required_column_in_table_but_not_in_file_is_structural(staging) -> None:
    columns = [c.name for c in SOURCES["projects"].columns if c.name != "budget_at_completion"]
    con, path = staging
    batch = stage(con, "projects", rows("projects", {}))  # the table has the column (NULL), the file did not
    batch.columns = columns
    report = run_gate(con, path, batch)
    assert [(c.rule, c.column) for c in report.structural_failures] == [("required_column_present",
                                                                         "budget_at_completion")]


def test_required_column_entirely_unconvertible_is_structural(staging) -> None:
    report = gate(staging, "timesheets", rows(
        "timesheets", {"hours": None, "_cast_errors": "hours='eight'"},
        {"hours": None, "activity": "x", "_cast_errors": "hours='n.a.'; billable='?'"},
        {"hours": None, "activity": "y"}))
    [failure] = report.structural_failures
    assert (failure.rule, failure.column) == ("required_column_convertible", "hours")
    assert failure.examples == "no value converts to a number, e.g. hours='eight'; hours='n.a.'"


def test_required_column_entirely_empty_is_structural(staging) -> None:
    report = gate(staging, "projects", rows("projects", {"budget_at_completion": None},
                                            {"project_id": "P2", "budget_at_completion": None}))
    assert [(c.rule, c.column, c.examples) for c in report.structural_failures] == [
        ("required_column_has_values", "budget_at_completion", "all 2 values are empty")]


def test_partly_unconvertible_column_is_not_structural(staging) -> None:
    report = gate(staging, "timesheets", rows("timesheets", {}, {"hours": None, "activity": "x",
                                                                 "_cast_errors": "hours='eight'"}))
    assert report.structural_failures == [] and report.quarantined_rows == 1


def test_zero_rows_is_structural(staging) -> None:
    report = gate(staging, "lessons", [])
    assert [c.rule for c in report.structural_failures] == ["batch_not_empty"]


def test_a_rule_that_cannot_run_rejects_the_batch(staging) -> None:
    con, _ = staging
    con.execute("DROP TABLE ref_people")
    con.execute("CREATE TABLE ref_people (person VARCHAR)")  # wrong shape: the anti-join cannot run
    report = run_gate(con, staging[1], stage(con, "timesheets", rows("timesheets", {})))
    [failure] = report.structural_failures
    assert failure.rule == "employee_id_known" and failure.examples.startswith("check could not run")


# --- connections, transactions and the GX-on-DuckDB trap -----------------------------------------

def test_orchestrator_can_write_close_and_delete_after_the_gate(staging, tmp_path) -> None:
    con, path = staging
    report = gate(staging, "timesheets", rows("timesheets", {}, {"hours": 99.0, "activity": "x"}))
    other = tmp_path / "warehouse.duckdb"
    con.execute("ATTACH ? AS wh", [str(other)])  # what pipelines/ingest.py does next
    con.execute("BEGIN")
    con.execute("CREATE TABLE wh.raw AS SELECT * FROM batch_timesheets ANTI JOIN "
                f"{report.failures_table} USING (_source_row)")
    con.execute("COMMIT")
    con.execute("DETACH wh")
    assert con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall() == []
    con.close()
    # A connection with another configuration only opens if no GX cursor keeps the database alive.
    duckdb.connect(str(path), config={"threads": 1}).close()
    path.unlink()
    assert duckdb.connect(str(other), read_only=True).execute("SELECT count(*) FROM raw").fetchone() == (1,)


def test_gate_refuses_a_connection_inside_a_transaction(staging) -> None:
    con, path = staging
    batch = stage(con, "lessons", rows("lessons", {}))
    con.execute("BEGIN")
    with pytest.raises(RuntimeError, match="open transaction"):
        run_gate(con, path, batch)
    con.execute("ROLLBACK")


def test_gate_runs_twice_on_the_same_scratch_file(staging) -> None:
    first = gate(staging, "timesheets", rows("timesheets", {"hours": 25.0}))
    second = gate(staging, "timesheets", rows("timesheets", {}, {"activity": "x"}))
    assert (first.quarantined_rows, second.quarantined_rows) == (1, 0)


def test_gx_duckdb_trap_still_present_and_fixed(staging, monkeypatch) -> None:
    """Fails when upstream changes: GX 1.24 + duckdb-engine lose every result; our patch keeps them.

    If the first assertion fails, GX or duckdb-engine fixed the trap (SPEC section 4) and the patch
    in checks/gx_duckdb.py can go.
    """
    import sqlalchemy as sa
    from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

    from checks import gx_duckdb

    con, path = staging
    gate(staging, "lessons", rows("lessons", {}))  # applies the patch, as the pipeline does
    assert gx_duckdb.is_applied()
    gx_duckdb.apply()  # idempotent
    assert SqlAlchemyExecutionEngine.get_connection.__wrapped__ is gx_duckdb.ORIGINAL_GET_CONNECTION

    def count_lessons() -> list:
        engine = SqlAlchemyExecutionEngine(connection_string=f"duckdb:///{path}", **gx_duckdb.engine_kwargs(con))
        try:
            return list(engine.execute_query(sa.text("SELECT count(*) FROM batch_lessons")).fetchall())
        finally:
            if engine._connection is not None:
                engine._connection.close()
            engine.engine.dispose()

    assert count_lessons() == [(1,)]
    with monkeypatch.context() as unpatched:
        unpatched.setattr(SqlAlchemyExecutionEngine, "get_connection", gx_duckdb.ORIGINAL_GET_CONNECTION)
        assert count_lessons() == []  # the upstream trap: no metric rows
    assert count_lessons() == [(1,)]


def test_plain_duckdb_engine_cannot_share_the_orchestrators_file(staging) -> None:
    """Why GX gets cursors of `con`: duckdb-engine's own connect adds a user agent, a different config."""
    import sqlalchemy as sa

    _, path = staging
    engine = sa.create_engine(f"duckdb:///{path}")
    with pytest.raises(sa.exc.DBAPIError, match="different configuration"):
        engine.connect()
    engine.dispose()


def test_importing_checks_does_not_import_great_expectations() -> None:
    code = "import sys, checks; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "False"


# --- the suites themselves -------------------------------------------------------------------------

@pytest.mark.parametrize("source", sorted(SOURCES))
def test_suite_rules_are_named_once_and_described(source: str) -> None:
    rules = SUITES[source]()
    keys = [(r.rule, r.column) for r in rules]
    assert len(keys) == len(set(keys))
    assert all(r.description and r.severity in ("structural", "row", "warning") for r in rules)
    assert all(r.query is not None for r in rules if r.severity == "row")
    required = set(SOURCES[source].required)
    assert {r.column for r in rules if r.rule == "required_column_present"} == required
    defaulted = {c.name for c in SOURCES[source].columns if c.defaulted}  # a blank takes pmo.toml's default
    assert {r.column for r in rules if r.rule.endswith("_not_null")} >= required - defaulted
    assert {r.column for r in rules if r.rule.endswith("_blank_takes_default")} == defaulted
