"""Small, hand-checked canonical files for every source, and the ways to break them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CLEAN: dict[str, str] = {
    "projects": """project_id,project_name,portfolio,programme,department,manager,lifecycle_stage,status,start_date,planned_finish_date,budget_at_completion,currency
P1,Alpha,Growth,Digital,IT,Ann,execution,active,2026-01-01,2026-06-30,100000,EUR
P2,Beta,Growth,Digital,Ops,Bob,planning,active,2026-02-01,2026-12-31,50000,EUR
""",
    "people": """employee_id,name,team,role,department,weekly_capacity_hours,hourly_cost_rate,start_date,end_date
E1,Chen Li,Platform,Engineer,IT,40,80,2025-01-01,
E2,Dana,Platform,Analyst,IT,20,60,2026-01-07,
""",
    "timesheets": """employee_id,project_id,work_date,hours,activity,billable
E1,P1,2026-03-02,8,build,yes
E1,P2,2026-03-02,2,design,no
E2,P1,2026-03-03,4,test,yes
""",
    "budgets": """project_id,period,cost_category,planned_cost,actual_cost
P1,2026-01,labour,40000,38000
P1,2026-02,labour,60000,
P2,2026-02,labour,50000,1000
""",
    "status": """project_id,report_date,percent_complete,overall_rag,schedule_rag,cost_rag,scope_rag,forecast_finish_date,summary,reported_by,as_of_date
P1,2026-02-27,35,green,green,amber,green,2026-07-15,On track,Ann,2026-02-28
P2,2026-02-26,5,amber,amber,green,green,2027-01-31,Hiring late,Bob,2026-02-28
""",
    "milestones": """project_id,milestone_id,milestone_name,baseline_date,forecast_date,actual_date,is_gate,as_of_date
P1,M1,Design signed off,2026-02-15,2026-02-20,2026-02-20,true,2026-02-28
P1,M2,Go live,2026-06-30,2026-07-15,,true,2026-02-28
P2,M1,Kick-off,2026-02-01,,2026-02-03,false,2026-02-28
""",
    "risks": """risk_id,project_id,title,probability,impact,status,category,owner,raised_date,due_date,closed_date,mitigation,as_of_date
R1,P1,Vendor delay,4,4,open,supply,Ann,2026-01-10,2026-03-31,,Second vendor,2026-02-28
R2,P2,Key person leaves,2,5,mitigating,people,Bob,2026-02-01,2026-04-30,,Pairing,2026-02-28
""",
    "changes": """change_id,project_id,title,change_type,submitted_date,decision,decision_date,cost_impact,schedule_impact_days
CR1,P1,Extra interface,scope,2026-02-01,approved,2026-02-10,5000,10
CR2,P2,New vendor,cost,2026-02-15,pending,,2000,0
""",
    "issues": """item_id,project_id,kind,title,status,raised_date,owner,due_date,closed_date
I1,P1,issue,Test env down,open,2026-02-10,Ann,2026-02-20,
A1,P1,action,Book test env,closed,2026-02-10,Bob,2026-02-15,2026-02-14
""",
    "quality": """check_id,project_id,check_date,check_type,result,defects_open,defects_closed
Q1,P1,2026-02-20,code_review,pass,0,3
Q2,P2,2026-02-21,design_review,fail,4,0
""",
    "documents": """project_id,document_type,title,version,owner,last_updated,approval_status
P1,charter,Alpha charter,1.0,Ann,2026-01-05,approved
P1,project_plan,Alpha plan,2.1,Ann,2026-02-01,approved
""",
    "lessons": """lesson_id,project_id,recorded_date,category,description,recommendation
L1,P1,2026-02-25,vendor,Vendor onboarding took 6 weeks,Start onboarding in initiation
""",
}

# One numeric/date required column per source, to break with text.
TYPED_COLUMN = {"projects": "budget_at_completion", "people": "weekly_capacity_hours", "timesheets": "hours",
                "budgets": "planned_cost", "status": "percent_complete", "milestones": "baseline_date",
                "risks": "probability", "changes": "submitted_date", "issues": "raised_date",
                "quality": "check_date", "documents": "last_updated", "lessons": "recorded_date"}

# A date column per source to make ambiguous (every value reads both as d/m/Y and m/d/Y).
DATE_COLUMN = {"projects": "start_date", "people": "start_date", "timesheets": "work_date",
               "status": "report_date", "milestones": "baseline_date", "risks": "raised_date",
               "changes": "submitted_date", "issues": "raised_date", "quality": "check_date",
               "documents": "last_updated", "lessons": "recorded_date"}


def write(folder: Path, source: str, text: str | None = None, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{source}.csv")
    path.write_text(CLEAN[source] if text is None else text, encoding="utf-8")
    return path


def rows(source: str) -> list[list[str]]:
    return [line.split(",") for line in CLEAN[source].strip().splitlines()]


def to_text(table: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in table) + "\n"


def with_column(source: str, column: str, value: str) -> str:
    """The clean file with every value of `column` replaced."""
    table = rows(source)
    i = table[0].index(column)
    for r in table[1:]:
        r[i] = value
    return to_text(table)


def without_column(source: str, column: str) -> str:
    table = rows(source)
    i = table[0].index(column)
    return to_text([r[:i] + r[i + 1:] for r in table])


def ambiguous_dates(source: str) -> str:
    """The date column rewritten as 03/04/2026-style dates (day and month both <= 12)."""
    table = rows(source)
    i = table[0].index(DATE_COLUMN[source])
    for n, r in enumerate(table[1:], start=1):
        r[i] = f"{n:02d}/0{n + 2}/2026"
    return to_text(table)


def duplicated_grain(source: str) -> str:
    table = rows(source)
    return to_text([*table, table[1]])


@dataclass
class Upload:
    """A file as the browser's uploader hands it to the dashboard."""

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data
