"""Risk register snapshots, change log, RAID log, quality checks, document register and lessons learned."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipelines.demo.dates import (
    M_TODAY,
    TODAY,
    first_day,
    last_day,
    month_of,
    random_workday,
    rng_for,
    workday_on_or_after,
    workday_on_or_before,
)
from pipelines.demo.org import Person
from pipelines.demo.portfolio import Project

# --- risks -----------------------------------------------------------------------------------------

RISK_TITLES = {
    "supplier": ("Key supplier delivery delays", "Vendor licence price increase", "Single-source component shortage",
                 "Contractor availability for peak phase"),
    "resource": ("Loss of key technical staff", "Business SMEs unavailable for testing",
                 "Competing priorities for shared specialists", "Onboarding of new hires slower than planned"),
    "technical": ("Legacy interface documentation incomplete", "Performance targets not met at volume",
                  "Data migration quality below threshold", "Integration with third-party API unstable"),
    "schedule": ("Test environment availability", "Dependency on upstream programme slips",
                 "Change freeze over year end", "Procurement lead times longer than planned"),
    "financial": ("Exchange-rate exposure on imported equipment", "Contingency insufficient for scope",
                  "Benefits realisation below business case"),
    "regulatory": ("Regulator guidance changes during delivery", "Data-protection impact assessment findings",
                   "Audit findings require rework"),
    "stakeholder": ("Low adoption by end users", "Sponsor change after reorganisation",
                    "Works council consultation extends timeline"),
}
MITIGATIONS = {
    "supplier": "Weekly supplier review; second source qualified; penalty clauses enforced",
    "resource": "Knowledge transfer and pairing; backfill agreed with line managers",
    "technical": "Technical spike and early prototype; architecture review board sign-off",
    "schedule": "Re-sequence work; book environments early; float protected on critical path",
    "financial": "Hedge via treasury; monthly EAC review with finance business partner",
    "regulatory": "Early engagement with compliance; legal review of design",
    "stakeholder": "Change-management plan; champions network; sponsor briefings",
}
STORY_RISKS = {  # project story -> (title, category, mitigation, raised month, [(prob, impact, status)] by month)
    "risk_materialises": ("Integration supplier in financial distress", "supplier",
                          "Source-code escrow; shortlist alternative integrators; step-in rights in contract",
                          month_of(date(2026, 2, 1)),
                          [(2, 2, "open"), (2, 2, "open"), (3, 3, "mitigating"), (3, 4, "mitigating"),
                           (4, 4, "mitigating"), (4, 5, "mitigating"), (5, 5, "materialised"),
                           (5, 5, "materialised"), (5, 5, "materialised")]),
    "slipping": ("Platform team capacity stretched across integration and defect fixing", "resource",
                 "Prioritise integration backlog; request two contractors; overtime approved",
                 month_of(date(2026, 3, 1)),
                 [(3, 3, "open"), (3, 4, "open"), (4, 4, "mitigating"), (4, 4, "mitigating"), (4, 5, "mitigating"),
                  (5, 4, "mitigating"), (5, 4, "mitigating"), (5, 5, "mitigating")]),
}


def story_risk_id(pid: str) -> str:
    return f"{pid}-R01"


def risks(projects: list[Project], seed: int) -> pd.DataFrame:
    """One row per risk per monthly snapshot while its project runs (closed risks stay in the register)."""
    rows: list[dict] = []
    for p in projects:
        rng = rng_for(seed, "risks", p.pid)
        count = int(np.clip(round(2 + p.duration / 4 + rng.normal(0, 1)), 2, 9))
        number = 1
        if p.story in STORY_RISKS:
            rows += _story_risk(p, rng)
            number = 2
        for k in range(count):
            raised_m = p.start_m if k < 2 else int(rng.integers(p.start_m, p.end_m + 1))
            rows += _risk(p, f"{p.pid}-R{number:02d}", raised_m, rng)
            number += 1
    return pd.DataFrame(rows)


def _risk(p: Project, rid: str, raised_m: int, rng: np.random.Generator) -> list[dict]:
    category = str(rng.choice(list(RISK_TITLES)))
    title = str(rng.choice(RISK_TITLES[category]))
    prob = int(rng.choice([1, 2, 3, 4, 5], p=[0.1, 0.3, 0.35, 0.2, 0.05]))
    impact = int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.25, 0.35, 0.25, 0.1]))
    raised = random_workday(rng, raised_m, not_before=p.start_date, not_after=p.actual_finish)
    due = raised + timedelta(days=int(rng.integers(30, 91)))
    close_m = raised_m + int(rng.integers(3, 13))
    materialise_m = raised_m + int(rng.integers(2, 8)) if rng.random() < 0.04 else None
    status, closed = "open", None
    rows = []
    for m in range(raised_m, p.end_m + 1):
        if m > raised_m and status in ("open", "mitigating"):
            if status == "open" and rng.random() < 0.5:
                status = "mitigating"
            step = [-1, 0, 0, 0, 1] if status == "open" else [-1, -1, 0, 0, 0, 1]
            prob = int(np.clip(prob + rng.choice(step), 1, 5))
            if rng.random() < 0.08:
                impact = int(np.clip(impact + rng.choice([-1, 1]), 1, 5))
            if due < last_day(m) and rng.random() < 0.75:  # the owner re-dates an overdue mitigation
                due = due + timedelta(days=int(rng.integers(30, 61)))
            if m == materialise_m:
                status, prob = "materialised", 5
            elif m == close_m or (p.finish_m == m):
                status = "closed"
                closed = random_workday(rng, m, not_before=raised, not_after=p.actual_finish)
        if m in p.snapshot_months():
            rows.append({"risk_id": rid, "project_id": p.pid, "title": title, "probability": prob, "impact": impact,
                         "status": status, "category": category, "owner": p.manager, "raised_date": raised,
                         "due_date": due, "closed_date": closed, "mitigation": MITIGATIONS[category],
                         "as_of_date": last_day(m)})
    return rows


def _story_risk(p: Project, rng: np.random.Generator) -> list[dict]:
    assert p.story is not None
    title, category, mitigation, raised_m, path = STORY_RISKS[p.story]
    raised = random_workday(rng, raised_m, not_before=first_day(raised_m) + timedelta(days=5))
    rows = []
    for k, (prob, impact, status) in enumerate(path):
        m = raised_m + k
        if m > M_TODAY:
            break
        due = date(2026, 5, 29) if m < month_of(date(2026, 6, 1)) else date(2026, 7, 31)
        rows.append({"risk_id": story_risk_id(p.pid), "project_id": p.pid, "title": title, "probability": prob,
                     "impact": impact, "status": status, "category": category, "owner": p.manager,
                     "raised_date": raised, "due_date": due, "closed_date": None, "mitigation": mitigation,
                     "as_of_date": last_day(m)})
    return rows


# --- changes ---------------------------------------------------------------------------------------

CHANGE_TITLES = {
    "scope": ("Add reporting module requested by finance", "Additional interface to warehouse system",
              "Descope legacy archive migration", "Extend rollout to two more sites", "New regulatory field set"),
    "schedule": ("Move go-live after peak season", "Re-sequence testing phases", "Extend hypercare period"),
    "cost": ("Contractor rate increase", "Hardware price adjustment", "Additional licences required"),
    "resource": ("Add test analyst for UAT", "Backfill for business SMEs", "Second integration developer"),
    "quality": ("Additional performance test cycle", "Accessibility audit remediation"),
}


def changes(projects: list[Project], seed: int) -> pd.DataFrame:
    """The change-request log: decisions from the vocabulary, cycle times, cost and schedule impact."""
    rows: list[dict] = []
    for p in projects:
        rng = rng_for(seed, "changes", p.pid)
        months = max(min(p.end_m, M_TODAY) - p.start_m + 1, 1)
        for _ in range(min(int(rng.poisson(0.12 * months)), 8)):
            ctype = str(rng.choice(list(CHANGE_TITLES), p=[0.35, 0.2, 0.2, 0.15, 0.1]))
            m = int(rng.integers(p.start_m, p.end_m + 1))
            submitted = random_workday(rng, m, not_before=p.start_date, not_after=p.actual_finish)
            share = {"scope": rng.uniform(0.01, 0.06) * (-0.5 if rng.random() < 0.12 else 1),
                     "schedule": 0.0, "cost": rng.uniform(0.01, 0.05), "resource": rng.uniform(0.005, 0.02),
                     "quality": rng.uniform(0.003, 0.015)}[ctype]
            days = {"scope": int(rng.integers(5, 46)), "schedule": int(rng.integers(14, 61)), "cost": 0,
                    "resource": int(rng.integers(0, 21)), "quality": int(rng.integers(0, 11))}[ctype]
            rows.append(_decide({"project_id": p.pid, "title": str(rng.choice(CHANGE_TITLES[ctype])),
                                 "change_type": ctype, "submitted_date": submitted,
                                 "cost_impact": round(p.bac * share / 100) * 100, "schedule_impact_days": days},
                                rng, closed=p.actual_finish))
        rows += _story_changes(p)
    frame = pd.DataFrame(rows).sort_values(["submitted_date", "project_id", "title"], kind="stable")
    frame.insert(0, "change_id", [f"CR-{i:04d}" for i in range(1, len(frame) + 1)])
    return frame.reset_index(drop=True)


def _decide(row: dict, rng: np.random.Generator, closed: date | None) -> dict:
    age = (TODAY - row["submitted_date"]).days
    decision = ("pending" if age < 25 and rng.random() < 0.7 else
                str(rng.choice(["approved", "rejected", "withdrawn", "pending"], p=[0.65, 0.2, 0.1, 0.05])))
    decided = None
    if decision != "pending":
        decided = workday_on_or_after(row["submitted_date"] + timedelta(days=int(min(rng.lognormal(2.6, 0.6), 75))))
        if decided > TODAY:
            decision, decided = "pending", None
    if decision == "pending" and closed is not None:  # a closed project has no open change requests
        decision, decided = "withdrawn", closed
    return {**row, "decision": decision, "decision_date": decided}


def _story_changes(p: Project) -> list[dict]:
    cr = {"project_id": p.pid, "decision": "pending", "decision_date": None}
    if p.story == "risk_materialises":
        return [{**cr, "title": "Replace insolvent integration supplier", "change_type": "cost",
                 "submitted_date": date(2026, 9, 2), "cost_impact": round(p.bac * 0.07, -3),
                 "schedule_impact_days": 30}]
    if p.story == "slipping":
        return [{**cr, "title": "Re-plan go-live after integration delays", "change_type": "schedule",
                 "submitted_date": date(2026, 10, 22), "cost_impact": 185000, "schedule_impact_days": 90}]
    if p.story == "over_budget_on_time":
        return [{**cr, "title": "Budget increase for automation hardware price rises", "change_type": "cost",
                 "submitted_date": date(2026, 6, 10), "cost_impact": 640000, "schedule_impact_days": 0}]
    if p.story == "closed_late":
        return [{**cr, "title": "Extend data centre exit for application remediation", "change_type": "schedule",
                 "submitted_date": date(2026, 2, 16), "decision": "approved", "decision_date": date(2026, 3, 4),
                 "cost_impact": 95000, "schedule_impact_days": 45}]
    return []


# --- RAID log --------------------------------------------------------------------------------------

RAID_TITLES = {
    "issue": ("Test environment unavailable", "Defect backlog growing", "Supplier missed delivery date",
              "Key user group not engaged", "Data quality issues in source system", "Budget code not set up",
              "Security review findings open", "Interface specification disputed"),
    "action": ("Book additional test environment", "Escalate supplier delay to account manager",
               "Run data cleansing workshop", "Confirm UAT participants with business leads",
               "Update risk register after steering committee", "Prepare go/no-go checklist",
               "Agree interface specification with vendor", "Refresh resource plan for next phase"),
    "decision": ("Approve phased rollout approach", "Select cloud hosting region", "Accept residual security risk",
                 "Defer reporting module to phase 2", "Adopt vendor's standard workflow"),
}
KIND_PREFIX = {"issue": "ISS", "action": "ACT", "decision": "DEC"}


def raid(projects: list[Project], people: list[Person], seed: int) -> pd.DataFrame:
    """Issues, actions and decisions owned by the PM or the people who worked on the project; some run overdue.
    Needs `Project.teams`, filled by timesheets.timesheets()."""
    by_team: dict[str, list[str]] = {}
    for person in people:
        by_team.setdefault(person.team, []).append(person.name)
    rows: list[dict] = []
    for p in projects:
        rng = rng_for(seed, "raid", p.pid)
        owners = [name for team in sorted(p.teams) for name in by_team[team]] or [p.manager]
        rates = {"issue": 0.35, "action": 0.45, "decision": 0.15}
        if p.story == "slipping":
            rates = {"issue": 0.8, "action": 0.9, "decision": 0.2}
        for m in range(p.start_m, p.end_m + 1):
            for kind, rate in rates.items():
                for _ in range(int(rng.poisson(rate))):
                    rows.append(_raid_item(p, m, kind, owners, rng))
    frame = pd.DataFrame(rows).sort_values(["raised_date", "project_id", "kind", "title"], kind="stable")
    frame.insert(0, "item_id", "")
    counters = dict.fromkeys(KIND_PREFIX, 0)
    ids = []
    for kind in frame["kind"]:
        counters[kind] += 1
        ids.append(f"{KIND_PREFIX[kind]}-{counters[kind]:04d}")
    frame["item_id"] = ids
    return frame.reset_index(drop=True)


def _raid_item(p: Project, m: int, kind: str, owners: list[str], rng: np.random.Generator) -> dict:
    raised = random_workday(rng, m, not_before=p.start_date, not_after=p.actual_finish)
    due = workday_on_or_after(raised + timedelta(days=int(rng.integers(7, 46))))
    took = int(min(rng.lognormal(3.0, 0.7), 400))
    closed: date | None = raised + timedelta(days=took)
    if kind == "decision":
        closed, due = raised + timedelta(days=int(rng.integers(0, 15))), raised + timedelta(days=14)
    if rng.random() < 0.03 and p.finish_m is None:  # forgotten: never closed
        closed = None
    if p.actual_finish is not None:  # a closed project closes its log
        closed = min(closed or p.actual_finish, p.actual_finish)
    if closed is not None and closed > TODAY:
        closed = None
    closed = workday_on_or_before(closed) if closed else None
    if closed is not None and closed < raised:
        closed = raised
    status = "closed" if closed else str(rng.choice(["open", "in_progress"]))
    return {"project_id": p.pid, "kind": kind, "title": str(rng.choice(RAID_TITLES[kind])), "status": status,
            "raised_date": raised, "owner": p.manager if rng.random() < 0.4 else str(rng.choice(owners)),
            "due_date": due, "closed_date": closed}


# --- quality ---------------------------------------------------------------------------------------

CHECK_TYPES: dict[str, str | dict[str, str]] = {"design": "design_review",
               "build": {"software": "code_review", "infrastructure": "site_inspection", "business": "peer_review"},
               "test": {"software": "test_run", "infrastructure": "factory_acceptance_test",
                        "business": "pilot_review"},
               "support": "acceptance_review"}


def quality(projects: list[Project], seed: int) -> pd.DataFrame:
    """Quality checks roughly monthly per running project; the slipping project's tests start failing."""
    rows = []
    for p in projects:
        rng = rng_for(seed, "quality", p.pid)
        for m in range(p.start_m + 1, p.work_end_m + 1):
            if rng.random() > 0.6:
                continue
            ctype = CHECK_TYPES[p.phase(m)]
            check_type = ctype if isinstance(ctype, str) else ctype[p.kind]
            if rng.random() < 0.1:
                check_type = "quality_audit"
            odds = [0.78, 0.14, 0.08]
            if p.story == "slipping" and m >= month_of(date(2026, 2, 1)):
                odds = [0.35, 0.25, 0.40]
            elif p.story in ("healthy", "over_budget_on_time"):
                odds = [0.93, 0.07, 0.0]
            result = str(rng.choice(["pass", "conditional", "fail"], p=odds))
            opened = {"pass": rng.integers(0, 3), "conditional": rng.integers(2, 9), "fail": rng.integers(5, 21)}
            rows.append({"project_id": p.pid,
                         "check_date": random_workday(rng, m, not_after=p.actual_finish),
                         "check_type": check_type, "result": result, "defects_open": int(opened[result]),
                         "defects_closed": int(rng.poisson(6))})
    frame = pd.DataFrame(rows).sort_values(["check_date", "project_id"], kind="stable")
    frame.insert(0, "check_id", [f"QC-{i:05d}" for i in range(1, len(frame) + 1)])
    return frame.reset_index(drop=True)


# --- documents -------------------------------------------------------------------------------------

STAGE_DOCUMENTS = {"initiation": ("business_case", "charter"),
                   "planning": ("business_case", "charter", "project_plan", "risk_register"),
                   "execution": ("business_case", "charter", "project_plan", "risk_register", "status_report"),
                   "closing": ("business_case", "charter", "project_plan", "risk_register", "status_report",
                               "closure_report", "lessons_learned")}
DOC_TITLES = {"business_case": "Business case", "charter": "Project charter", "project_plan": "Project plan",
              "risk_register": "Risk register", "status_report": "Status report", "closure_report": "Closure report",
              "lessons_learned": "Lessons learned"}


def documents(projects: list[Project], seed: int) -> pd.DataFrame:
    """The document register: what each project has filed for its stage; a few gaps and stale documents."""
    rng = rng_for(seed, "documents")
    ordinary = [p.pid for p in projects if not p.story and p.group in ("X", "S", "L", "P")]
    missing = {str(pid): str(rng.choice(["project_plan", "risk_register", "status_report"]))
               for pid in rng.choice(ordinary, 5, replace=False)}
    closed = [p.pid for p in projects if p.group == "C"]
    missing |= {str(pid): "lessons_learned" for pid in rng.choice(closed, 2, replace=False)}
    stale = {str(pid) for pid in rng.choice(ordinary, 6, replace=False)}
    rows = []
    for p in projects:
        r = rng_for(seed, "documents", p.pid)
        kinds = list(STAGE_DOCUMENTS[p.stage])
        if p.stage == "closing" and p.finish_m is None and p.cancel_at is None:  # closing, not closed yet
            kinds.remove("lessons_learned")
        for kind in kinds:
            if missing.get(p.pid) == kind:
                continue
            updated, version, approval = _document_dates(p, kind, r, stale=p.pid in stale)
            if kind == "status_report":  # the two latest monthly reports are filed
                last = min(p.end_m, M_TODAY - 2 if p.stale else M_TODAY)
                for m in (last - 1, last):
                    if m >= p.start_m:
                        rows.append({"project_id": p.pid, "document_type": kind,
                                     "title": f"{p.name} – status report {first_day(m):%Y-%m}", "version": "1.0",
                                     "owner": p.manager, "last_updated": min(last_day(m), TODAY),
                                     "approval_status": "approved"})
                continue
            rows.append({"project_id": p.pid, "document_type": kind, "title": f"{p.name} – {DOC_TITLES[kind]}",
                         "version": version, "owner": p.manager, "last_updated": updated,
                         "approval_status": approval})
    return pd.DataFrame(rows)


def _document_dates(p: Project, kind: str, rng: np.random.Generator, *, stale: bool) -> tuple[date, str, str]:
    start = p.start_date
    end = p.actual_finish or (last_day(p.cancel_at) if p.cancel_at else TODAY)
    if kind == "business_case":
        updated = start - timedelta(days=int(rng.integers(20, 90)))
    elif kind == "charter":
        updated = start + timedelta(days=int(rng.integers(0, 25)))
    elif kind in ("closure_report", "lessons_learned"):
        updated = min(end + timedelta(days=int(rng.integers(5, 40))), TODAY)
    else:  # living documents: plan and risk register, kept current unless stale
        updated = end - timedelta(days=int(rng.integers(200, 400) if stale else rng.integers(3, 75)))
        if p.story == "slipping" and kind == "risk_register":
            updated = date(2025, 9, 12)  # not touched since the baseline: the risks live in the PM's head
    updated = workday_on_or_before(max(min(updated, TODAY), start - timedelta(days=120)))
    major = 1 if kind in ("business_case", "charter", "closure_report", "lessons_learned") else int(rng.integers(1, 4))
    version = f"{major}.{int(rng.integers(0, 6))}"
    approval = "approved"
    if kind in ("project_plan", "risk_register", "closure_report") and rng.random() < 0.15:
        approval = str(rng.choice(["draft", "in_review"]))
    if p.stage == "initiation" and kind == "charter":
        approval = "in_review"
    return updated, version, approval


# --- lessons ---------------------------------------------------------------------------------------

LESSONS = {
    "planning": ("Contingency was sized for scope risk only", "Hold a quantified schedule risk analysis before "
                 "baselining; size contingency from it"),
    "vendor": ("Supplier onboarding took six weeks longer than assumed", "Start vendor onboarding and security "
               "assessment during initiation"),
    "resourcing": ("Business SMEs were double-booked during UAT", "Agree ring-fenced SME time in the charter"),
    "stakeholder": ("Late engagement of operations caused rework at handover", "Involve the receiving operations "
                    "team from design onwards"),
    "technical": ("Legacy data quality was worse than profiled", "Profile full production extracts, not samples, "
                  "before estimating migration"),
    "governance": ("Steering committee met too rarely to unblock decisions", "Monthly steering with a decision log; "
                   "escalation route within five working days"),
    "testing": ("Performance testing started too late", "Plan a performance test cycle before UAT, on "
                "production-like volumes"),
    "estimation": ("Integration effort underestimated by 40 %", "Use reference-class estimates from past "
                   "integration projects"),
}
CLOSED_LATE_LESSONS = (
    ("vendor", "Application owners' remediation was not on the critical path of the exit plan",
     "Put every application's remediation on the integrated plan with named owners and dates"),
    ("planning", "Three months' delay came from late discovery of undocumented dependencies",
     "Run automated dependency discovery before committing to the exit date"),
    ("governance", "The schedule change request was approved after the planned finish had passed",
     "Trigger re-planning as soon as SPI(t) turns amber, not at the deadline"),
    ("estimation", "Dual-running costs of the old data centre were not budgeted for overruns",
     "Budget dual-running per month of slip and show it in the EAC"),
)


def lessons(projects: list[Project], seed: int) -> pd.DataFrame:
    """Lessons learned of closed and cancelled projects."""
    rows = []
    for p in projects:
        end = p.actual_finish or (last_day(p.cancel_at) if p.cancel_at else None)
        if end is None:
            continue
        rng = rng_for(seed, "lessons", p.pid)
        if p.story == "closed_late":
            picked = list(CLOSED_LATE_LESSONS)
        else:
            cats = rng.choice(list(LESSONS), int(rng.integers(2, 5)), replace=False)
            picked = [(str(c), *LESSONS[str(c)]) for c in cats]
        for category, description, recommendation in picked:
            rows.append({"project_id": p.pid,
                         "recorded_date": workday_on_or_before(min(end + timedelta(days=int(rng.integers(3, 30))),
                                                                   TODAY)),
                         "category": category, "description": description, "recommendation": recommendation})
    frame = pd.DataFrame(rows).sort_values(["recorded_date", "project_id"], kind="stable")
    frame.insert(0, "lesson_id", [f"LL-{i:03d}" for i in range(1, len(frame) + 1)])
    return frame.reset_index(drop=True)


