"""The analysis pages (Schedule … Closure & lessons): their metric functions against the warehouse `pmo demo` builds,
each number checked against an independent query written here on the published snapshot, then the pages driven
through AppTest (the risk matrix's cell picker, the lessons search, the month selector, both languages)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from contract import settings
from contract.layout import current_snapshot
from dashboard.catalogue import english
from dashboard.charts import risks as risk_charts
from dashboard.charts.overview import cpi_spi_bubble
from dashboard.filters import Filters
from dashboard.metrics import (
    budget_evm,
    changes,
    closure_lessons,
    documents,
    issues_actions,
    overview,
    performance,
    project,
    quality,
    resources,
    risks,
    schedule,
)
from pipelines.demo import STORIES, STORY_RISK

APP = Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"
PAGES = ("schedule", "resources", "budget_evm", "risks", "performance", "changes", "issues_actions", "quality",
         "documents", "closure_lessons")
OPEN_STATUSES = tuple(settings.config()["risk"]["open_statuses"])  # open, mitigating, materialised


def month_end(period: str) -> date:
    year, month = map(int, period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


@pytest.fixture(scope="module")
def snap(demo_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published snapshot the dashboard reads."""
    snapshot = current_snapshot(demo_db)
    assert snapshot, "pmo demo published no snapshot"
    con = duckdb.connect(str(snapshot[1]), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def period(snap: duckdb.DuckDBPyConnection) -> str:
    """The report month of the demo."""
    row = snap.execute("SELECT as_of_period FROM dim_report_date").fetchone()
    assert row, "the demo has a report date"
    return str(row[0])


@pytest.fixture(scope="module")
def earlier(period: str) -> str:
    """Three months before the report month: a past month shown as it stood."""
    return str(pd.Period(period) - 3)


def portfolios(snap: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in snap.execute("SELECT DISTINCT portfolio FROM dim_project ORDER BY 1").fetchall()]


# --- risks ---------------------------------------------------------------------------------------------

CELLS = """
WITH latest AS (
    SELECT r.* FROM mart_risk AS r JOIN dim_project AS p USING (project_id)
    WHERE r.as_of_date <= $month_end AND (len($portfolios) = 0 OR list_contains($portfolios, p.portfolio))
    QUALIFY r.as_of_date = max(r.as_of_date) OVER (PARTITION BY r.project_id)
)
SELECT probability, impact, count(*) AS risks, sum(probability * impact) AS exposure
FROM latest WHERE list_contains($open, status) GROUP BY ALL
"""


def direct_cells(snap: duckdb.DuckDBPyConnection, period: str, portfolio: list[str] | None = None) -> pd.DataFrame:
    return snap.execute(CELLS, {"month_end": month_end(period), "portfolios": portfolio or [],
                                "open": list(OPEN_STATUSES)}).df()


@pytest.mark.parametrize("months_back", [0, 2, 5])
def test_risk_matrix_counts_equal_a_group_by_of_the_snapshot(snap, period, months_back) -> None:
    month = str(pd.Period(period) - months_back)
    expected = direct_cells(snap, month)
    cells = risks.matrix(Filters(scope="all", period=month))
    assert len(expected) > 3, "the demo should spread open risks over several cells"
    got = cells.set_index(["probability", "impact"]).sort_index()
    want = expected.set_index(["probability", "impact"]).sort_index()
    assert got["risks"].tolist() == want["risks"].tolist()
    assert got["exposure"].tolist() == pytest.approx(want["exposure"].tolist())
    # and the 5x5 heatmap writes exactly those counts in its cells, each cell coloured by its score's band
    heat = risk_charts.risk_matrix(cells, measure="risks", bands=risks.bands()).data[0]
    for (p, i), n in want["risks"].items():
        assert heat.text[p - 1][i - 1] == f"{n:,}"
    assert sum(int(v.replace(",", "")) for row in heat.text for v in row if v) == want["risks"].sum()
    # fill = the band of p x i in the configured bands (0 = lowest), + 4 (pale) where no open risk sits
    bands = snap.execute("SELECT band_rank, min_score_exclusive, max_score FROM cfg_risk_band ORDER BY 1").fetchall()
    for p in range(1, 6):
        for i in range(1, 6):
            rank = next(k for k, (_, low, high) in enumerate(bands) if low < p * i <= high)
            assert heat.z[p - 1][i - 1] == rank + (0 if (p, i) in want.index else len(bands)), (p, i)


def test_portfolio_filter_splits_the_risk_matrix(snap, period) -> None:
    total = int(direct_cells(snap, period)["risks"].sum())
    per_portfolio = []
    for name in portfolios(snap):
        count = int(risks.matrix(Filters(scope="all", portfolios=(name,), period=period))["risks"].sum())
        assert count == int(direct_cells(snap, period, [name])["risks"].sum())
        assert count < total, "one portfolio holds fewer open risks than the whole portfolio"
        per_portfolio.append(count)
    assert sum(per_portfolio) == total


def test_a_cell_lists_exactly_its_open_risks(snap, period) -> None:
    f = Filters(scope="all", period=period)
    p, i = risks.matrix(f).sort_values("risks").iloc[-1][["probability", "impact"]].astype(int)
    expected = snap.execute(
        "WITH latest AS (SELECT * FROM mart_risk WHERE as_of_date <= $end "
        "                QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)) "
        "SELECT risk_id FROM latest WHERE probability = $p AND impact = $i AND list_contains($open, status)",
        {"end": month_end(period), "p": p, "i": i, "open": list(OPEN_STATUSES)}).fetchall()
    listed = risks.cell(f, p, i)
    assert sorted(listed["risk_id"]) == sorted(r[0] for r in expected)
    assert len(listed) > 1


def test_a_past_month_shows_the_register_as_it_stood(snap, earlier) -> None:
    register = risks.register(Filters(scope="all", period=earlier))
    assert register["as_of_date"].max().date() <= month_end(earlier)
    expected = snap.execute(
        "SELECT risk_id FROM mart_risk WHERE as_of_date <= $end "
        "QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)", {"end": month_end(earlier)}).fetchall()
    assert sorted(register["risk_id"]) == sorted(r[0] for r in expected)


def test_the_story_risk_escalates_then_materialises_and_stays_open(period) -> None:
    seen: dict[str, list[str]] = {}
    for back in range(6):
        moves = risks.moves(Filters(scope="all", period=str(pd.Period(period) - back)))
        for row in moves[moves["risk_id"] == STORY_RISK].itertuples():
            seen.setdefault(row.change, []).append(row.band_after)
    assert "critical" in seen.get("escalated", [])
    assert "closed" not in seen  # a materialised risk stays in the exposure until it is closed


def test_exposure_trend_of_the_month_equals_the_open_scores(snap, period) -> None:
    trend = risks.exposure_trend(Filters(scope="all", period=period))
    last = trend[trend["as_of_date"].dt.date == month_end(period)]
    assert last["exposure"].sum() == pytest.approx(direct_cells(snap, period)["exposure"].sum())
    assert last["risks"].sum() == direct_cells(snap, period)["risks"].sum()


# --- schedule ------------------------------------------------------------------------------------------

def test_the_slipping_project_slips_further_every_snapshot(period) -> None:
    trend = schedule.slip_trend(Filters(scope="all", period=period))
    assert STORIES["slipping"] in schedule.latest_slip(trend).index[:3]  # among the default lines
    milestones = schedule.slip_trend_milestones(Filters(scope="all", period=period), [STORIES["slipping"]])
    assert set(milestones["project_id"]) == {STORIES["slipping"]}
    assert milestones.groupby("as_of_date")["slip_days"].max().to_dict() == trend[
        trend["project_id"] == STORIES["slipping"]].set_index("as_of_date")["slip_days"].to_dict()
    slipping = trend[(trend["project_id"] == STORIES["slipping"])
                     & (trend["as_of_date"] >= pd.Timestamp("2026-01-01"))].sort_values("as_of_date")
    assert len(slipping) >= 6
    assert slipping["slip_days"].is_monotonic_increasing
    assert slipping["slip_days"].iloc[-1] > slipping["slip_days"].iloc[0] + 30
    worst = schedule.slip_by_project(Filters(scope="all", period=period))
    assert worst.iloc[0]["slip_days"] >= slipping["slip_days"].iloc[-1]  # sorted worst first


def test_a_project_closed_late_has_spi_one_but_spi_t_below_one(period) -> None:
    row = schedule.indices(Filters(scope="all", period=period)).set_index("project_id").loc[STORIES["closed_late"]]
    assert row["spi"] == pytest.approx(1.0)
    assert row["spi_t"] < 0.95
    assert row["spi_t_rag"] in ("amber", "red")


# A milestone is overdue at a month end when, at its project's latest snapshot on or before that day, it is not done
# and its planned date (forecast, else baseline) has passed, unless its project was closed or cancelled by then:
# finished on or before the month end, or (closed / cancelled without a finish date) last reported on or before it.
OVERDUE = """
WITH latest AS (
    SELECT * FROM mart_milestone_slip WHERE as_of_date <= $end
    QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)
),
gone AS (
    SELECT p.project_id FROM dim_project AS p
    LEFT JOIN (SELECT project_id, max(report_date) AS last FROM mart_status_feed GROUP BY 1) AS s USING (project_id)
    WHERE p.actual_finish_date <= $end
       OR (p.status IN ('closed', 'cancelled') AND p.actual_finish_date IS NULL
           AND coalesce(s.last, (SELECT as_of_date FROM dim_report_date)) <= $end)
)
SELECT project_id, milestone_id, project_id IN (SELECT project_id FROM gone) AS project_gone
FROM latest WHERE actual_date IS NULL AND baseline_date < $end  -- past its baseline (the commitment), not done
"""


def test_milestones_and_on_time_rate_match_the_snapshot(snap, period) -> None:
    f = Filters(scope="all", period=period)
    m = schedule.milestones(f)
    end = month_end(period)
    rows = snap.execute(
        "SELECT milestone_id, project_id, actual_date, forecast_date, baseline_date, slip_days FROM mart_milestone_slip"
        " WHERE as_of_date <= $end QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY project_id)",
        {"end": end}).df()
    assert len(m) == len(rows)
    done = rows[rows["actual_date"].notna()]
    rate, on_time, completed = schedule.on_time_rate(m)
    assert completed == len(done)
    assert on_time == int((done["slip_days"] <= 0).sum())  # on_time_tolerance_days = 0
    assert rate == pytest.approx(on_time / completed)


@pytest.mark.parametrize("months_back", [0, 6, 7])
def test_overdue_milestones_leave_out_closed_and_cancelled_projects(snap, period, months_back) -> None:
    month = str(pd.Period(period) - months_back)
    f = Filters(scope="all", period=month)
    late = snap.execute(OVERDUE, {"end": month_end(month)}).df()
    expected = late[~late["project_gone"]]
    overdue = schedule.overdue(f)
    assert sorted(zip(overdue["project_id"], overdue["milestone_id"], strict=True)) == sorted(
        zip(expected["project_id"], expected["milestone_id"], strict=True))
    tile = next(one for one in schedule.tiles(f, schedule.milestones(f)) if one.label == "Overdue milestones")
    assert tile.value == str(len(expected))
    if months_back == 0:
        # the cancelled project's last snapshot (April) still lists a milestone past its date: not overdue work
        gone = set(late.loc[late["project_gone"], "project_id"])
        assert gone == {STORIES["cancelled"]}, "the demo's only stale open milestone is the cancelled project's"
        assert STORIES["cancelled"] not in set(overdue["project_id"])
        detail = project.section("milestones", f, STORIES["cancelled"])
        assert len(detail) and not detail["is_overdue"].any()
    cancelled = schedule.milestones(f, (STORIES["cancelled"],))
    not_done = cancelled[cancelled["actual_date"].isna()]
    assert len(not_done), "the cancelled project left milestones unfinished"
    # open while the project ran (March 2026), no longer once it was cancelled (last report 28 April 2026)
    if months_back == 7:
        assert not_done["is_open"].all()
    else:
        assert not not_done["is_open"].any() and not not_done["is_overdue"].any()


# --- budget & EVM --------------------------------------------------------------------------------------

def test_evm_table_is_the_mart_and_the_roll_up_sums_before_dividing(snap, period) -> None:
    f = Filters(scope="all", period=period)
    table = budget_evm.table(f).set_index("project_id")
    mart = snap.execute("SELECT * FROM mart_evm WHERE period = $p", {"p": period}).df().set_index("project_id")
    for column in ("pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi", "es", "spi_t", "sv_t"):
        pd.testing.assert_series_equal(table.loc[mart.index, column], mart[column], check_names=False,
                                       check_dtype=False)
    measured = mart[mart["ev"].notna() & (mart["ac"] > 0)]
    roll = budget_evm.rollup(f).iloc[0]
    assert roll["cpi"] == round(measured["ev"].sum() / measured["ac"].sum(), 4)  # indices: 4 decimals
    assert roll["spi"] == round(measured["ev"].sum() / measured["pv"].sum(), 4)
    assert roll["cpi"] != pytest.approx((measured["ev"] / measured["ac"]).mean())  # never an average of indices


def test_null_ratios_stay_null_not_zero_or_infinite(period) -> None:
    table = budget_evm.table(Filters(scope="all", period=period))
    no_cost = table[table["ac"].fillna(0) == 0]
    assert no_cost["cpi"].isna().all() and no_cost["tcpi"].isna().all()
    ratios = table[["cpi", "spi", "tcpi", "spi_t"]].astype(float)
    assert not ratios.isin([float("inf"), float("-inf")]).any().any()
    assert set(table.loc[table["cpi"].isna(), "cpi_rag"]) <= {"grey"}  # unknown is never green


def test_portfolio_s_curve_plan_reaches_the_portfolio_bac(snap, period) -> None:
    name = portfolios(snap)[0]
    curve = budget_evm.portfolio_curve(Filters(scope="all", portfolios=(name,), period=period))
    bac = snap.execute("SELECT sum(bac) FROM dim_project WHERE portfolio = $p AND has_budget_plan",
                       {"p": name}).fetchone()[0]
    assert curve["pv_plan"].iloc[-1] == pytest.approx(bac)
    assert curve["pv_plan"].is_monotonic_increasing
    assert curve.loc[curve["period"] > period, ["ev", "ac"]].isna().all().all()  # nothing after the month


def test_project_curve_hides_figures_after_the_selected_month(earlier) -> None:
    curve = budget_evm.project_curve(Filters(scope="all", period=earlier), STORIES["slipping"])
    after = curve[curve["period"] > earlier]
    assert len(after) and after[["pv", "ev", "ac"]].isna().all().all()
    assert after["pv_plan"].notna().all()


# --- resources -----------------------------------------------------------------------------------------

def test_team_utilisation_sums_hours_and_capacity_before_dividing(snap, period) -> None:
    f = Filters(scope="all", period=period)
    week_from, week_to = resources.window(f, 4)
    teams = resources.team_weeks(f, week_from, week_to)
    direct = snap.execute(
        "SELECT coalesce(team, '(no team)') AS team, week_start, sum(hours_logged) / sum(capacity_hours) AS u "
        "FROM mart_utilisation WHERE week_start BETWEEN $a AND $b GROUP BY ALL", {"a": week_from, "b": week_to}).df()
    merged = teams.merge(direct, on=["team", "week_start"], validate="one_to_one")
    assert len(merged) == len(direct) == len(teams)
    assert merged["utilisation"].to_numpy() == pytest.approx(merged["u"].to_numpy())
    overloaded = teams[teams["team"] == STORIES["overloaded_team"]]
    assert (overloaded["utilisation"] > 1.0).all(), "the demo's overloaded team logs more than its capacity"
    assert STORIES["overloaded_team"] in set(resources.busiest_teams(teams, 3)["team"])
    totals = resources.weekly_totals(teams)
    assert totals["hours_logged"].sum() == pytest.approx(teams["hours_logged"].sum())
    people = resources.people_month(f)
    assert people["hours_logged"].sum() == pytest.approx(snap.execute(
        "SELECT sum(hours_logged) FROM mart_utilisation WHERE week_start BETWEEN $a AND $b",
        {"a": month_end(period).replace(day=1), "b": month_end(period)}).fetchone()[0])


def test_people_are_flagged_over_and_under_allocated_by_the_configured_thresholds(period) -> None:
    people = resources.people_month(Filters(scope="all", period=period))
    over, under = resources.thresholds()
    assert (people.loc[people["allocation"] == "over", "utilisation"] > over).all()
    assert (people.loc[people["allocation"] == "under", "utilisation"] < under).all()
    assert people["allocation"].eq("over").any() and people["allocation"].eq("under").any()


def test_department_filter_restricts_people(snap, period) -> None:
    everyone = resources.people_month(Filters(scope="all", period=period))
    department = everyone["department"].dropna().mode()[0]
    some = resources.people_month(Filters(scope="all", departments=(department,), period=period))
    assert 0 < len(some) < len(everyone)
    assert set(some["department"]) == {department}


# --- performance ---------------------------------------------------------------------------------------

def test_driver_points_add_up_to_the_health_score(snap, period) -> None:
    health = performance.health(Filters(scope="all", period=period))
    scored = health[health["health_score"].notna()]
    points = scored[[f"{d}_points" for d in performance.DRIVERS]].sum(axis=1)
    # the drivers and the score are each held to one decimal: their points add up to within 0.1
    assert points.to_numpy() == pytest.approx(scored["health_score"].to_numpy(), abs=0.1)
    direct = dict(snap.execute("SELECT project_id, health_score FROM mart_health WHERE period = $p",
                               {"p": period}).fetchall())
    assert scored.set_index("project_id")["health_score"].to_dict() == pytest.approx(
        {k: v for k, v in direct.items() if v is not None})
    ranking = performance.ranking(Filters(scope="all", period=period))
    assert ranking["health_score"].is_monotonic_increasing


def test_declared_vs_computed_rag_disagreements(snap, period) -> None:
    health = performance.health(Filters(scope="all", period=period))
    agreement = performance.rag_agreement(health)
    assert agreement["projects"].sum() == int(health["has_figures"].sum())
    flagged = performance.disagreements(health)
    direct = snap.execute("SELECT count(*) FROM mart_health WHERE period = $p AND rag_disagrees",
                          {"p": period}).fetchone()[0]
    assert len(flagged) == direct > 0
    assert (flagged["computed_rag"] != flagged["declared_rag"]).all()


def test_every_unknown_driver_says_why(snap, period) -> None:
    """PRJ-006's October risks failed the gate: its risk driver reads unknown with that reason, never a blank; every
    other unknown driver of the month names its gap (the project detail's drivers and Performance's column)."""
    f = Filters(scope="all", period=period)
    drivers = project.drivers(project.summary(f, "PRJ-006")).set_index("driver")
    assert pd.isna(drivers.loc["Risk exposure", "score"])
    assert drivers.loc["Risk exposure", "input"] == "unknown: risks failed the quality gate (risk driver unknown)"
    assert drivers.loc["Cost", "input"].startswith("CPI: ")  # a known driver shows its input
    health = performance.health(f)
    unknown = health[health[[f"{d}_score" for d in performance.DRIVERS]].isna().any(axis=1)]
    assert len(unknown) and unknown["unknown_drivers"].notna().all()
    no_checks = snap.execute("SELECT project_id FROM mart_health WHERE period = $p AND quality_score IS NULL "
                             "AND NOT quality_gate_failed", {"p": period}).fetchall()
    for (project_id,) in no_checks:
        row = health.set_index("project_id").loc[project_id]
        assert "Quality: no quality checks in the month" in row["unknown_drivers"]


def test_performance_names_the_three_rags_with_the_overviews_counts(period) -> None:
    f = Filters(period=period)
    _, computed = overview.headline(f)
    line = performance.three_rags(f)
    words = {"red": "Red", "amber": "Amber", "green": "Green", "grey": "Unknown"}
    expected = ", ".join(f"{computed.get(rag, 0)} {word}" for rag, word in words.items())
    assert f"({expected})" in line  # the computed RAG counts are the overview tile's
    active = overview.projects(f).query("is_active")
    assert f"{len(active)} active projects" in line
    declared = active["declared_rag"].fillna("grey").value_counts()
    assert ", ".join(f"{declared.get(rag, 0)} {word}" for rag, word in words.items()) in line


def test_lineage_leads_to_the_row_of_the_file_each_record_came_from(demo_db: Path, period) -> None:
    """Every status report, risk, change and RAID item of PRJ-001 in the lineage tab names a file and a row number
    that, read back from the warehouse's raw tables, is that very record; the newest load comes first."""
    lineage = project.section("lineage", Filters(period=period), "PRJ-001")
    assert lineage["loaded_at"].is_monotonic_decreasing
    keys = {"status": ("raw_status", "CAST(report_date AS VARCHAR)"), "risks": ("raw_risks", "risk_id"),
            "changes": ("raw_changes", "change_id"), "issues": ("raw_issues", "item_id")}
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for source, (table, key) in keys.items():
            rows = lineage[lineage["source"] == source]
            assert len(rows), source
            for record, file_name, row in rows[["record", "file_name", "source_row"]].itertuples(index=False):
                found = con.execute(f"SELECT project_id, {key} FROM {table} WHERE _source_file = ? AND _source_row = ?",
                                    [file_name, int(row)]).fetchall()
                assert found == [("PRJ-001", record.split(" @ ")[0])], (source, record, file_name, row)
    budgets = lineage[lineage["source"] == "budgets"]  # aggregated in the marts: the load, without a row
    assert len(budgets) and budgets["source_row"].isna().all()


# --- changes, issues, quality, documents, closure ------------------------------------------------------

def test_change_log_shows_decisions_as_they_stood(snap) -> None:
    # a month at whose end some request, decided later, was still pending
    month = snap.execute("SELECT strftime(max(submitted_date), '%Y-%m') FROM mart_changes "
                         "WHERE decision_date > last_day(submitted_date)").fetchone()[0]
    assert month, "the demo decides some requests in a later month than their submission"
    end = month_end(month)
    log = changes.log(Filters(scope="all", period=month))
    submitted = snap.execute("SELECT count(*) FROM mart_changes WHERE submitted_date <= $e", {"e": end}).fetchone()
    assert len(log) == submitted[0]
    later = [r[0] for r in snap.execute(
        "SELECT change_id FROM mart_changes WHERE submitted_date <= $e AND decision_date > $e", {"e": end}).fetchall()]
    assert later
    decided_later = log.set_index("change_id").loc[later]
    assert set(decided_later["decision"]) == {"pending"}
    assert decided_later["decision_date"].isna().all() and decided_later["cycle_days"].isna().all()
    cumulative = changes.cumulative(log)
    approved = log[log["decision"] == "approved"]
    assert cumulative["cum_cost_impact"].iloc[-1] == pytest.approx(approved["cost_impact"].fillna(0).sum())


def test_open_items_at_a_month_end(snap, earlier) -> None:
    items = issues_actions.items(Filters(scope="all", period=earlier))
    open_items = issues_actions.open_items(items)
    end = month_end(earlier)
    direct = snap.execute(
        "SELECT count(*) FROM mart_issues WHERE raised_date <= $e "
        "AND NOT coalesce(closed_date <= $e OR (status = 'closed' AND closed_date IS NULL), false)",
        {"e": end}).fetchone()[0]
    assert len(open_items) == direct
    by_age = issues_actions.by_age(open_items)
    assert by_age["items"].sum() == direct
    assert set(by_age["age_band"]) <= set(issues_actions.age_bands()) == {"0-30", "31-60", "61-90", "90+"}
    assert issues_actions.age_bands()["90+"] == "over 90 days"
    overdue = issues_actions.overdue_actions(open_items)
    assert (overdue["kind"] == "action").all() and (overdue["due_date"].dt.date < end).all()


def test_quality_pass_rate_by_month(snap, period) -> None:
    monthly = quality.monthly(Filters(scope="all", period=period)).set_index("period")
    direct = snap.execute(
        "SELECT period, (sum(passed) + 0.5 * sum(conditional)) / sum(checks) AS rate, sum(defects_open) AS open "
        "FROM mart_quality WHERE period <= $p GROUP BY 1", {"p": period}).df().set_index("period")
    assert monthly.index.tolist() == sorted(direct.index)
    assert monthly["pass_rate"].to_numpy() == pytest.approx(direct.loc[monthly.index, "rate"].to_numpy())
    assert monthly["defects_open"].tolist() == direct.loc[monthly.index, "open"].astype(int).tolist()


def test_mandatory_documents_by_state(snap, period) -> None:
    mandatory = documents.mandatory(documents.register(Filters(scope="all", period=period)))
    direct = dict(snap.execute("SELECT state, count(*) FROM mart_documents WHERE is_mandatory GROUP BY 1").fetchall())
    assert mandatory["state"].value_counts().to_dict() == direct  # at the report month: the mart's own states
    per_project = documents.by_project(mandatory)
    assert per_project["mandatory"].sum() == len(mandatory)


def test_closed_projects_and_the_late_one(snap, period, earlier) -> None:
    now = closure_lessons.closed(Filters(scope="all", period=period))
    before = closure_lessons.closed(Filters(scope="all", period=earlier))
    assert set(before["project_id"]) <= set(now["project_id"])
    late = now.set_index("project_id").loc[STORIES["closed_late"]]
    assert late["finish_slip_days"] > 0 and late["lessons"] > 0
    assert STORIES["cancelled"] in set(now["project_id"]), "a cancelled project without a finish date counts too"
    assert len(now) == snap.execute("SELECT count(*) FROM mart_closure").fetchone()[0]  # at the report month


@pytest.mark.parametrize("search", ["", "vendor", "VENDOR", "%", "_", "100%", "'; DROP TABLE mart_lessons; --",
                                    "供应商", "  delay  "])
def test_lesson_search_is_a_literal_case_insensitive_substring(snap, period, search) -> None:
    found = closure_lessons.lessons(Filters(scope="all", period=period), search)
    everything = snap.execute("SELECT lesson_id, description, recommendation, category, project_id, project_name "
                              "FROM mart_lessons WHERE recorded_date <= $e", {"e": month_end(period)}).df()
    needle = search.strip().lower()
    text = everything.drop(columns="lesson_id").fillna("").astype(str).agg(" ".join, axis=1).str.lower()
    expected = everything.loc[text.str.contains(needle, regex=False), "lesson_id"]
    assert sorted(found["lesson_id"]) == sorted(expected)
    assert snap.execute("SELECT count(*) FROM mart_lessons").fetchone()[0] > 0


# --- the pages in AppTest ------------------------------------------------------------------------------

def app(page: str, **query: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_kpis_charts_and_tables(demo_db, page) -> None:
    at = app(page)
    assert at.title and at.metric, "page header and KPI row"
    assert at.get("plotly_chart"), "at least one chart"
    assert at.dataframe, "at least one table"
    assert not at.error
    keys = [w.key for w in (*at.selectbox, *at.multiselect, *at.toggle, *at.text_input, *at.segmented_control,
                            *at.checkbox, *at.date_input, *at.radio, *at.number_input)
            if w.key and w.key not in {"period", "scope", "portfolio", "programme", "department", "manager",
                                       "stage", "rag", "lang"}]
    assert all(k.startswith(f"{page}_") for k in keys), keys  # widget keys are page-prefixed


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_a_past_month_in_chinese(demo_db, page, earlier) -> None:
    at = app(page, period=earlier, lang="zh")
    assert any("\u4e00" <= c <= "\u9fff" for c in at.title[0].value), "a Chinese title"
    year, month = map(int, earlier.split("-"))
    assert f"{year}年{month}月" in " ".join(c.value for c in at.caption), "the page shows the chosen past month"
    assert at.metric


def test_risk_cell_picker_lists_the_risks_of_that_cell(snap, period) -> None:
    f = Filters(period=period)  # the page's default scope: the active portfolio
    p, i = risks.matrix(f).sort_values("risks").iloc[-1][["probability", "impact"]].astype(int)
    at = app("risks")
    at.selectbox(key="risks_probability").select(int(p)).run()
    at.selectbox(key="risks_impact").select(int(i)).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "mitigation" in d.value.columns)
    assert sorted(table["risk_id"]) == sorted(risks.cell(f, p, i)["risk_id"])
    at.segmented_control(key="risks_measure").set_value("exposure").run()
    assert not at.exception


def test_lessons_search_box_filters_the_table(period) -> None:
    at = app("closure_lessons")
    at.text_input(key="closure_lessons_search").input("vendor").run()
    assert not at.exception
    lessons = at.dataframe[-1].value
    assert len(lessons) == len(closure_lessons.lessons(Filters(scope="all", period=period), "vendor")) > 0
    assert metric_value(at, "Lessons") == str(len(lessons))


def test_heavy_sections_render_only_when_toggled(demo_db) -> None:
    at = app("schedule")
    tables = len(at.dataframe)
    at.toggle(key="schedule_show_all").set_value(True).run()
    assert not at.exception and len(at.dataframe) == tables + 1


def metric_value(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# --- static contracts of the analysis pages ------------------------------------------------------------

DASHBOARD = APP.parent
METRICS = ("schedule", "resources", "budget_evm", "risks", "performance", "changes", "issues_actions", "quality",
           "documents", "closure_lessons")
CHARTS = ("schedule", "resources", "evm", "risks", "performance", "changes", "issues", "quality", "documents",
          "closure")


def own_sources() -> list[Path]:
    return ([DASHBOARD / "app_pages" / f"{p}.py" for p in PAGES] + [DASHBOARD / "metrics" / f"{m}.py" for m in METRICS]
            + [DASHBOARD / "charts" / f"{c}.py" for c in CHARTS])


ALL_PAGES = sorted(p.stem for p in (DASHBOARD / "app_pages").glob("*.py"))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_widget_key_names_its_page(page) -> None:
    source = (DASHBOARD / "app_pages" / f"{page}.py").read_text(encoding="utf-8")
    keys = re.findall(r"\bkey=f?[\"']([^\"']+)[\"']", source)
    assert keys and [k for k in keys if not k.startswith(f"{page}_")] == []


@pytest.mark.parametrize("page", ALL_PAGES)
def test_pages_hold_no_sql_and_no_duckdb(page) -> None:
    source = (DASHBOARD / "app_pages" / f"{page}.py").read_text(encoding="utf-8")
    assert "duckdb" not in source and "db.run" not in source
    assert not any(word in source for word in ("SELECT ", " FROM ", "WHERE "))


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_builders_are_pure_plotly(chart) -> None:
    source = (DASHBOARD / "charts" / f"{chart}.py").read_text(encoding="utf-8")
    assert "import streamlit" not in source and "from dashboard import db" not in source


def test_every_text_key_the_pages_use_is_translated() -> None:
    import re

    from dashboard.i18n import TEXT

    keys = set()
    for path in own_sources():
        keys |= set(re.findall(r"""\bt(?:r)?\(\s*["']([a-z_]+\.[a-z0-9_.+-]+)["']""", path.read_text(encoding="utf-8")))
    assert len(keys) > 150
    for lang in ("en", "zh"):
        missing = sorted(k for k in keys if k not in TEXT[lang])
        assert not missing, f"{lang}: {missing}"


@pytest.mark.parametrize("query", sorted(p.stem for p in (DASHBOARD / "queries").glob("*.sql")
                                         if p.stem.split("_")[0] in {"schedule", "resources", "budget", "risks",
                                                                     "performance", "changes", "issues", "quality",
                                                                     "documents", "closure", "analysis"}))
def test_query_files_state_their_grain_and_bind_every_value(query) -> None:
    sql = (DASHBOARD / "queries" / f"{query}.sql").read_text(encoding="utf-8")
    assert sql.startswith("-- one row per"), "first line states the grain"
    assert "{" not in sql and "%s" not in sql, "values are bound ($name), never formatted in"


# --- the risk matrix clicked in a real browser ---------------------------------------------------------

@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium not installed")
def test_clicking_a_risk_matrix_cell_lists_its_risks(demo_db, period) -> None:
    from browser_support import chromium, dashboard_server, open_page, wait_until_ready

    f = Filters(period=period)  # the page's default scope: the active portfolio
    p, i = risks.matrix(f).sort_values("risks").iloc[-1][["probability", "impact"]].astype(int)
    expected = risks.cell(f, p, i)
    with dashboard_server(demo_db) as url, chromium() as browser:
        page, errors = open_page(browser, url)
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Risks", exact=True).click()
        page.locator("h1", has_text="Risks").wait_for()
        wait_until_ready(page)
        matrix = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Probability ×").first
        area = matrix.locator(".nsewdrag").first.bounding_box()  # the plot area: impact 0.5..5.5 x probability
        page.mouse.click(area["x"] + area["width"] * (i - 0.5) / 5, area["y"] + area["height"] * (5.5 - p) / 5)
        caption = page.get_by_text(f"Probability {p} x impact {i}")
        caption.wait_for(timeout=60_000)
        wait_until_ready(page)
        assert f"{len(expected)} open risks" in caption.inner_text()
        assert not errors, errors


# --- the active portfolio ----------------------------------------------------------------------------------

def test_the_active_scope_leaves_closed_cancelled_and_on_hold_projects_out(snap, period) -> None:
    """By default every page counts the portfolio in flight; ?scope=all brings the others back."""
    inactive = {r[0] for r in snap.execute(
        "SELECT project_id FROM dim_project WHERE status = 'on_hold' UNION SELECT project_id FROM mart_closure"
    ).fetchall()}
    assert {STORIES["cancelled"], STORIES["on_hold"]} <= inactive
    active, every = Filters(period=period), Filters(period=period, scope="all")
    assert not inactive & set(overview.projects(active)["project_id"])
    assert inactive <= set(overview.projects(every)["project_id"])
    # risk counts and overdue mitigations: the closed and cancelled projects' stale registers are not open risk
    counted = {scope: int(risks.matrix(f)["risks"].sum()) for scope, f in (("active", active), ("all", every))}
    assert 0 < counted["active"] < counted["all"]
    gone = set(risks.overdue_mitigations(every)["project_id"]) & inactive
    assert gone and not gone & set(risks.overdue_mitigations(active)["project_id"])
    # schedule rankings (worst slip per project)
    assert not inactive & set(schedule.slip_by_project(active)["project_id"])


def test_the_bubble_chart_counts_the_same_red_projects_as_the_red_tile(period) -> None:
    f = Filters(period=period)
    _tiles, rags = overview.headline(f)
    figure = cpi_spi_bubble(overview.projects(f), tr=english)  # what the page draws
    red = sum(len(trace.x) for trace in figure.data if trace.name == "Red")
    assert red == rags.get("red", 0) > 0
