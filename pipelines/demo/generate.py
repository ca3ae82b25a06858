"""Generate the demo portfolio as the files a PMO really receives, for all twelve sources.

    generate(out_dir) -> [paths in load order]

Deterministic: a fixed seed, a fixed "today" (dates.TODAY = 2026-10-31, never the clock) and byte-stable
writers, so two runs give identical files. 60 projects in 3 portfolios / 8 programmes / 6 departments,
400 people in 40 teams, 24 months of history (2024-11 .. 2026-10).

Snapshot sources (status, milestones, risks) come as one backfill file with an `as_of_date` column for
2024-11 .. 2026-04 plus one file per month for 2026-05 .. 2026-10 whose as-of date is in the file name
(`status_2026-10.csv` = 2026-10-31), so nothing needs `--as-of`.

Formats a PMO meets, on purpose: projects and the RAID log are XLSX exports with human headers and real date
cells; people.csv has a UTF-8 BOM and accented names; timesheets come per quarter, 2024-Q4 as XLSX, 2025-Q2
from a Chinese tool (GB18030, Chinese headers, 是/否 for billable), 2025-Q3 semicolon-delimited; quality
checks use DD.MM.YYYY dates. Every header is a canonical name or a built-in alias of contract/sources.py.

The stories an executive should spot are in STORIES (story -> project id, or team name for the team).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.demo import registers, reports
from pipelines.demo.dates import HISTORY_MONTHS, RECENT_MONTHS, TODAY, last_day, period
from pipelines.demo.org import OVERLOADED_TEAM, Person, make_people
from pipelines.demo.portfolio import STALE_PROJECTS, STORY_PROJECTS, Project, make_projects
from pipelines.demo.timesheets import OVERLOAD_FROM, timesheets
from pipelines.demo.writers import write_csv, write_xlsx

SEED = 20261031
# A data-quality story: in its latest risk export this project scored two risks' impact on a 1-10 scale.
BAD_EXPORT_PROJECT, BAD_EXPORT_IMPACT, BAD_EXPORT_ROWS = "PRJ-006", 10, 2

STORIES: dict[str, str] = {
    "slipping": STORY_PROJECTS["slipping"],  # milestones slip every month, SPI amber -> red, PM declares green
    "over_budget_on_time": STORY_PROJECTS["over_budget_on_time"],  # CPI 0.80, SPI 1.00
    "overloaded_team": OVERLOADED_TEAM,  # a TEAM (people.team): 50-60 h weeks since OVERLOAD_FROM
    "risk_materialises": STORY_PROJECTS["risk_materialises"],  # risk STORY_RISK low -> critical -> materialised
    "closed_late": STORY_PROJECTS["closed_late"],  # closed three months after the planned finish
    "healthy": STORY_PROJECTS["healthy"],  # green, on plan, on budget
    "on_hold": STORY_PROJECTS["on_hold"],  # on hold since July 2026
    "cancelled": STORY_PROJECTS["cancelled"],  # cancelled in April 2026
    "bad_export": BAD_EXPORT_PROJECT,  # its October risk export breaks the gate: health RAG grey
}
STORY_RISK = registers.story_risk_id(STORIES["risk_materialises"])
STALE = STALE_PROJECTS  # active projects with no status report in the last two months (Sep, Oct 2026)
STORY_NOTES = {
    "slipping": "Customer Portal Relaunch: loses pace from January 2026; every snapshot moves its milestone "
                "forecasts later and SPI drifts through amber to red, while the PM declares green until August.",
    "over_budget_on_time": "Warehouse Automation Phase 2: on schedule (SPI 1.0) but actuals 25 % above earned "
                           "value (CPI 0.8); a budget-increase change request is pending.",
    "overloaded_team": "Platform Engineering: carries the slipping project and logs 50-60 h a week "
                       f"(over 120 % utilisation) from {OVERLOAD_FROM:%d %B %Y}; one member leaves in September.",
    "risk_materialises": "ERP Finance Module: 'Integration supplier in financial distress' rises from low "
                         "(2x2) to critical (4x5), materialises in August 2026; a cost change request follows.",
    "closed_late": "Data Centre Exit: planned to finish in March 2026, closed in June 2026; lessons recorded.",
    "healthy": "Payroll Consolidation: green every month, CPI and SPI within 2 % of 1.0.",
    "on_hold": "Mobile App v3: on hold since July 2026 pending a funding decision.",
    "cancelled": "Loyalty Programme Revamp: cancelled by the steering committee in April 2026.",
    "bad_export": "Chatbot for Customer Support: two of its October risks were scored on a 1-10 scale (impact "
                  "10); the gate quarantines them, so its risk driver and health RAG are unknown (grey) for "
                  "October while every other number loads.",
}

TIMESHEET_CN = {"employee_id": "员工编号", "project_id": "项目编号", "work_date": "工作日期", "hours": "工时",
                "activity": "活动", "billable": "可计费"}
CN_BOOL = {True: "是", False: "否"}
XLSX_QUARTER, CHINESE_QUARTER, SEMICOLON_QUARTER = "2024-Q4", "2025-Q2", "2025-Q3"


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the sample portfolio's files into out_dir; return them in load order (projects, people first)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    people = make_people(seed)
    projects = make_projects(seed, people)
    hours = timesheets(people, projects, seed)  # first: it records which teams worked on which project
    files = [_projects(projects, out_dir), _people(people, out_dir),
             write_csv(reports.budgets(projects), out_dir / "budgets.csv")]
    files += _snapshots(reports.status(projects, seed), "status", out_dir, by="report_date")
    files += _snapshots(reports.milestones(projects, seed), "milestones", out_dir)
    files += _snapshots(_misscored(registers.risks(projects, seed)), "risks", out_dir)
    files += _timesheets(hours, out_dir)
    files.append(write_csv(registers.changes(projects, seed), out_dir / "changes.csv"))
    raid = registers.raid(projects, people, seed)
    files.append(write_xlsx(raid, out_dir / "raid_log.xlsx", sheet="RAID log",
                            header=["RAID ID", "Project", "Type", "Description", "Status", "Raised", "Owner",
                                    "Due", "Closed"]))
    files.append(write_csv(registers.quality(projects, seed), out_dir / "quality_checks.csv",
                           date_format="%d.%m.%Y"))
    files.append(write_csv(registers.documents(projects, seed), out_dir / "documents.csv"))
    files.append(write_csv(registers.lessons(projects, seed), out_dir / "lessons.csv"))
    return files


def _projects(projects: list[Project], out_dir: Path) -> Path:
    frame = pd.DataFrame([{
        "project_id": p.pid, "project_name": p.name, "portfolio": p.portfolio, "programme": p.programme,
        "department": p.department, "sponsor": p.sponsor, "manager": p.manager, "lifecycle_stage": p.stage,
        "status": p.status, "priority": p.priority, "start_date": p.start_date,
        "planned_finish_date": p.planned_finish, "actual_finish_date": p.actual_finish,
        "budget_at_completion": p.bac, "currency": "EUR"} for p in projects])
    return write_xlsx(frame, out_dir / "projects.xlsx", sheet="Projects",
                      header=["Project ID", "Project Name", "Portfolio", "Programme", "Department", "Sponsor",
                              "Project Manager", "Stage", "Status", "Priority", "Start Date", "Planned Finish",
                              "Actual Finish", "BAC", "Currency"])


def _people(people: list[Person], out_dir: Path) -> Path:
    frame = pd.DataFrame([{
        "employee_id": p.eid, "name": p.name, "team": p.team, "role": p.role, "department": p.department,
        "weekly_capacity_hours": p.capacity, "hourly_cost_rate": p.rate, "start_date": p.start,
        "end_date": p.end} for p in people])
    return write_csv(frame, out_dir / "people.csv", encoding="utf-8-sig")  # Excel's "CSV UTF-8" export


def _snapshots(frame: pd.DataFrame, name: str, out_dir: Path, by: str = "as_of_date") -> list[Path]:
    """Months before RECENT_MONTHS in `<name>_history.csv` (with as_of_date), then one file per month whose
    as-of date is in its name and not in a column."""
    if by != "as_of_date":  # status: the as-of date is the end of the report's month
        frame = frame.assign(as_of_date=frame[by].map(lambda d: last_day(d.year * 12 + d.month - 1)))
    month = frame["as_of_date"].map(lambda d: d.year * 12 + d.month - 1)
    keys = [c for c in ("project_id", "milestone_id", "risk_id") if c in frame.columns]
    frame = frame.assign(_m=month).sort_values(["_m", *keys], kind="stable")
    paths = [write_csv(frame[frame._m < RECENT_MONTHS[0]].drop(columns="_m"), out_dir / f"{name}_history.csv")]
    for m in RECENT_MONTHS:
        part = frame[frame._m == m].drop(columns=["_m", "as_of_date"])
        paths.append(write_csv(part, out_dir / f"{name}_{period(m)}.csv"))
    assert set(month) <= set(HISTORY_MONTHS)
    return paths


def _misscored(risks: pd.DataFrame) -> pd.DataFrame:
    """The data-quality story: BAD_EXPORT_ROWS open risks of BAD_EXPORT_PROJECT in the last snapshot get an
    impact outside 1..5."""
    latest = risks["as_of_date"] == risks["as_of_date"].max()
    rows = risks.index[latest & (risks["project_id"] == BAD_EXPORT_PROJECT) & (risks["status"] == "open")]
    risks = risks.copy()
    risks.loc[rows[:BAD_EXPORT_ROWS], "impact"] = BAD_EXPORT_IMPACT
    return risks


def _timesheets(hours: pd.DataFrame, out_dir: Path) -> list[Path]:
    quarter = hours["work_date"].dt.year.astype(str) + "-Q" + ((hours["work_date"].dt.month - 1) // 3 + 1).astype(str)
    paths = []
    for q in sorted(quarter.unique()):
        part = hours[quarter == q]
        path = out_dir / f"timesheets_{q}.csv"
        if q == XLSX_QUARTER:
            paths.append(write_xlsx(part, path.with_suffix(".xlsx"), sheet="Timesheet",
                                    header=["Employee ID", "Project", "Date", "Hours", "Activity", "Billable"]))
        elif q == CHINESE_QUARTER:
            cn = part.assign(billable=part["billable"].map(CN_BOOL))
            paths.append(write_csv(cn, path, encoding="gb18030", header=list(TIMESHEET_CN.values())))
        else:
            text = part.assign(billable=part["billable"].map({True: "true", False: "false"}))
            paths.append(write_csv(text, path, sep=";" if q == SEMICOLON_QUARTER else ","))
    return paths


__all__ = ["BAD_EXPORT_IMPACT", "BAD_EXPORT_PROJECT", "BAD_EXPORT_ROWS", "SEED", "STALE", "STORIES", "STORY_NOTES",
           "STORY_RISK", "TODAY", "generate"]
