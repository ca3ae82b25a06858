"""Budgets, monthly status reports and milestone snapshots, derived from the projects' simulated numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from pipelines.demo.dates import (
    M_TODAY,
    date_at,
    last_day,
    last_workday,
    month_of,
    period,
    rng_for,
    workday_on_or_after,
    workday_on_or_before,
)
from pipelines.demo.portfolio import CATEGORIES, HOLD_FROM, MATERIALISES, Project

MONTH_DAYS = 30.44
RAG = ("green", "amber", "red")


def cents(value: int) -> str:
    """Whole cents as an exact decimal string ('1234.50')."""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


# --- budgets -------------------------------------------------------------------------------------

def budgets(projects: list[Project]) -> pd.DataFrame:
    """One row per project, month and cost category: the plan over the planned months (summing to BAC to the
    cent) and the actuals of every month up to TODAY (0.00 in a past month without spend, blank in the future)."""
    rows = []
    for p in projects:
        last = max(p.start_m + p.duration - 1, p.end_m)
        for m in range(p.start_m, last + 1):
            e = p.e(m)
            for cat in CATEGORIES:
                plan = int(p.planned[cat][e]) if e < p.duration else 0
                actual = int(p.actual[cat][e]) if m <= M_TODAY else None
                if plan == 0 and not actual:
                    continue
                rows.append((p.pid, period(m), cat, cents(plan), "" if actual is None else cents(actual)))
    return pd.DataFrame(rows, columns=["project_id", "period", "cost_category", "planned_cost", "actual_cost"])


# --- status ----------------------------------------------------------------------------------------

def band(index: float | None) -> str:
    """Two-sided CPI/SPI band, the defaults of pmo.toml [evm]."""
    if index is None:
        return "amber"
    if 0.95 <= index <= 1.05:
        return "green"
    return "amber" if 0.90 <= index <= 1.10 else "red"


def worst(*rags: str) -> str:
    return max(rags, key=RAG.index)


def better(rag: str) -> str:
    return RAG[max(RAG.index(rag) - 1, 0)]


def report_day(p: Project, m: int, rng) -> date:
    """The PM's reporting day: one of the last few working days of the month."""
    day = workday_on_or_before(last_workday(m) - timedelta(days=int(rng.integers(0, 4))))
    if p.actual_finish is not None and p.finish_m == m:
        day = max(day, p.actual_finish)
    return max(day, p.start_date)


def indices(p: Project, m: int) -> tuple[float | None, float | None]:
    """(SPI, CPI) of month m as the warehouse will compute them from the files."""
    e = p.e(m)
    ev = p.pct[e] / 100 * p.bac * 100
    pv, ac = p.pv_cum(m), int(p.ac_cum[e])
    return (ev / pv if pv else None), (ev / ac if ac else None)


def forecast_finish(p: Project, m: int) -> date:
    if p.finish_m is not None and m >= p.finish_m:
        assert p.actual_finish is not None
        return p.actual_finish
    lag = p.lag_months(m)
    if lag <= 0.15:
        return p.planned_finish
    return workday_on_or_after(p.planned_finish + timedelta(days=round(lag * MONTH_DAYS)))


def status(projects: list[Project], seed: int) -> pd.DataFrame:
    """One report per project per month while it runs; stale projects stop reporting two months before TODAY."""
    rows = []
    for p in projects:
        rng = rng_for(seed, "status", p.pid)
        next_ms = _next_milestones(p, seed)
        for m in range(p.snapshot_months().start, p.end_m + 1):
            if p.stale and m >= M_TODAY - 1:
                continue
            middle = p.start_m < m < min(p.end_m, M_TODAY - 2)
            if not p.story and middle and rng.random() < 0.03:  # the odd missed report
                continue
            rows.append(_report(p, m, rng, next_ms))
    return pd.DataFrame(rows)


def _report(p: Project, m: int, rng, next_ms: dict[int, str]) -> dict:
    e = p.e(m)
    spi, cpi = indices(p, m)
    schedule, cost = band(spi), band(cpi)
    scope = "amber" if rng.random() < 0.07 else "green"
    finished = p.finish_m == m
    months_late = m - (p.start_m + p.duration - 1)  # past the planned finish, SPI says nothing any more
    if months_late > 0 or finished:
        schedule = worst(schedule, "red" if months_late > 1 else "amber" if months_late == 1 else "green")
    if p.optimistic and rng.random() < 0.6:
        schedule, cost = better(schedule), better(cost)
    forecast = forecast_finish(p, m)
    overall = worst(schedule, cost, scope)
    lag_weeks = round(p.lag_months(m) * MONTH_DAYS / 7)
    upcoming = next_ms.get(m, "closure")
    summary = _summary(p, m, schedule, cost, lag_weeks, upcoming, rng)
    # The stories, as their project managers told them.
    if p.story == "slipping":
        declared = "green" if m <= month_of(date(2026, 8, 1)) else "amber" if m < M_TODAY else "red"
        schedule = overall = declared
        scope = "green"
        if declared == "green":
            forecast = p.planned_finish
            summary = ("On track overall. Minor integration delays are being absorbed within contingency."
                       if m >= month_of(date(2026, 2, 1)) else summary)
        elif declared == "amber":
            summary = f"Integration testing behind plan; go-live under review, about {lag_weeks} weeks late."
        else:
            summary = (f"Go-live cannot be met: about {lag_weeks} weeks behind plan. Re-plan change request "
                       "raised; the platform team has worked sustained overtime since May.")
    elif p.story == "over_budget_on_time":
        cost = "amber" if m <= month_of(date(2026, 5, 1)) else "red"
        schedule, scope = "green", "green"
        overall = worst(schedule, cost)
        summary = ("Milestones met on time. Automation hardware and installation costs run about 25 % above "
                   "plan; budget increase request submitted." if m >= month_of(date(2026, 6, 1)) else
                   "Milestones met on time. Hardware prices above estimate; cost recovery options being worked.")
    elif p.story == "healthy":
        schedule = cost = scope = overall = "green"
    elif p.story == "risk_materialises" and m >= MATERIALISES:
        cost, overall = "amber", "amber"
        summary = ("Integration supplier entered insolvency; replacement supplier being onboarded. "
                   + ("Cost impact being assessed." if m == MATERIALISES else "Cost change request pending."))
    elif p.story == "on_hold" and m >= HOLD_FROM:
        schedule, cost, scope, overall = "amber", "green", "green", "amber"
        summary = "On hold pending the steering committee's funding decision; team released to other work."
    elif p.story == "cancelled" and m == p.cancel_at:
        overall = schedule = "red"
        summary = "Cancelled by the steering committee (benefits case no longer holds); close-down complete."
    if finished:
        summary = "Project closed: handed over to operations; lessons learned recorded."
    return {"project_id": p.pid, "report_date": report_day(p, m, rng), "percent_complete": p.pct[e],
            "overall_rag": overall, "schedule_rag": schedule, "cost_rag": cost, "scope_rag": scope,
            "forecast_finish_date": forecast, "summary": summary, "reported_by": p.manager}


def _summary(p: Project, m: int, schedule: str, cost: str, lag_weeks: int, upcoming: str, rng) -> str:
    phase = {"design": "Design", "build": "Build", "test": "Testing", "support": "Hypercare"}[p.phase(m)]
    if schedule == "green" and cost == "green":
        return str(rng.choice([f"On track. {phase} progressing to plan; next: {upcoming}.",
                               f"{phase} on plan; {upcoming} on schedule.",
                               f"No material issues. {phase} continues; {upcoming} expected on time."]))
    parts = []
    if schedule != "green":
        late = f"{max(lag_weeks, 1)} week{'s' if max(lag_weeks, 1) > 1 else ''}"
        parts.append(str(rng.choice([f"About {late} behind plan; recovery plan for {upcoming}.",
                                     f"{phase} running late ({late}); resourcing being reviewed.",
                                     f"{upcoming} at risk; dependencies slipping."])))
    if cost != "green":
        parts.append(str(rng.choice(["Cost pressure from contractor rates; EAC under review.",
                                     "Spend ahead of earned value; savings being identified.",
                                     "Actuals above plan for work done."])))
    return " ".join(parts)


def _next_milestones(p: Project, seed: int) -> dict[int, str]:
    """Name of the next milestone due after each month (for commentary)."""
    out: dict[int, str] = {}
    plan = milestone_plan(p, seed)
    for m in range(p.start_m, p.end_m + 1):
        ahead = [name for _mid, name, f, _gate in plan if p.tau[p.e(m)] < f * p.duration]
        out[m] = ahead[0].lower() if ahead else "closure"
    return out


# --- milestones ------------------------------------------------------------------------------------

TEMPLATES = {
    "software": (("Business case approved", 0.03, True), ("Requirements signed off", 0.15, False),
                 ("Solution design approved", 0.30, True), ("Build complete", 0.62, False),
                 ("User acceptance testing complete", 0.82, False), ("Go-live", 0.92, True),
                 ("Project closure", 1.0, True)),
    "infrastructure": (("Business case approved", 0.03, True), ("Site survey complete", 0.12, False),
                       ("Procurement complete", 0.30, True), ("Equipment delivered", 0.50, False),
                       ("Installation complete", 0.75, False), ("Commissioning and handover", 0.92, True),
                       ("Project closure", 1.0, True)),
    "business": (("Business case approved", 0.03, True), ("Operating model agreed", 0.25, True),
                 ("Pilot complete", 0.55, False), ("Rollout complete", 0.88, True), ("Benefits review", 1.0, True)),
}


def milestone_plan(p: Project, seed: int) -> list[tuple[str, str, float, bool]]:
    """(milestone_id, name, fraction of the planned duration, is_gate); some projects skip a non-gate one."""
    rng = rng_for(seed, "milestone-plan", p.pid)
    keep = [t for t in TEMPLATES[p.kind] if t[2] or p.story or rng.random() > 0.2]
    return [(f"M{i:02d}", name, f, gate) for i, (name, f, gate) in enumerate(keep, start=1)]


def milestones(projects: list[Project], seed: int) -> pd.DataFrame:
    """One row per milestone per monthly snapshot. Baselines are fixed; forecasts follow the project's delay;
    actual dates appear once progress passes the milestone. Stale projects stopped updating their forecasts
    two months ago, so some of their milestones are overdue (forecast in the past, no actual)."""
    rows = []
    for p in projects:
        plan = milestone_plan(p, seed)
        for mid, name, f, gate in plan:
            baseline = workday_on_or_before(p.planned_finish) if f == 1.0 else _baseline(p, f)
            reached = p.reached(f * p.duration)
            for m in p.snapshot_months():
                actual = reached[1] if reached and reached[0] <= m else None
                if actual is not None:
                    forecast = actual
                else:  # a stale project's schedule was last updated with its last status report
                    updated = min(m, M_TODAY - 2) if p.stale else m
                    forecast = baseline + timedelta(days=round(p.lag_months(updated) * MONTH_DAYS))
                    if not p.stale:
                        forecast = max(forecast, _month_end(updated) + timedelta(days=7))
                    forecast = workday_on_or_after(forecast)
                rows.append({"project_id": p.pid, "milestone_id": mid, "milestone_name": name,
                             "baseline_date": baseline, "forecast_date": forecast, "actual_date": actual,
                             "is_gate": "true" if gate else "false", "as_of_date": _month_end(m)})
    return pd.DataFrame(rows)


def _baseline(p: Project, f: float) -> date:
    return max(workday_on_or_after(date_at(p.start_m + f * p.duration)), p.start_date)


def _month_end(m: int) -> date:
    return last_day(m)
