"""Invariants of the marts on the sample portfolio loaded by the real pipeline (`pmo demo`)."""

from __future__ import annotations

import duckdb
import pytest
from marts_support import one, query_file, rows


@pytest.fixture(scope="module")
def demo(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("mart", ["mart_evm", "mart_health", "mart_utilisation", "mart_closure"])
def test_no_infinity_or_nan_anywhere(demo, mart):
    numeric = [r[0] for r in demo.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND data_type = 'DOUBLE'", [mart]).fetchall()]
    assert numeric
    bad = {c: n for c in numeric
           if (n := demo.execute(f'SELECT count(*) FROM {mart} WHERE isinf("{c}") OR isnan("{c}")').fetchone()[0])}
    assert not bad, f"{mart} has infinite/NaN values: {bad}"


def test_unknown_is_never_green(demo):
    green_unknown = one(demo, """SELECT count(*) AS n FROM mart_health WHERE computed_rag <> 'grey'
                                 AND (cpi IS NULL OR spi IS NULL OR spi_t IS NULL OR is_stale)""")
    assert green_unknown["n"] == 0
    unexplained = one(demo, "SELECT count(*) AS n FROM mart_health WHERE computed_rag = 'grey' AND grey_reason IS NULL")
    assert unexplained["n"] == 0


def test_every_planned_project_has_health_at_the_report_month(demo):
    missing = rows(demo, """
        SELECT p.project_id FROM dim_project p, dim_report_date r
        WHERE p.first_planned_month <= r.as_of_month
          AND NOT EXISTS (SELECT 1 FROM mart_health h
                          WHERE h.project_id = p.project_id AND h.period = r.as_of_period)""")
    assert missing == []


def test_total_rollup_matches_the_projects(demo):
    period = one(demo, "SELECT as_of_period FROM dim_report_date")["as_of_period"]
    params = {"level": "total", "period": period, "portfolios": [], "programmes": [], "departments": [],
              "managers": [], "stages": [], "rags": [], "active_only": False,
              "month_end": one(demo, "SELECT as_of_date FROM dim_report_date")["as_of_date"]}
    total = one(demo, query_file("evm_rollup"), params)
    sums = one(demo, """SELECT sum(ev) AS ev, sum(ac) AS ac, count(*) AS n FROM mart_evm
                        WHERE period = ? AND ev IS NOT NULL AND ac > 0""", [period])
    assert total["projects_measured"] == sums["n"] > 0
    assert total["cpi"] == float(round(sums["ev"] / sums["ac"], 4))  # exact sums of cents, one division, 4 decimals


def test_the_misscored_risk_export_is_quarantined_and_greys_that_project_only(demo):
    from pipelines.demo import BAD_EXPORT_IMPACT, BAD_EXPORT_PROJECT, BAD_EXPORT_ROWS

    held = rows(demo, """SELECT q.file_name, q.rule, q.record->>'project_id' AS project_id,
                                CAST(q.record->>'impact' AS INTEGER) AS impact
                         FROM quarantine q JOIN load_log l USING (load_id) WHERE l.status = 'loaded_with_quarantine'""")
    assert held == [{"file_name": "risks_2026-10.csv", "rule": "impact_between_1_and_5",
                     "project_id": BAD_EXPORT_PROJECT, "impact": BAD_EXPORT_IMPACT}] * BAD_EXPORT_ROWS
    greyed = rows(demo, "SELECT project_id, period, health_grey_reason FROM mart_health "
                        "WHERE risks_gate_failed ORDER BY period")
    assert greyed == [{"project_id": BAD_EXPORT_PROJECT, "period": "2026-10",
                       "health_grey_reason": "risks failed the quality gate (risk driver unknown)"}]
    assert one(demo, "SELECT health_rag FROM mart_health WHERE project_id = ? AND period = '2026-10'",
               [BAD_EXPORT_PROJECT])["health_rag"] == "grey"
