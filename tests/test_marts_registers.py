"""The register marts: changes, issues, quality, documents, lessons, closure, status feed; staging rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from marts_support import (
    approx,
    index,
    insert,
    log_load,
    new_warehouse,
    one,
    plan,
    project,
    rows,
    run_build,
    status,
)

AS_OF = date(2026, 3, 31)


@pytest.fixture
def registers(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1", lifecycle_stage="Execution"),
                             project("P2", lifecycle_stage="closing", status="closed",
                                     actual_finish_date=date(2026, 3, 10), planned_finish_date=date(2026, 2, 28))])
    insert(con, "budgets", plan("P2", date(2026, 1, 1), [30_000, 30_000], [25_000, 30_000, 5_000]))
    insert(con, "status", [status("P2", date(2026, 2, 20), 80, rag="amber", forecast_finish_date=date(2026, 3, 15)),
                           status("P2", date(2026, 3, 12), 100, rag="green")])
    insert(con, "changes", [
        {"change_id": "CR1", "project_id": "P1", "title": "interface", "change_type": "scope",
         "submitted_date": date(2026, 1, 5), "decision": "approved", "decision_date": date(2026, 1, 15),
         "cost_impact": 5_000, "schedule_impact_days": 10},
        {"change_id": "CR2", "project_id": "P1", "title": "vendor", "change_type": "cost",
         "submitted_date": date(2026, 2, 1), "decision": "rejected", "decision_date": date(2026, 2, 4),
         "cost_impact": 9_000, "schedule_impact_days": 0},
        {"change_id": "CR3", "project_id": "P1", "title": "reports", "change_type": "scope",
         "submitted_date": date(2026, 2, 10), "decision": "Approved", "decision_date": date(2026, 3, 1),
         "cost_impact": 2_500, "schedule_impact_days": 5},
        {"change_id": "CR4", "project_id": "P1", "title": "later", "change_type": "scope",
         "submitted_date": date(2026, 3, 20), "decision": "approved", "decision_date": date(2026, 4, 15),
         "cost_impact": 1_000, "schedule_impact_days": 1},
    ])
    insert(con, "issues", [
        {"item_id": "I1", "project_id": "P1", "kind": "issue", "title": "env down", "status": "open",
         "raised_date": date(2026, 1, 1), "due_date": date(2026, 3, 1)},
        {"item_id": "A1", "project_id": "P1", "kind": "action", "title": "book env", "status": "closed",
         "raised_date": date(2026, 2, 10), "due_date": date(2026, 2, 15), "closed_date": date(2026, 2, 14)},
        {"item_id": "A2", "project_id": "P1", "kind": "action", "title": "later fix", "status": "closed",
         "raised_date": date(2026, 3, 1), "due_date": date(2026, 3, 20), "closed_date": date(2026, 4, 5)},
    ])
    insert(con, "documents", [
        {"project_id": "P1", "document_type": "Project Plan", "title": "Plan v3", "version": "3",
         "last_updated": date(2026, 3, 1)},
        {"project_id": "P1", "document_type": "project-plan", "title": "Plan v2", "version": "2",
         "last_updated": date(2025, 6, 1)},
        {"project_id": "P1", "document_type": "risk_register", "title": "Risks", "last_updated": date(2025, 6, 1)},
        {"project_id": "P1", "document_type": "memo", "title": "Memo", "last_updated": date(2026, 3, 2)},
    ])
    insert(con, "lessons", [{"lesson_id": "L1", "project_id": "P2", "recorded_date": date(2026, 3, 15),
                             "category": "vendor", "description": "Second source early"}])
    insert(con, "quality", [
        {"check_id": "Q1", "project_id": "P1", "check_date": date(2026, 3, 2), "check_type": "code review",
         "result": "pass", "defects_open": 5, "defects_closed": 2},
        {"check_id": "Q2", "project_id": "P1", "check_date": date(2026, 3, 20), "check_type": "code review",
         "result": "conditional", "defects_open": 3, "defects_closed": 2},
        {"check_id": "Q3", "project_id": "P1", "check_date": date(2026, 3, 9), "check_type": "test",
         "result": "fail", "defects_open": 4, "defects_closed": 0},
    ])
    run_build(con, as_of=AS_OF)
    yield con
    con.close()


def test_changes_cycle_time_and_cumulative_impact(registers):
    cr = {r["change_id"]: r for r in rows(registers, "SELECT * FROM mart_changes")}
    assert cr["CR1"]["approval_cycle_days"] == 10 and cr["CR2"]["approval_cycle_days"] == 3
    assert cr["CR3"]["decision"] == "approved" and cr["CR3"]["approval_cycle_days"] == 19
    assert [cr[c]["cumulative_approved_cost"] for c in ("CR1", "CR2", "CR3")] == [5_000, 5_000, 7_500]
    assert cr["CR3"]["cumulative_approved_schedule_days"] == 15
    # decided after the report date: still pending as of 2026-03-31, 11 days old
    assert (cr["CR4"]["decision"], cr["CR4"]["is_pending"], cr["CR4"]["pending_age_days"]) == ("pending", True, 11)
    assert cr["CR4"]["cumulative_approved_cost"] == 7_500


def test_issues_age_and_overdue(registers):
    items = {r["item_id"]: r for r in rows(registers, "SELECT * FROM mart_issues")}
    assert items["I1"]["is_open"] and items["I1"]["age_days"] == 89 and items["I1"]["age_band"] == "61-90"
    assert items["I1"]["is_overdue"] and items["I1"]["days_overdue"] == 30
    assert not items["A1"]["is_open"] and items["A1"]["age_days"] == 4 and not items["A1"]["is_overdue"]
    # closed after the report date: it was open (and overdue) as of 2026-03-31
    assert items["A2"]["is_open"] and items["A2"]["is_overdue"] and items["A2"]["age_days"] == 30


def test_quality_pass_rate_and_open_defects(registers):
    q = one(registers, "SELECT * FROM mart_quality WHERE project_id = 'P1'")
    assert (q["period"], q["checks"], q["passed"], q["failed"], q["conditional"]) == ("2026-03", 3, 1, 1, 1)
    assert q["pass_rate"] == approx((1 + 0.5) / 3)  # a conditional pass counts half
    assert q["quality_rag"] == "red"
    assert q["defects_open"] == 3 + 4  # latest code review + latest test
    assert q["defects_closed"] == 4


def test_documents_present_missing_stale(registers):
    docs = {r["document_key"]: r for r in rows(registers, "SELECT * FROM mart_documents WHERE project_id = 'P1'")}
    # execution stage requires project_plan, risk_register, status_report
    assert docs["project_plan"]["state"] == "present" and docs["project_plan"]["title"] == "Plan v3"
    assert docs["project_plan"]["documents_of_type"] == 2
    assert docs["risk_register"]["state"] == "stale"  # 303 days > 180
    assert docs["status_report"]["state"] == "missing" and docs["status_report"]["is_mandatory"]
    assert docs["memo"]["is_mandatory"] is False and docs["memo"]["state"] == "present"
    closing = {r["document_key"]: r["state"] for r in rows(registers, "SELECT * FROM mart_documents "
                                                                      "WHERE project_id = 'P2'")}
    assert closing == {"closure_report": "missing", "lessons_learned": "missing"}


def test_closure_and_lessons(registers):
    c = one(registers, "SELECT * FROM mart_closure")
    assert c["project_id"] == "P2" and c["finish_slip_days"] == 10
    assert c["bac"] == approx(60_000) and c["final_ac"] == approx(60_000)
    assert c["final_cpi"] == index(1.0) and c["cost_variance"] == approx(0.0) and c["lessons"] == 1
    # PD 2, complete in March: ES 2, AT 3
    assert (c["planned_duration_months"], c["actual_duration_months"]) == (2, 3)
    assert c["final_spi_t"] == index(2 / 3)
    lesson = one(registers, "SELECT * FROM mart_lessons")
    assert (lesson["project_name"], lesson["recorded_period"]) == ("Project P2", "2026-03")


def test_status_feed(registers):
    feed = rows(registers, "SELECT * FROM mart_status_feed ORDER BY report_date")
    assert [(f["overall_rag"], f["previous_overall_rag"], f["rag_change"]) for f in feed] == [
        ("amber", None, None), ("green", "amber", "better")]
    assert feed[0]["forecast_slip_days"] == 15 and feed[1]["progress_since_previous"] == approx(20)
    assert feed[0]["source_file"] == "status.csv"


def test_latest_load_wins_and_snapshots_are_replaced(tmp_path):
    con = new_warehouse(tmp_path)
    log_load(con, "old", "projects", "projects.csv", "loaded", datetime(2026, 1, 1))
    log_load(con, "new", "projects", "projects_fix.csv", "loaded", datetime(2026, 2, 1))
    insert(con, "projects", [project("P1", manager="Old")], load_id="new")
    insert(con, "projects", [project("P1", manager="Older")], load_id="old")
    log_load(con, "ms1", "milestones", "ms.csv", "loaded", datetime(2026, 3, 1))
    log_load(con, "ms2", "milestones", "ms_fix.csv", "loaded", datetime(2026, 3, 2))
    ms = {"project_id": "P1", "milestone_name": "m", "baseline_date": date(2026, 3, 1), "as_of_date": AS_OF}
    insert(con, "milestones", [{**ms, "milestone_id": "M1"}, {**ms, "milestone_id": "DROPPED"}], load_id="ms1")
    insert(con, "milestones", [{**ms, "milestone_id": "M1", "forecast_date": date(2026, 3, 4)}], load_id="ms2")
    run_build(con, as_of=AS_OF)
    assert one(con, "SELECT manager FROM dim_project")["manager"] == "Old"
    # the corrected export of the same as-of replaces the whole snapshot of that project
    assert [(r["milestone_id"], r["slip_days"]) for r in rows(con, "SELECT * FROM mart_milestone_slip")] == [
        ("M1", 3)]


def test_the_latest_load_per_grain_compares_the_grain_as_the_contract_normalises_it(tmp_path):
    """stg_* read latest_<source>, generated from the contract's grains (Source.keys): a budget period written
    '2026-01' and '2026/01', a blank and a missing cost category, and 'Business Case' / 'business-case' are one grain
    each, so the later load's row is the one that counts."""
    from contract.sources import SOURCES
    from pipelines.build import MODELS, latest_rows_sql, model_sql

    con = new_warehouse(tmp_path)
    log_load(con, "jan", "budgets", "budgets.csv", "loaded", datetime(2026, 1, 5))
    log_load(con, "feb", "budgets", "budgets_fix.csv", "loaded", datetime(2026, 2, 5))
    insert(con, "projects", [project("P1")])
    insert(con, "budgets", [{"project_id": "P1", "period": "2026-01", "cost_category": " ", "planned_cost": 100}],
           load_id="jan")
    insert(con, "budgets", [{"project_id": "P1", "period": "2026/01", "cost_category": None, "planned_cost": 250}],
           load_id="feb")
    log_load(con, "d1", "documents", "docs.csv", "loaded", datetime(2026, 1, 5))
    log_load(con, "d2", "documents", "docs_fix.csv", "loaded", datetime(2026, 2, 5))
    doc = {"project_id": "P1", "title": "Case"}
    insert(con, "documents", [{**doc, "document_type": "Business Case", "version": "1"}], load_id="d2")
    insert(con, "documents", [{**doc, "document_type": "business-case", "version": "0"}], load_id="d1")
    run_build(con, as_of=AS_OF)
    assert rows(con, "SELECT month, cost_category, planned_cost FROM stg_budgets") == [
        {"month": date(2026, 1, 1), "cost_category": "(none)", "planned_cost": approx(250)}]
    assert rows(con, "SELECT document_key, version FROM stg_documents") == [
        {"document_key": "business_case", "version": "1"}]
    assert "PARTITION BY r.project_id, period_month(r.period), category_key(r.cost_category)" in latest_rows_sql(
        SOURCES["budgets"])
    # no staging model decides "latest" on its own: each reads its source's generated view
    for name in (m for m in MODELS if m.startswith("stg_") and m != "stg_timesheets"):
        assert f"FROM latest_{name.removeprefix('stg_')} AS" in model_sql(name)
        assert "QUALIFY" not in model_sql(name) and "load_log" not in model_sql(name)


def test_build_runs_inside_the_callers_transaction(tmp_path):
    from pipelines.build import build

    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1")])
    con.execute("BEGIN")
    counts = build(con, as_of=AS_OF)
    assert counts["dim_project"] == 1
    con.execute("ROLLBACK")
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    assert "dim_project" not in tables and "mart_evm" not in tables
    first = run_build(con, as_of=AS_OF)
    assert run_build(con, as_of=AS_OF) == first  # rebuilding is idempotent


def test_issue_age_bands_come_from_the_config_file(registers, edited_config):
    edited_config({"age_band_days = [30, 60, 90]": "age_band_days = [14, 28]"})
    run_build(registers, as_of=AS_OF)
    items = {r["item_id"]: r for r in rows(registers, "SELECT item_id, age_days, age_band FROM mart_issues")}
    assert (items["I1"]["age_days"], items["I1"]["age_band"]) == (89, "28+")
    assert (items["A2"]["age_days"], items["A2"]["age_band"]) == (30, "28+")
    assert rows(registers, "SELECT band, min_days, max_days FROM cfg_issue_age_band ORDER BY band_rank") == [
        {"band": "0-14", "min_days": 0, "max_days": 14}, {"band": "15-28", "min_days": 15, "max_days": 28},
        {"band": "28+", "min_days": 29, "max_days": None}]
