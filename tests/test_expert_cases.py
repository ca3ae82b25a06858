"""The expert cases an analyst is challenged on in the review, each through the real pipeline (`pmo ingest` of
small hand-made files, or the demo warehouse), with the numbers worked out by hand."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest
from marts_support import query

from dashboard import i18n
from dashboard.filters import Filters
from dashboard.metrics import overview, project, schedule
from pipelines import ingest
from pipelines.demo import STORIES

PROJECTS = """project_id,project_name,portfolio,status,start_date,planned_finish_date,budget_at_completion,currency
Q,Quarantined plan,Growth,active,2026-05-01,2026-08-31,60000,EUR
F,Formats,Growth,active,2026-01-01,2026-02-28,30000,EUR
"""
PEOPLE = """employee_id,name,team,weekly_capacity_hours,start_date,end_date
E1,Ann,Platform,40,2025-01-01,
E3,Cai,Platform,,2025-01-01,
E4,Dev,Platform,40,2025-01-01,2026-02-27
"""
# Q: 10,000 / 10,000 / 20,000 planned in May-July and 20,000 in August, whose amount is unreadable: without that
# row BAC would read 40,000 instead of 60,000 and CPI/SPI would be coloured on a wrong BAC.
BUDGETS = """project_id,period,cost_category,planned_cost,actual_cost
Q,2026-05,labour,10000,9000
Q,2026-06,labour,10000,12000
Q,2026-07,labour,20000,19000
Q,2026-08,labour,n/k,
F,2026/01,labour,10000,10000
F,2026-02-01,labour,20000,15000
"""
STATUS = """project_id,report_date,percent_complete,overall_rag
Q,2026-07-31,50,green
F,2026-02-27,60,green
"""
# the week of Monday 2 March 2026: Ann 8 h, Cai (blank capacity -> 40 h) 16 h, Dev 8 h after leaving on 27 Feb
TIMESHEETS = """employee_id,project_id,work_date,hours,activity,billable
E1,F,2026-03-02,8,build,yes
E3,F,2026-03-03,16,build,yes
E4,F,2026-03-02,8,build,no
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("expert")
    files = []
    for name, text in (("projects", PROJECTS), ("people", PEOPLE), ("budgets", BUDGETS), ("status", STATUS),
                       ("timesheets", TIMESHEETS)):
        path = folder / "in" / f"{name}.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    db = folder / "pmo.duckdb"
    results = {r.source: r for r in ingest.ingest_paths(files, db=db)}
    assert {s: r.status for s, r in results.items()} == {
        "projects": "loaded", "people": "loaded", "budgets": "loaded_with_quarantine", "status": "loaded",
        "timesheets": "loaded"}
    assert (results["budgets"].rows_quarantined, results["people"].rows_quarantined) == (1, 0)
    return db


def test_a_quarantined_budget_row_greys_every_month_of_its_project(loaded: Path) -> None:
    rows = query(loaded, "SELECT period, bac, cpi_rag, spi_rag, spi_t_rag, budgets_gate_failed FROM mart_evm "
                         "WHERE project_id = 'Q' AND NOT is_future ORDER BY period")
    # the plan that loaded sums to 40,000 (the unreadable August row is quarantined): no month may be coloured
    assert [r[0] for r in rows] == ["2026-05", "2026-06", "2026-07"]
    assert all(r[1] == 40_000 and r[2:5] == ("grey", "grey", "grey") and r[5] for r in rows)
    health = query(loaded, "SELECT period, computed_rag, health_score, grey_reason FROM mart_health "
                           "WHERE project_id = 'Q' ORDER BY period")
    assert [(p, rag, score) for p, rag, score, _ in health] == [(p, "grey", None) for p in ("2026-05", "2026-06",
                                                                                              "2026-07")]
    assert all("budgets failed the quality gate" in reason for *_, reason in health)


def test_periods_written_yyyy_slash_mm_or_as_a_date_are_read(loaded: Path) -> None:
    # F: 2026/01 10,000 and 2026-02-01 20,000 -> PV 10,000 then 30,000; 60 % of 30,000 = EV 18,000
    assert query(loaded, "SELECT period, pv, ac FROM mart_evm WHERE project_id = 'F' AND period <= '2026-02' "
                         "ORDER BY period") == [
        ("2026-01", 10_000, 10_000), ("2026-02", 30_000, 25_000)]
    assert query(loaded, "SELECT ev, cpi, spi FROM mart_evm WHERE project_id = 'F' AND period = '2026-02'") == [
        (18_000, 0.72, 0.6)]


def test_a_blank_weekly_capacity_takes_the_configured_default_and_loses_nothing(loaded: Path) -> None:
    assert query(loaded, "SELECT weekly_capacity_hours, capacity_defaulted FROM dim_person "
                         "WHERE employee_id = 'E3'") == [(40, True)]
    warned = query(loaded, "SELECT severity, unexpected_count FROM gate_results "
                           "WHERE rule = 'weekly_capacity_hours_blank_takes_default'")
    assert warned == [("warning", 1)]
    # Cai's 16 h load (not "unknown employee"): 16 of 40 h = 40 %
    assert query(loaded, "SELECT hours_logged, capacity_hours, utilisation FROM mart_utilisation "
                         "WHERE employee_id = 'E3'") == [(16, 40, 0.4)]


def test_team_utilisation_counts_the_same_people_above_and_below_the_line(loaded: Path) -> None:
    """Week of 2 March: Ann 8/40 h and Cai 16/40 h; Dev's 8 h after leaving are shown apart, not in the
    numerator of a head-count he is not in: (8 + 16) / 80 = 30 % (was (8 + 16 + 8) / 80 = 40 %)."""
    assert query(loaded, "SELECT people, hours_logged, capacity_hours, utilisation, hours_outside_employment "
                         "FROM mart_utilisation_team WHERE team = 'Platform'") == [(2, 24, 80, 0.3, 8)]


# --- on the demo warehouse -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(demo_db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


def test_a_cancelled_project_stops_earning_planned_value(demo) -> None:
    """PRJ-008, cancelled in April 2026: PV, SPI and SPI(t) stay where they were at termination."""
    rows = demo.execute("SELECT period, pv, spi, spi_rag, spi_t, termination_month FROM mart_evm "
                        "WHERE project_id = ? AND period BETWEEN '2026-04' AND '2026-10' ORDER BY period",
                        [STORIES["cancelled"]]).fetchall()
    assert len(rows) == 7 and str(rows[0][5]) == "2026-04-01"
    assert {r[1:5] for r in rows} == {rows[0][1:5]}  # frozen: the same PV and indices every month
    assert rows[-1][3] == "green" and rows[-1][2] >= 0.95  # not the red 0.68 of a baseline left running


def test_health_is_never_green_beside_a_red_index(demo) -> None:
    assert demo.execute("SELECT count(*) FROM mart_health WHERE health_rag = 'green' "
                        "AND 'red' IN (cpi_rag, spi_rag, spi_t_rag, computed_rag)").fetchone() == (0,)
    capped = demo.execute("SELECT count(*) FROM mart_health WHERE health_capped").fetchone()[0]
    assert capped > 0, "the demo has projects whose score alone would read better than their indices"


def test_no_health_score_while_an_input_failed_the_gate(demo, demo_db: Path) -> None:
    """PRJ-006's October risks failed the gate: no 'Health 96' on Project detail, but unknown with the reason."""
    pid = STORIES["bad_export"]
    assert demo.execute("SELECT health_score, health_rag, health_grey_reason FROM mart_health "
                        "WHERE project_id = ? AND period = '2026-10'", [pid]).fetchone() == (
        None, "grey", "risks failed the quality gate (risk driver unknown)")
    logging.disable(logging.WARNING)  # streamlit's "no runtime" notes outside a session
    tiles = project.tiles(project.summary(Filters(period="2026-10"), pid))
    tile = next(x for x in tiles if x.label == i18n.TEXT["en"]["col.health_score"])
    assert tile.value in ("—", "n/a") or not any(ch.isdigit() for ch in tile.value)
    assert tile.unknown_reason == "risks failed the quality gate (risk driver unknown)"
    assert demo.execute("SELECT count(*) FROM mart_health WHERE health_score IS NOT NULL "
                        "AND (cost_score IS NULL OR schedule_score IS NULL)").fetchone() == (0,)


def test_a_materialised_risk_keeps_counting_until_closed(demo) -> None:
    """PRJ-018's critical risk materialises in August 2026: exposure and the risk driver do not improve."""
    rows = dict(demo.execute("SELECT period, exposure FROM mart_health WHERE project_id = ? "
                             "AND period IN ('2026-07', '2026-08')", [STORIES["risk_materialises"]]).fetchall())
    risk = demo.execute("SELECT score, status, is_open FROM mart_risk WHERE project_id = ? AND as_of_date = "
                        "'2026-08-31' AND score >= 20", [STORIES["risk_materialises"]]).fetchall()
    assert risk == [(25, "materialised", True)]
    assert rows["2026-08"] >= rows["2026-07"]  # was 53 -> 92 on the risk driver when it dropped out


def test_attention_reasons_name_the_index_that_set_the_rag() -> None:
    logging.disable(logging.WARNING)
    f = Filters(period="2026-10")
    rows = overview.projects(f).set_index("project_id")
    for pid, row in rows.iterrows():
        if row["computed_rag"] in ("red", "amber"):
            text = overview.reason({"project_id": pid, **row.to_dict()})
            worst = [label for key, label in overview.INDICES if row[f"{key}_rag"] == row["computed_rag"]]
            assert text.startswith(tuple(worst)), (pid, text)
    attention = overview.attention(f)
    order = attention["computed_rag"].map(overview.RAG_ORDER).tolist()
    assert order == sorted(order)  # red, grey, amber, green-but-declared-otherwise: as the caption says


def test_overdue_means_past_baseline_and_not_done_on_every_page() -> None:
    logging.disable(logging.WARNING)
    f = Filters(period="2026-10")
    m = schedule.milestones(f)
    late = m[m["is_open"] & (m["baseline_date"] < "2026-10-31")]
    assert len(late) and sorted(schedule.overdue(f)["milestone_id"] + "@" + schedule.overdue(f)["project_id"]) == \
        sorted(late["milestone_id"] + "@" + late["project_id"])
    worst = m[m["is_open"]].sort_values("slip_days").iloc[-1]
    tiles = {x.label: x.value for x in schedule.tiles(f, m)}
    assert int(tiles["Overdue milestones"]) == len(late) > 0
    assert tiles["Worst open slip"] == f"{int(worst['slip_days'])} days"
