"""mart_evm: the worked example of the README, earned schedule, NULL rules, and the roll-up query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from marts_support import (
    approx,
    index,
    insert,
    money,
    new_warehouse,
    one,
    plan,
    project,
    query_file,
    rows,
    run_build,
    status,
)

MARCH = date(2026, 3, 31)


@pytest.fixture
def worked_example(tmp_path):
    """BAC 100,000 planned 10/20/40/70/100 % over Jan-May 2026; 35 % complete, AC 36,000 at month 3."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1")])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [10_000, 10_000, 20_000, 30_000, 30_000],
                                [9_000, 12_000, 15_000]))
    insert(con, "status", [status("P1", date(2026, 2, 27), 18), status("P1", date(2026, 3, 31), 35)])
    run_build(con, as_of=MARCH)
    yield con
    con.close()


def test_worked_example_month_3(worked_example):
    r = one(worked_example, "SELECT * FROM mart_evm WHERE project_id = 'P1' AND period = '2026-03'")
    assert r["month_end"] == MARCH
    assert r["bac"] == approx(100_000)
    assert r["pv"] == approx(40_000)
    assert r["ev"] == approx(35_000)
    assert r["ac"] == approx(36_000)
    assert r["sv"] == approx(-5_000)
    assert r["cv"] == approx(-1_000)
    assert r["spi"] == index(0.875)
    assert r["cpi"] == index(35_000 / 36_000)
    assert r["cpi"] == 0.9722 and r["cpi_rag"] == "green"  # held to 4 decimals, banded on 0.97
    assert r["eac"] == money(100_000 / (35_000 / 36_000))  # 102,857.14
    assert r["etc"] == money(100_000 / (35_000 / 36_000) - 36_000)  # 66,857.14
    assert r["vac"] == money(100_000 - 100_000 / (35_000 / 36_000))  # -2,857.14
    assert r["tcpi"] == index((100_000 - 35_000) / (100_000 - 36_000))  # 1.015625
    # Earned schedule by hand: PV(2) = 20,000 <= 35,000 < PV(3) = 40,000 -> C = 2
    assert r["pd"] == 5
    assert r["at_months"] == 3
    assert r["es_c"] == 2
    assert r["es"] == approx(2 + 15_000 / 20_000)  # 2.75
    assert r["spi_t"] == index(2.75 / 3)  # 0.9167
    assert r["sv_t"] == approx(-0.25)
    # two-sided bands: CPI 0.972 green, SPI 0.875 red, SPI(t) 0.917 amber
    assert (r["cpi_rag"], r["spi_rag"], r["spi_t_rag"]) == ("green", "red", "amber")


def test_worked_example_month_2_and_future_months(worked_example):
    feb = one(worked_example, "SELECT * FROM mart_evm WHERE project_id = 'P1' AND period = '2026-02'")
    assert (feb["pv"], feb["ev"], feb["ac"]) == (approx(20_000), approx(18_000), approx(21_000))
    assert feb["es"] == approx(1 + 8_000 / 10_000)  # C = 1: PV(1) = 10,000 <= 18,000 < PV(2)
    assert feb["spi_t"] == index(0.9)
    future = rows(worked_example, "SELECT * FROM mart_evm WHERE project_id = 'P1' AND is_future ORDER BY period")
    assert [f["period"] for f in future] == ["2026-04", "2026-05"]
    assert [f["pv"] for f in future] == [approx(70_000), approx(100_000)]
    assert all(f["ev"] is None and f["ac"] is None and f["cpi"] is None and f["es"] is None for f in future)


def test_no_ev_before_the_first_status_report(worked_example):
    jan = one(worked_example, "SELECT * FROM mart_evm WHERE project_id = 'P1' AND period = '2026-01'")
    assert jan["pv"] == approx(10_000)
    assert jan["ac"] == approx(9_000)
    assert jan["ev"] is None  # no report yet: EV is not invented
    for column in ("cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi", "es", "spi_t", "sv_t"):
        assert jan[column] is None, column
    assert (jan["cpi_rag"], jan["spi_rag"], jan["spi_t_rag"]) == ("grey", "grey", "grey")
    health = one(worked_example, "SELECT * FROM mart_health WHERE project_id = 'P1' AND period = '2026-01'")
    assert health["computed_rag"] == "grey"
    assert "no status report yet" in health["grey_reason"]


def test_months_span_first_planned_month_to_planned_finish(worked_example):
    periods = [r["period"] for r in rows(worked_example, "SELECT period FROM mart_evm ORDER BY period")]
    assert periods == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    report = one(worked_example, "SELECT * FROM dim_report_date")
    assert report["as_of_date"] == MARCH and report["as_of_source"] == "argument"


def test_report_date_defaults_to_latest_month_with_actuals(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1")])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [10_000, 10_000, 20_000, 30_000, 30_000],
                                [9_000, 12_000]))
    insert(con, "status", [status("P1", date(2026, 1, 20), 10)])
    run_build(con)
    report = one(con, "SELECT * FROM dim_report_date")
    assert report["as_of_date"] == date(2026, 2, 28)
    assert report["as_of_period"] == "2026-02"
    assert report["as_of_source"] == "latest actuals"


def test_finished_late_project_spi_1_but_spi_t_below_1(tmp_path):
    """Planned over 5 months (PD 5), finished at month 8: SPI = 1.0, ES = 5, AT = 8, SPI(t) = 0.625."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("LATE", actual_finish_date=date(2026, 8, 20), status="closed")])
    insert(con, "budgets", plan("LATE", date(2026, 1, 1), [20_000] * 5, [12_500] * 8))
    percents = [10, 20, 30, 40, 50, 60, 80, 100]
    insert(con, "status", [status("LATE", date(2026, m, 25), pct) for m, pct in enumerate(percents, start=1)])
    run_build(con, as_of=date(2026, 10, 31))
    aug = one(con, "SELECT * FROM mart_evm WHERE project_id = 'LATE' AND period = '2026-08'")
    assert aug["pv"] == approx(100_000) and aug["ev"] == approx(100_000)
    assert aug["spi"] == index(1.0)
    assert aug["pd"] == 5
    assert aug["es"] == approx(5.0)  # ES never exceeds PD
    assert aug["at_months"] == 8
    assert aug["spi_t"] == index(0.625)
    assert aug["sv_t"] == approx(-3.0)
    assert aug["spi_rag"] == "green" and aug["spi_t_rag"] == "red"
    assert aug["is_complete"]
    # after completion AT stops: SPI(t) stays at its final value instead of decaying
    octo = one(con, "SELECT * FROM mart_evm WHERE project_id = 'LATE' AND period = '2026-10'")
    assert (octo["at_months"], octo["spi_t"]) == (8, approx(0.625))
    # month 6 (in flight, 60 %): C = 3 (PV 60,000 <= 60,000) -> ES = 3, AT = 6
    jun = one(con, "SELECT * FROM mart_evm WHERE project_id = 'LATE' AND period = '2026-06'")
    assert (jun["es"], jun["at_months"], jun["spi_t"]) == (approx(3.0), 6, approx(0.5))
    closure = one(con, "SELECT * FROM mart_closure WHERE project_id = 'LATE'")
    assert closure["finish_slip_days"] == (date(2026, 8, 20) - date(2026, 5, 31)).days
    assert closure["final_spi"] == index(1.0)
    assert closure["final_spi_t"] == index(0.625)
    assert closure["final_ac"] == approx(100_000)
    assert closure["final_cpi"] == index(1.0)
    assert closure["cost_variance"] == approx(0.0)
    # a completed project no longer reports: not stale, not grey for staleness
    health = one(con, "SELECT * FROM mart_health WHERE project_id = 'LATE' AND period = '2026-10'")
    assert health["computed_rag"] == "red" and health["grey_reason"] is None


def test_zero_actual_cost_is_unknown_not_green(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P0")])
    insert(con, "budgets", plan("P0", date(2026, 1, 1), [50_000, 50_000], [0, 0]))
    insert(con, "status", [status("P0", date(2026, 2, 25), 50, rag="green")])
    run_build(con, as_of=date(2026, 2, 28))
    r = one(con, "SELECT * FROM mart_evm WHERE project_id = 'P0' AND period = '2026-02'")
    assert r["ac"] == approx(0.0) and r["ev"] == approx(50_000)
    assert r["spi"] == index(0.5)
    for column in ("cpi", "eac", "etc", "vac", "tcpi"):
        assert r[column] is None, column
    assert r["cpi_rag"] == "grey"
    health = one(con, "SELECT * FROM mart_health WHERE project_id = 'P0' AND period = '2026-02'")
    assert health["computed_rag"] == "grey"
    assert "no actual cost booked" in health["grey_reason"]
    assert health["health_rag"] == "grey"
    assert health["cost_score"] is None
    assert not health["rag_disagrees"]  # grey is unknown, not a disagreement


def test_missing_budget_plan_and_bac_cross_check(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("NOPLAN"), project("MISMATCH", budget_at_completion=120_000.0),
                             project("CLOSE", budget_at_completion=100_500.0)])
    insert(con, "budgets", plan("MISMATCH", date(2026, 1, 1), [50_000, 50_000], [10_000]))
    insert(con, "budgets", plan("CLOSE", date(2026, 1, 1), [50_000, 50_000], [10_000]))
    insert(con, "status", [status("NOPLAN", date(2026, 1, 31), 10)])
    run_build(con, as_of=date(2026, 1, 31))
    dims = {r["project_id"]: r for r in rows(con, "SELECT * FROM dim_project")}
    assert dims["MISMATCH"]["bac"] == approx(100_000) and dims["MISMATCH"]["declared_bac"] == approx(120_000)
    assert dims["MISMATCH"]["bac_mismatch"] and not dims["CLOSE"]["bac_mismatch"]  # 0.5 % is within 1 %
    assert dims["NOPLAN"]["bac"] is None
    noplan = one(con, "SELECT * FROM mart_health WHERE project_id = 'NOPLAN' AND period = '2026-01'")
    assert noplan["computed_rag"] == "grey" and "no budget plan" in noplan["grey_reason"]
    evm = one(con, "SELECT * FROM mart_evm WHERE project_id = 'NOPLAN' AND period = '2026-01'")
    assert evm["pv"] is None and evm["ev"] is None


# --- roll-up query -----------------------------------------------------------------------------------

ALL = {"portfolios": [], "programmes": [], "departments": [], "managers": [], "stages": [], "rags": [],
       "active_only": False}


def rollup(con, level: str, period: str, **filters):
    end = one(con, "SELECT last_day(CAST(? || '-01' AS DATE)) AS d", [period])["d"]
    return rows(con, query_file("evm_rollup"), {**ALL, **filters, "level": level, "period": period, "month_end": end})


@pytest.fixture
def two_sizes(tmp_path):
    """A 10,000 project with CPI 0.5 and a 1,000,000 project with CPI 1.0 (plus one in another portfolio)."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [
        project("SMALL", budget_at_completion=10_000.0, planned_finish_date=date(2026, 2, 28)),
        project("BIG", budget_at_completion=1_000_000.0, planned_finish_date=date(2026, 2, 28)),
        project("OTHER", portfolio="Run", department="Ops", budget_at_completion=1_000.0,
                planned_finish_date=date(2026, 2, 28)),
        project("NOREPORT", budget_at_completion=2_000.0, planned_finish_date=date(2026, 2, 28)),
    ])
    insert(con, "budgets", plan("SMALL", date(2026, 1, 1), [5_000, 5_000], [10_000]))
    insert(con, "budgets", plan("BIG", date(2026, 1, 1), [500_000, 500_000], [400_000]))
    insert(con, "budgets", plan("OTHER", date(2026, 1, 1), [500, 500], [500]))
    insert(con, "budgets", plan("NOREPORT", date(2026, 1, 1), [1_000, 1_000], [700]))
    insert(con, "status", [status("SMALL", date(2026, 1, 31), 50), status("BIG", date(2026, 1, 31), 40),
                           status("OTHER", date(2026, 1, 31), 50)])
    run_build(con, as_of=date(2026, 1, 31))
    yield con
    con.close()


def test_rollup_sums_first_then_takes_ratios(two_sizes):
    growth = {r["group_name"]: r for r in rollup(two_sizes, "portfolio", "2026-01")}["Growth"]
    cpis = [r["cpi"] for r in rows(two_sizes, "SELECT cpi FROM mart_evm WHERE project_id IN ('SMALL', 'BIG') "
                                              "AND period = '2026-01'")]
    assert sorted(cpis) == [approx(0.5), approx(1.0)]  # mean would be 0.75
    assert growth["ev"] == approx(5_000 + 400_000)
    assert growth["ac"] == approx(10_000 + 400_000)
    assert growth["cpi"] == index(405_000 / 410_000)  # 0.9878, not 0.75
    assert growth["pv"] == approx(505_000)
    assert growth["spi"] == index(405_000 / 505_000)
    assert growth["bac"] == approx(1_010_000)
    assert growth["eac"] == money(1_010_000 / (405_000 / 410_000))
    assert growth["tcpi"] == index((1_010_000 - 405_000) / (1_010_000 - 410_000))
    # ES per project: SMALL C=1 -> ES 1.0; BIG 400k < PV(1) = 500k -> ES 0.8; BAC-weighted, AT = 1 for both
    assert growth["es"] == index((10_000 * 1.0 + 1_000_000 * 0.8) / 1_010_000)  # months, 4 decimals
    assert growth["at_months"] == approx(1.0)
    assert growth["spi_t"] == index(810_000 / 1_010_000)
    # NOREPORT has no EV yet: it is counted but kept out of every EVM sum
    assert (growth["projects"], growth["projects_measured"]) == (3, 2)
    assert growth["bac_all"] == approx(1_012_000)
    assert growth["cpi_rag"] == "green" and growth["spi_rag"] == "red"


def test_rollup_levels_and_filters(two_sizes):
    total = rollup(two_sizes, "total", "2026-01")
    assert len(total) == 1 and total[0]["group_name"] == "All projects"
    assert total[0]["ev"] == approx(405_500) and total[0]["ac"] == approx(410_500)
    by_dept = {r["group_name"]: r for r in rollup(two_sizes, "department", "2026-01")}
    assert set(by_dept) == {"IT", "Ops"}
    only_run = rollup(two_sizes, "portfolio", "2026-01", portfolios=["Run"])
    assert [r["group_name"] for r in only_run] == ["Run"]
    assert only_run[0]["cpi"] == index(1.0)
    # the RAG filter is the computed RAG at the period: SMALL and BIG red, OTHER green, NOREPORT grey
    assert [r["group_name"] for r in rollup(two_sizes, "portfolio", "2026-01", rags=["green"])] == ["Run"]
    unknown = rollup(two_sizes, "portfolio", "2026-01", rags=["grey"])
    assert [(r["group_name"], r["projects"], r["projects_measured"]) for r in unknown] == [("Growth", 1, 0)]
    assert unknown[0]["cpi"] is None and unknown[0]["cpi_rag"] == "grey"
    with pytest.raises(Exception, match="level"):
        rollup(two_sizes, "project_name; DROP TABLE mart_evm", "2026-01")


def test_cancelled_project_stops_at_its_last_report(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("STOP", status="cancelled")])
    insert(con, "budgets", plan("STOP", date(2026, 1, 1), [25_000] * 4, [20_000, 20_000]))
    insert(con, "status", [status("STOP", date(2026, 1, 30), 10), status("STOP", date(2026, 2, 27), 20)])
    run_build(con, as_of=date(2026, 6, 30))
    june = one(con, "SELECT * FROM mart_evm WHERE project_id = 'STOP' AND period = '2026-06'")
    # ES: PV(0) = 0 <= 20,000 < PV(1) = 25,000 -> ES 0.8; AT frozen at February (month 2)
    assert (june["es"], june["at_months"], june["spi_t"]) == (approx(0.8), 2, approx(0.4))
    assert june["is_complete"] and not june["is_stale"]
    health = one(con, "SELECT * FROM mart_health WHERE project_id = 'STOP' AND period = '2026-06'")
    assert health["grey_reason"] is None and health["freshness_score"] is None


@pytest.mark.parametrize(("percent", "cpi", "rag"), [(106, 1.06, "amber"), (109, 1.09, "amber"), (111, 1.11, "red")])
def test_cost_bands_are_two_sided(tmp_path, percent, cpi, rag):
    # AC 10,000 on BAC 20,000 and EV = percent/200 x BAC: an under-run far beyond plan is a red flag too
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1", budget_at_completion=20_000)])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [10_000, 10_000], [10_000, None]))
    insert(con, "status", [status("P1", date(2026, 1, 28), percent / 2)])
    run_build(con, as_of=date(2026, 1, 31))
    r = one(con, "SELECT cpi, cpi_rag FROM mart_evm WHERE project_id = 'P1' AND period = '2026-01'")
    assert r["cpi"] == index(cpi) and r["cpi_rag"] == rag


def test_tcpi_is_undefined_once_the_budget_is_spent(tmp_path):
    # AC 60,000 of BAC 50,000 at 80 % complete: (50,000 - 40,000) / (50,000 - 60,000) would be -1
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1", budget_at_completion=50_000)])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [25_000, 25_000], [30_000, 30_000]))
    insert(con, "status", [status("P1", date(2026, 2, 26), 80)])
    run_build(con, as_of=date(2026, 2, 28))
    r = one(con, "SELECT ac, cpi, eac, tcpi FROM mart_evm WHERE project_id = 'P1' AND period = '2026-02'")
    assert r["ac"] == approx(60_000) and r["cpi"] == index(40_000 / 60_000)
    assert r["eac"] == money(75_000) and r["tcpi"] is None


def test_a_cancelled_project_earns_no_planned_value_after_its_termination(tmp_path):
    """Planned 10,000 a month for ten months; 10/20/30 % reported Jan-Mar, then cancelled (last report 25 Mar).
    Its baseline closes in March: PV stays 30,000 (not 60,000 by June), so SPI stays 1.0 instead of decaying
    to 0.5; a 2,000 close-out cost in April still counts (AC 32,000, CPI 30/32 = 0.9375, amber)."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("CXL", status="cancelled", planned_finish_date=date(2026, 10, 31))])
    insert(con, "budgets", plan("CXL", date(2026, 1, 1), [10_000] * 10, [10_000, 10_000, 10_000, 2_000]))
    insert(con, "status", [status("CXL", date(2026, m, 25), 10 * m) for m in (1, 2, 3)])
    run_build(con, as_of=date(2026, 6, 30))
    by_period = {r["period"]: r for r in rows(con, "SELECT * FROM mart_evm WHERE project_id = 'CXL'")}
    assert [by_period[p]["pv"] for p in ("2026-02", "2026-03", "2026-04", "2026-06", "2026-10")] == [
        20_000, 30_000, 30_000, 30_000, 30_000]
    june = by_period["2026-06"]
    assert june["termination_month"] == date(2026, 3, 1) and june["bac"] == 100_000
    assert (june["ev"], june["ac"], june["spi"], june["cpi"]) == (30_000, 32_000, 1.0, 0.9375)
    assert (june["spi_rag"], june["cpi_rag"]) == ("green", "amber")
    # earned schedule: C = 3 (PV(3) = 30,000 <= EV), ES = 3 + 0 / 10,000 = 3; AT stops at 3 -> SPI(t) 1.0
    assert (june["es"], june["at_months"], june["spi_t"]) == (3.0, 3, 1.0)


@pytest.mark.parametrize("ev, rag", [(8_996, "amber"), (8_949, "red"), (9_496, "green"), (9_449, "amber")])
def test_an_index_is_banded_on_the_value_shown_to_two_decimals(tmp_path, ev, rag):
    """AC 10,000: a CPI of 0.8996 reads 0.90 and is amber, 0.8949 reads 0.89 and is red, 0.9496 reads 0.95 and
    is green, 0.9449 reads 0.94 and is amber ([evm] index_decimals = 2; green from 0.95, amber from 0.90)."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1")])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [10_000] * 5, [10_000]))  # BAC 50,000
    insert(con, "status", [status("P1", date(2026, 1, 31), ev / 500)])  # EV = percent % of 50,000
    run_build(con, as_of=date(2026, 1, 31))
    r = one(con, "SELECT ev, cpi, cpi_rag, index_shown(cpi) AS shown FROM mart_evm WHERE period = '2026-01'")
    assert (r["ev"], r["cpi"], r["cpi_rag"]) == (ev, ev / 10_000, rag)
    assert r["shown"] == round(ev / 10_000 + 1e-9, 2)


def test_large_amounts_are_exact_and_do_not_overflow(tmp_path):
    """A 900-billion plan: 33.3333 % of it, and EAC = BAC x AC / EV, in exact decimals to the cent."""
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("BIG", budget_at_completion=900_000_000_000)])
    insert(con, "budgets", plan("BIG", date(2026, 1, 1), [300_000_000_000] * 3, [333_333_333_333.33]))
    insert(con, "status", [status("BIG", date(2026, 1, 31), 33.3333)])
    run_build(con, as_of=date(2026, 1, 31))
    r = one(con, "SELECT ev, ac, eac, cpi FROM mart_evm WHERE period = '2026-01'")
    assert r["ev"] == Decimal("299999700000.00")  # 33.3333 % x 900,000,000,000
    assert r["eac"] == Decimal("1000001000000.99")  # 900e9 x 333,333,333,333.33 / 299,999,700,000
    assert r["cpi"] == 0.9
