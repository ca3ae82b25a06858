"""mart_risk / mart_risk_exposure: score bands at every boundary, exposure, overdue mitigations, config edits."""

from __future__ import annotations

from datetime import date

import pytest
from marts_support import insert, new_warehouse, one, project, rows, run_build

AS_OF = date(2026, 3, 31)


def risk(risk_id: str, p: int, i: int, status: str = "open", as_of: date = AS_OF, project_id: str = "P1",
         due: date | None = None) -> dict:
    return {"risk_id": risk_id, "project_id": project_id, "title": f"risk {risk_id}", "probability": p,
            "impact": i, "status": status, "owner": "Ann", "category": "supply", "due_date": due,
            "as_of_date": as_of}


# (probability, impact) -> (score, band) at and around every boundary of the default bands
BOUNDARIES = [((1, 1), 1, "low"), ((1, 4), 4, "low"), ((5, 1), 5, "medium"), ((3, 3), 9, "medium"),
              ((2, 5), 10, "high"), ((4, 4), 16, "high"), ((4, 5), 20, "critical"), ((5, 5), 25, "critical")]


@pytest.fixture
def register(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1"), project("P2")])
    insert(con, "risks", [risk(f"R{score}", p, i) for (p, i), score, _band in BOUNDARIES])
    yield con
    con.close()


@pytest.mark.parametrize(("pi", "score", "band"), BOUNDARIES)
def test_band_at_every_boundary(register, pi, score, band):
    run_build(register, as_of=AS_OF)
    r = one(register, "SELECT * FROM mart_risk WHERE risk_id = ?", [f"R{score}"])
    assert (r["probability"], r["impact"]) == pi
    assert (r["score"], r["band"]) == (score, band)
    assert r["is_escalated"] == (band in ("high", "critical"))


def test_editing_the_config_file_changes_a_band(register, edited_config):
    run_build(register, as_of=AS_OF)
    assert one(register, "SELECT band FROM mart_risk WHERE risk_id = 'R10'")["band"] == "high"
    edited_config({'{ name = "medium", max = 9 }': '{ name = "medium", max = 10 }',
                   "green_low = 0.95": "green_low = 0.97"})
    run_build(register, as_of=AS_OF)
    bands = {r["risk_id"]: r["band"] for r in rows(register, "SELECT risk_id, band FROM mart_risk")}
    assert bands["R10"] == "medium"
    assert bands["R9"] == "medium" and bands["R16"] == "high"
    assert one(register, "SELECT low FROM cfg_rag_band WHERE rag = 'green'")["low"] == 0.97


def test_exposure_counts_open_risks_only(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1")])
    insert(con, "risks", [
        risk("A", 4, 4, due=date(2026, 3, 15)),  # 16, open, mitigation overdue
        risk("B", 2, 2, status="mitigating", due=date(2026, 4, 30)),  # 4, open
        risk("C", 5, 5, status="closed", due=date(2026, 1, 31)),  # closed: no exposure, not overdue
        risk("D", 4, 5, status="Open", as_of=date(2026, 2, 28)),  # earlier snapshot, critical
        risk("A", 3, 4, as_of=date(2026, 2, 28), due=date(2026, 3, 15)),  # 12 in February
        risk("LATER", 5, 5, as_of=date(2026, 4, 30)),  # after the report date: ignored
    ])
    run_build(con, as_of=AS_OF)
    march = one(con, "SELECT * FROM mart_risk_exposure WHERE project_id = 'P1' AND as_of_date = ?", [AS_OF])
    assert march["exposure"] == 16 + 4
    assert (march["risks"], march["open_risks"]) == (3, 2)
    assert (march["open_low"], march["open_medium"], march["open_high"], march["open_critical"]) == (1, 0, 1, 0)
    assert march["overdue_mitigations"] == 1
    feb = one(con, "SELECT * FROM mart_risk_exposure WHERE as_of_date = '2026-02-28'")
    assert (feb["exposure"], feb["open_critical"]) == (12 + 20, 1)
    a = one(con, "SELECT * FROM mart_risk WHERE risk_id = 'A' AND as_of_date = ?", [AS_OF])
    assert a["is_overdue_mitigation"] and a["days_overdue"] == 16
    assert (a["previous_score"], a["score_change"], a["band_change"]) == (12, 4, "unchanged")
    assert one(con, "SELECT * FROM mart_risk WHERE risk_id = 'C'")["is_overdue_mitigation"] is False
    assert rows(con, "SELECT * FROM mart_risk WHERE risk_id = 'LATER'") == []


def test_a_config_the_build_cannot_use_is_named(register, edited_config):
    from pipelines.build import ConfigError

    edited_config({'{ name = "high", max = 16 }': '{ name = "high", max = 8 }'})
    with pytest.raises(ConfigError, match=r"\[risk\] bands\[2\]"):
        run_build(register, as_of=AS_OF)


def test_the_same_risk_id_in_two_projects_is_two_risks(tmp_path):
    # Per-project registers number their risks from R-001: the risk's identity is (project, risk id).
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1"), project("P2")])
    insert(con, "risks", [risk("R-001", 5, 5, project_id="P1"), risk("R-001", 1, 2, project_id="P2")])
    run_build(con, as_of=AS_OF)
    assert rows(con, "SELECT project_id, score, band FROM mart_risk ORDER BY project_id") == [
        {"project_id": "P1", "score": 25, "band": "critical"}, {"project_id": "P2", "score": 2, "band": "low"}]
