"""The expectation suite of each source: one factory per source, written to be read by a PMO analyst.

Every suite starts with `contract(source)`, the rules that follow from the source's contract in
`contract/sources.py`:
  structural (the file is rejected): at least one row; every required column present; a required
    column whose values all fail conversion to its type, or are all empty;
  row (those rows are quarantined): a required value missing; a cell that did not convert to its
    type; a value outside its closed vocabulary; the grain key repeated (all its rows); for
    snapshot sources, a row without an as-of date.
Then each factory adds its own ranges, date order, references and cross-source rules.
Severity is written where a rule is used: `warn_rows(...)` and the cross-source budget rule report without
quarantining.
"""

from __future__ import annotations

from collections.abc import Callable

from checks.rules import (
    Rule,
    batch_not_empty,
    between,
    blank_takes_default,
    budget_matches_bac,
    cells_within_length,
    grain_unique,
    in_set,
    known,
    not_before,
    not_in_future,
    not_null,
    period_is_a_month,
    person_day_hours_at_most,
    required_column_convertible,
    required_column_has_values,
    required_column_present,
    type_valid,
    warn_rows,
)
from contract import settings
from contract.sources import SOURCES, TEXT, TYPE_WORDS

MAX_HOURS_PER_DAY = 24
HOURS_PER_WEEK = 7 * 24


def contract(source: str) -> list[Rule]:
    spec = SOURCES[source]
    rules = [batch_not_empty()]
    for col in spec.columns:
        if col.required:
            rules.append(required_column_present(col.name))
            if col.type != TEXT:
                rules.append(required_column_convertible(col.name, TYPE_WORDS[col.type]))
            if not col.defaulted:
                rules.append(required_column_has_values(col.name))
    for col in spec.columns:
        if col.defaulted:
            rules.append(blank_takes_default(col.name, spec.grain[0]))
        elif col.required:
            rules.append(not_null(col.name))
        if col.type != TEXT:
            rules.append(type_valid(col.name, TYPE_WORDS[col.type]))
        if col.allowed:
            rules.append(in_set(col.name, col.allowed))
    rules.append(grain_unique(spec.grain))
    texts = tuple(c.name for c in spec.columns if c.type == TEXT)
    rules.append(cells_within_length(texts, int(settings.config()["limits"]["max_cell_chars"])))
    if spec.snapshot:
        rules.append(not_null("as_of_date"))
    return rules


def projects() -> list[Rule]:
    return [
        *contract("projects"),
        between("budget_at_completion", 0),
        not_before("planned_finish_date", "start_date"),
        not_before("actual_finish_date", "start_date"),
        not_in_future("actual_finish_date"),
        warn_rows("closed_project_has_actual_finish", "actual_finish_date",
                  "status = 'closed' AND actual_finish_date IS NULL", "project_id",
                  ("status", "actual_finish_date"), "a closed project has an actual finish date"),
    ]


def people() -> list[Rule]:
    return [
        *contract("people"),
        between("weekly_capacity_hours", 0, HOURS_PER_WEEK),
        between("hourly_cost_rate", 0),
        not_before("end_date", "start_date"),
    ]


def timesheets() -> list[Rule]:
    return [
        *contract("timesheets"),
        between("hours", 0, MAX_HOURS_PER_DAY),
        known("project_id", "ref_projects"),
        known("employee_id", "ref_people"),
        person_day_hours_at_most(MAX_HOURS_PER_DAY),
        not_in_future("work_date"),
    ]


def budgets() -> list[Rule]:
    return [
        *contract("budgets"),
        period_is_a_month("period"),
        between("planned_cost", 0),
        between("actual_cost", 0),
        known("project_id", "ref_projects"),
        budget_matches_bac(float(settings.config()["evm"]["bac_tolerance"])),
        warn_rows("actual_cost_not_in_future_period", "actual_cost",
                  "actual_cost <> 0 AND period > strftime(current_date, '%Y-%m')",
                  "period || ' actual ' || CAST(actual_cost AS VARCHAR)", ("period", "actual_cost"),
                  "no actual cost is booked in a month that has not started"),
    ]


def status() -> list[Rule]:
    return [
        *contract("status"),
        between("percent_complete", 0, 100),
        known("project_id", "ref_projects"),
        not_in_future("report_date"),
    ]


def milestones() -> list[Rule]:
    return [
        *contract("milestones"),
        known("project_id", "ref_projects"),
        not_in_future("actual_date"),
    ]


def risks() -> list[Rule]:
    return [
        *contract("risks"),
        between("probability", 1, 5),
        between("impact", 1, 5),
        known("project_id", "ref_projects"),
        not_before("closed_date", "raised_date"),
        warn_rows("closed_risk_has_closed_date", "closed_date", "status = 'closed' AND closed_date IS NULL",
                  "risk_id", ("status", "closed_date"), "a closed risk has a closed date"),
    ]


def changes() -> list[Rule]:
    return [
        *contract("changes"),
        known("project_id", "ref_projects"),
        not_before("decision_date", "submitted_date"),
    ]


def issues() -> list[Rule]:
    return [
        *contract("issues"),
        known("project_id", "ref_projects"),
        not_before("closed_date", "raised_date"),
        warn_rows("closed_item_has_closed_date", "closed_date", "status = 'closed' AND closed_date IS NULL",
                  "item_id", ("status", "closed_date"), "a closed issue or action has a closed date"),
    ]


def quality() -> list[Rule]:
    return [
        *contract("quality"),
        between("defects_open", 0),
        between("defects_closed", 0),
        known("project_id", "ref_projects"),
        not_in_future("check_date"),
    ]


def documents() -> list[Rule]:
    return [
        *contract("documents"),
        known("project_id", "ref_projects"),
        not_in_future("last_updated"),
    ]


def lessons() -> list[Rule]:
    return [
        *contract("lessons"),
        known("project_id", "ref_projects"),
    ]


SUITES: dict[str, Callable[[], list[Rule]]] = {
    "projects": projects, "people": people, "timesheets": timesheets, "budgets": budgets, "status": status,
    "milestones": milestones, "risks": risks, "changes": changes, "issues": issues, "quality": quality,
    "documents": documents, "lessons": lessons,
}


def suite(source: str) -> list[Rule]:
    """The rules for one source, in report order."""
    return SUITES[source]()
