"""mart_utilisation / mart_utilisation_team: capacity prorated to employment dates, zero weeks, team sums."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from marts_support import approx, insert, new_warehouse, one, project, query_file, rows, run_build

from dashboard.filters import Filters

WEEK1 = date(2026, 3, 2)  # a Monday
WEEK2 = date(2026, 3, 9)


def person(employee_id: str, capacity: float | None, start: date | None = None, end: date | None = None,
           team: str = "Platform") -> dict:
    return {"employee_id": employee_id, "name": employee_id, "team": team, "department": "IT",
            "weekly_capacity_hours": capacity, "start_date": start, "end_date": end}


def day(employee_id: str, work_date: date, hours: float, billable: bool = True, project: str = "P1") -> dict:
    return {"employee_id": employee_id, "project_id": project, "work_date": work_date, "hours": hours,
            "activity": "build", "billable": billable}


@pytest.fixture
def staffed(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "people", [
        person("JOINER", 40, start=date(2026, 3, 4)),  # joins on Wednesday of week 1
        person("PART", 20, start=date(2025, 1, 1)),  # part-time
        person("LEAVER", 40, start=date(2024, 1, 1), end=date(2026, 3, 10)),  # leaves Tuesday of week 2
        person("DEFAULT", None, start=date(2024, 1, 1), team="Data"),  # blank capacity -> 40
    ])
    insert(con, "timesheets", [
        *(day("JOINER", WEEK1 + timedelta(days=d), 8) for d in (2, 3, 4)),  # Wed-Fri: 24 h
        *(day("JOINER", WEEK2 + timedelta(days=d), 8 + (4 if d == 0 else 0)) for d in range(5)),  # 44 h
        day("PART", WEEK1, 6, billable=True),
        day("PART", WEEK1 + timedelta(days=1), 4, billable=False),  # 10 h, 6 billable
        day("DEFAULT", WEEK2, 8),
    ])
    run_build(con, as_of=date(2026, 3, 31))
    yield con
    con.close()


def util(con, employee_id: str, week: date) -> dict:
    return one(con, "SELECT * FROM mart_utilisation WHERE employee_id = ? AND week_start = ?", [employee_id, week])


def test_joiner_mid_week_capacity_is_prorated(staffed):
    first = util(staffed, "JOINER", WEEK1)
    assert first["capacity_hours"] == approx(24.0)  # 40 h x 3 working days / 5
    assert first["hours_logged"] == approx(24.0)
    assert first["utilisation"] == approx(1.0)
    assert not first["over_allocated"] and not first["under_allocated"]
    second = util(staffed, "JOINER", WEEK2)
    assert (second["capacity_hours"], second["hours_logged"]) == (approx(40.0), approx(44.0))
    assert second["utilisation"] == approx(1.1)
    assert second["over_allocated"]
    assert second["working_days_employed"] == 5


def test_part_time_person_and_zero_weeks(staffed):
    first = util(staffed, "PART", WEEK1)
    assert first["capacity_hours"] == approx(20.0)
    assert first["utilisation"] == approx(0.5)
    assert first["billable_hours"] == approx(6.0)
    assert first["billable_share"] == approx(0.6)
    assert first["under_allocated"]  # 50 % < 60 %
    second = util(staffed, "PART", WEEK2)  # employed, nothing logged: 0 %, not missing
    assert (second["hours_logged"], second["capacity_hours"], second["utilisation"]) == (0, approx(20.0), 0)


def test_leaver_and_default_capacity(staffed):
    leaver = util(staffed, "LEAVER", WEEK2)
    assert leaver["capacity_hours"] == approx(16.0)  # Mon + Tue
    assert leaver["utilisation"] == 0
    assert util(staffed, "DEFAULT", WEEK2)["capacity_hours"] == approx(40.0)
    # weeks run over the span of timesheet data only: week 1 and week 2
    weeks = {r["week_start"] for r in rows(staffed, "SELECT DISTINCT week_start FROM mart_utilisation")}
    assert weeks == {WEEK1, WEEK2}
    # the joiner is not employed before week 1 ... and nobody has a row outside the span
    assert len(rows(staffed, "SELECT * FROM mart_utilisation WHERE employee_id = 'JOINER'")) == 2


def test_team_rollup_sums_first(staffed):
    team = one(staffed, "SELECT * FROM mart_utilisation_team WHERE team = 'Platform' AND week_start = ?", [WEEK1])
    # JOINER 24/24, PART 10/20, LEAVER 0/40: 34 / 84, not the mean of 100 %, 50 %, 0 %
    assert team["hours_logged"] == approx(34.0)
    assert team["capacity_hours"] == approx(84.0)
    assert team["utilisation"] == approx(34 / 84)
    assert team["people"] == 3 and team["iso_week"] == "2026-W10"
    assert team["over_allocated_people"] == 0 and team["under_allocated_people"] == 2
    by_dept = rows(staffed, query_file("utilisation_rollup"),
                   {**Filters(period=f"{WEEK1:%Y-%m}").params(), "level": "department", "week_from": WEEK1,
                    "week_to": WEEK2})
    assert [(r["group_name"], r["week_start"]) for r in by_dept] == [("IT", WEEK1), ("IT", WEEK2)]
    # week 2: JOINER 44/40, PART 0/20, LEAVER 0/16, DEFAULT 8/40
    assert by_dept[1]["utilisation"] == approx(52 / 116)


def test_project_filters_keep_the_people_who_booked_to_the_selected_projects(tmp_path):
    con = new_warehouse(tmp_path)
    insert(con, "projects", [project("P1", portfolio="Growth"), project("P2", portfolio="Run")])
    insert(con, "people", [person("ANN", 40, start=date(2025, 1, 1)), person("BOB", 40, start=date(2025, 1, 1)),
                           person("IDLE", 40, start=date(2025, 1, 1))])
    insert(con, "timesheets", [
        day("ANN", WEEK1, 30, project="P1"), day("ANN", WEEK1 + timedelta(days=1), 10, project="P2"),  # 40 h
        day("BOB", WEEK1, 20, project="P2"),  # 20 h, Run only
        day("IDLE", WEEK2, 8, project="P2"),  # books to Run in week 2 only
    ])
    run_build(con, as_of=date(2026, 3, 31))
    assert rows(con, "SELECT project_id, employee_id, hours_logged FROM mart_time_booked "
                     "WHERE week_start = ? ORDER BY ALL", [WEEK1]) == [
        {"project_id": "P1", "employee_id": "ANN", "hours_logged": approx(30)},
        {"project_id": "P2", "employee_id": "ANN", "hours_logged": approx(10)},
        {"project_id": "P2", "employee_id": "BOB", "hours_logged": approx(20)}]

    def people(portfolios: tuple[str, ...]) -> dict[str, float]:
        params = {**Filters(portfolios=portfolios, period="2026-03").params(), "week_from": WEEK1, "week_to": WEEK1}
        return {r["employee_id"]: float(r["hours_logged"]) for r in rows(con, query_file("resources_people"), params)}

    # unfiltered: everyone employed in week 1; IDLE logged nothing that week
    assert people(()) == {"ANN": 40, "BOB": 20, "IDLE": 0}
    # Growth: only ANN booked to P1, and she counts with her whole week (30 h on P1 + 10 h on P2)
    assert people(("Growth",)) == {"ANN": 40}
    # Run: ANN and BOB booked to P2 in week 1; IDLE only in week 2, outside the weeks asked for
    assert people(("Run",)) == {"ANN": 40, "BOB": 20}
    total = {**Filters(portfolios=("Run",), period="2026-03").params(), "level": "total", "week_from": WEEK1,
             "week_to": WEEK1}
    assert one(con, query_file("utilisation_rollup"), total)["utilisation"] == approx(60 / 80)
    con.close()
