"""mart_milestone_slip, mart_health (drivers by hand, declared vs computed RAG, grey rules), mart_gate_impact."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from marts_support import approx, index, insert, log_load, new_warehouse, one, plan, project, rows, run_build, status

FEB, MARCH = date(2026, 2, 28), date(2026, 3, 31)


def milestone(mid: str, baseline: date, forecast: date | None = None, actual: date | None = None,
              as_of: date = MARCH, gate: bool = False) -> dict:
    return {"project_id": "P1", "milestone_id": mid, "milestone_name": f"milestone {mid}", "baseline_date": baseline,
            "forecast_date": forecast, "actual_date": actual, "is_gate": gate, "as_of_date": as_of}


@pytest.fixture
def portfolio(tmp_path):
    """P1 = the worked example (CPI 0.972, SPI 0.875, SPI(t) 0.917 at March) with risks, checks, milestones;
    STALE reported last in January."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1"), project("STALE")])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [10_000, 10_000, 20_000, 30_000, 30_000],
                                [9_000, 12_000, 15_000]))
    insert(con, "budgets", plan("STALE", date(2026, 1, 1), [20_000] * 5, [20_000] * 3))
    insert(con, "status", [status("P1", date(2026, 2, 27), 18, rag="green"),
                           status("P1", MARCH, 35, rag="Green"),
                           status("STALE", date(2026, 1, 15), 20, rag="amber")])
    insert(con, "risks", [
        {"risk_id": "R1", "project_id": "P1", "title": "vendor", "probability": 4, "impact": 4, "status": "open",
         "as_of_date": MARCH},
        {"risk_id": "R2", "project_id": "P1", "title": "staff", "probability": 2, "impact": 2,
         "status": "mitigating", "as_of_date": MARCH},
    ])
    insert(con, "quality", [
        {"check_id": f"Q{n}", "project_id": "P1", "check_date": d, "check_type": "review", "result": result,
         "defects_open": n, "defects_closed": 1}
        for n, (d, result) in enumerate([(date(2026, 1, 10), "pass"), (date(2026, 2, 10), "pass"),
                                         (date(2026, 3, 5), "fail"), (date(2026, 3, 20), "pass")], start=1)
    ])
    insert(con, "milestones", [
        milestone("M1", date(2026, 2, 15), actual=date(2026, 2, 20), as_of=FEB),
        milestone("M3", date(2026, 6, 30), forecast=date(2026, 7, 5), as_of=FEB, gate=True),
        milestone("M1", date(2026, 2, 15), actual=date(2026, 2, 20)),  # 5 days late, done
        milestone("M2", date(2026, 3, 10), forecast=date(2026, 3, 10), actual=date(2026, 3, 10)),  # on time
        milestone("M3", date(2026, 6, 30), forecast=date(2026, 7, 15), gate=True),  # slips 15 days (+10)
        milestone("M4", date(2026, 3, 15)),  # no forecast, no actual, baseline passed: overdue
    ], load_id="ms-march")
    yield con
    con.close()


def test_milestone_slip_and_on_time_rate(portfolio):
    run_build(portfolio, as_of=MARCH)
    slip = {r["milestone_id"]: r for r in rows(portfolio, "SELECT * FROM mart_milestone_slip WHERE as_of_date = ?",
                                              [MARCH])}
    assert slip["M1"]["slip_days"] == 5 and slip["M1"]["is_complete"] and slip["M1"]["on_time"] is False
    assert slip["M2"]["slip_days"] == 0 and slip["M2"]["on_time"] is True
    assert slip["M3"]["slip_days"] == 15 and slip["M3"]["slip_rag"] == "amber" and slip["M3"]["is_gate"]
    assert (slip["M3"]["previous_slip_days"], slip["M3"]["slip_change_days"]) == (5, 10)
    assert slip["M3"]["is_overdue"] is False
    assert slip["M4"]["slip_days"] is None and slip["M4"]["is_overdue"] is True
    assert slip["M4"]["is_new"] and not slip["M1"]["is_new"]
    summary = one(portfolio, "SELECT * FROM mart_milestone_summary WHERE as_of_date = ?", [MARCH])
    assert (summary["milestones"], summary["completed"], summary["completed_on_time"]) == (4, 2, 1)
    assert summary["on_time_rate"] == approx(0.5)
    assert (summary["overdue"], summary["slipped_since_previous"], summary["max_slip_days"]) == (1, 1, 15)


def test_health_drivers_by_hand(portfolio):
    run_build(portfolio, as_of=MARCH)
    h = one(portfolio, "SELECT * FROM mart_health WHERE project_id = 'P1' AND period = '2026-03'")
    assert h["cpi"] == index(35_000 / 36_000) and h["spi_t"] == index(2.75 / 3)
    cost = 100 * (35_000 / 36_000 - 0.8) / 0.2  # 86.11: CPI 1.0 -> 100, CPI 0.8 -> 0
    schedule = 100 * (2.75 / 3 - 0.8) / 0.2  # 58.33 from SPI(t)
    risk = 100 * (60 - 20) / 60  # exposure 16 + 4 = 20 of 60 -> 66.67
    quality = 100 * (0.75 - 0.5) / 0.5  # 3 passes of 4 checks in Jan-Mar -> 50
    freshness = 100.0  # reported on the month end: 0 days old
    # scores are held to one decimal; the health score is computed from the unrounded drivers
    assert h["cost_score"] == approx(round(cost, 1))
    assert h["schedule_score"] == approx(round(schedule, 1))
    assert (h["exposure"], h["risk_score"]) == (20, approx(round(risk, 1)))
    assert (h["pass_rate"], h["quality_checks"], h["quality_score"]) == (approx(0.75), 4, approx(quality))
    assert (h["status_age_days"], h["freshness_score"]) == (0, approx(freshness))
    expected = 0.3 * cost + 0.3 * schedule + 0.2 * risk + 0.1 * quality + 0.1 * freshness  # 71.67
    assert h["health_score"] == approx(round(expected, 1))
    assert h["score_coverage"] == approx(1.0)
    # computed RAG = worst of CPI green, SPI red, SPI(t) amber = red; the project declared green
    assert (h["computed_rag"], h["declared_rag"]) == ("red", "green")
    # the score's own band is amber (50 <= 71.7 < 75), but health is never better than the computed RAG
    assert (h["score_rag"], h["health_rag"], h["health_capped"]) == ("amber", "red", True)
    assert h["rag_disagrees"] is True and h["rag_gap"] == 2
    assert h["grey_reason"] is None


def test_health_normalises_weights_over_known_drivers(portfolio):
    run_build(portfolio, as_of=MARCH)
    feb = one(portfolio, "SELECT * FROM mart_health WHERE project_id = 'P1' AND period = '2026-02'")
    # February: no risk snapshot yet (risk unknown); EV 18,000 AC 21,000 -> CPI 0.857; SPI(t) 1.8 / 2 = 0.9
    assert feb["risk_score"] is None
    cost, schedule = 100 * (18 / 21 - 0.8) / 0.2, 100 * (0.9 - 0.8) / 0.2
    quality, freshness = 100.0, 100.0  # 2 of 2 checks passed; report 1 day old
    assert feb["health_score"] == approx(round((0.3 * cost + 0.3 * schedule + 0.1 * quality + 0.1 * freshness) / 0.8,
                                               1))  # 54.46 -> 54.5
    assert feb["score_coverage"] == approx(0.8)


def test_stale_status_is_grey_with_reason(portfolio):
    run_build(portfolio, as_of=MARCH)
    h = one(portfolio, "SELECT * FROM mart_health WHERE project_id = 'STALE' AND period = '2026-03'")
    assert h["status_age_days"] == (MARCH - date(2026, 1, 15)).days  # 75 > 45
    assert h["is_stale"] and h["freshness_score"] == 0
    assert h["computed_rag"] == "grey" and h["health_rag"] == "grey"
    assert "stale (75 days old)" in h["grey_reason"]
    assert h["declared_rag"] == "amber" and h["rag_disagrees"] is False
    jan = one(portfolio, "SELECT * FROM mart_health WHERE project_id = 'STALE' AND period = '2026-01'")
    assert jan["grey_reason"] is None and jan["computed_rag"] != "grey"


def test_gate_failures_grey_the_months_they_touch(portfolio):
    # a rejected re-export of budgets.csv wrote nothing: it greys nothing (the load log records it)
    log_load(portfolio, "test-budgets", "budgets", "budgets.csv", "loaded", datetime(2026, 3, 1, 9))
    log_load(portfolio, "rejected-1", "budgets", "budgets.csv", "rejected", datetime(2026, 4, 2, 9), MARCH)
    # a status row of P1's February report was quarantined -> P1 grey in February only
    log_load(portfolio, "status-q", "status", "status_feb.csv", "loaded_with_quarantine", datetime(2026, 3, 1, 9))
    portfolio.execute("""INSERT INTO quarantine (load_id, source, file_name, source_row, rule, column_name, record)
                         VALUES ('status-q', 'status', 'status_feb.csv', 7,
                         'percent_between_0_and_100', 'percent_complete',
                         '{"project_id": "P1", "report_date": "2026-02-26", "percent_complete": 140}')""")
    # a budget row of STALE's March was quarantined -> its BAC is incomplete: every month of STALE is grey
    log_load(portfolio, "budgets-q", "budgets", "budgets_stale.csv", "loaded_with_quarantine", datetime(2026, 3, 2, 9))
    portfolio.execute("""INSERT INTO quarantine (load_id, source, file_name, source_row, rule, column_name, record)
                         VALUES ('budgets-q', 'budgets', 'budgets_stale.csv', 4, 'planned_cost_not_null',
                         'planned_cost', '{"project_id": "STALE", "period": "2026-03", "planned_cost": "n/k"}')""")
    run_build(portfolio, as_of=MARCH)
    impact = rows(portfolio, "SELECT * FROM mart_gate_impact ORDER BY project_id, source")
    assert [(r["project_id"], r["source"], r["issue"], r["from_period"], r["to_month"]) for r in impact] == [
        ("P1", "status", "quarantined_rows", "2026-02", date(2026, 2, 1)),
        ("STALE", "budgets", "quarantined_rows", "2026-01", None)]
    assert "CPI" in impact[1]["kpis"]
    health = {(r["project_id"], r["period"]): r for r in rows(portfolio, "SELECT * FROM mart_health")}
    assert health[("P1", "2026-01")]["grey_reason"] == "no status report yet (EV unknown)"
    assert "status failed the quality gate" in health[("P1", "2026-02")]["grey_reason"]
    assert health[("P1", "2026-03")]["grey_reason"] is None
    for period in ("2026-01", "2026-02", "2026-03"):  # January too, though the bad row is March's
        stale = health[("STALE", period)]
        assert "budgets failed the quality gate" in stale["grey_reason"]
        assert (stale["computed_rag"], stale["cost_score"], stale["health_score"]) == ("grey", None, None)
    evm = one(portfolio, "SELECT * FROM mart_evm WHERE project_id = 'STALE' AND period = '2026-01'")
    assert evm["budgets_gate_failed"] and (evm["cpi_rag"], evm["spi_rag"], evm["spi_t_rag"]) == ("grey",) * 3


def test_a_driver_whose_input_failed_the_gate_greys_the_health_rag(portfolio):
    run_build(portfolio, as_of=MARCH)
    before = one(portfolio, "SELECT * FROM mart_health WHERE project_id = 'P1' AND period = '2026-03'")
    assert (before["score_rag"], before["risk_score"]) == ("amber", approx(66.7))
    # a row of P1's March risk snapshot was quarantined: the exposure the risk driver reads is incomplete
    log_load(portfolio, "risks-q", "risks", "risks_2026-03-31.csv", "loaded_with_quarantine", datetime(2026, 4, 1, 9))
    portfolio.execute("""INSERT INTO quarantine (load_id, source, file_name, source_row, rule, column_name, record)
                         VALUES ('risks-q', 'risks', 'risks_2026-03-31.csv', 3, 'probability_between_1_and_5',
                         'probability', '{"project_id": "P1", "as_of_date": "2026-03-31", "probability": 9}')""")
    run_build(portfolio, as_of=MARCH)
    after = one(portfolio, "SELECT * FROM mart_health WHERE project_id = 'P1' AND period = '2026-03'")
    assert after["risks_gate_failed"] and after["risk_score"] is None
    assert after["computed_rag"] == before["computed_rag"] == "red"  # the EVM inputs are sound
    # no score at all: not the 72.9 that the drivers left would give (the coverage rule)
    assert (after["health_score"], after["health_rag"]) == (None, "grey")
    assert after["health_grey_reason"] == "risks failed the quality gate (risk driver unknown)"
