"""The demo's 60 projects and the 'truth' behind every file: plan, progress and cost month by month.

Each project has a planned cost curve (per cost category, in cents, summing to its BAC exactly) and a progress
model: `speeds[e]` is how many planned months of work were done in the project's elapsed month e. Progress in
plan-months (`tau`) maps onto the planned cost curve to give percent complete; the cost performance `cpi[e]`
turns that earned value into actual cost. Every source file is derived from these numbers, so the stories hold
in the raw data: a slipping project's milestones move, its percent lags plan, its SPI sinks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from pipelines.demo.dates import (
    M0,
    M_TODAY,
    date_at,
    first_workday,
    last_day,
    month_of,
    rng_for,
    workday_on_or_before,
)
from pipelines.demo.org import OVERLOADED_TEAM, SPONSORS, Person

CATEGORIES = ("labour", "contractors", "materials", "other")
SHARES = {  # cost category shares of BAC by kind of project
    "software": (0.62, 0.25, 0.03, 0.10),
    "infrastructure": (0.30, 0.25, 0.37, 0.08),
    "business": (0.55, 0.20, 0.05, 0.20),
}
PORTFOLIO_OF = {"Digital Channels": "Growth", "Customer Experience": "Growth", "New Markets": "Growth",
                "ERP Renewal": "Transformation", "Data & Analytics": "Transformation",
                "Cloud Migration": "Transformation", "Regulatory Compliance": "Compliance & Resilience",
                "Infrastructure Resilience": "Compliance & Resilience"}

# name, programme, department, kind, group. Groups: C closed, X execution, S execution with stale reporting,
# L closing, P planning, I initiation; a story name marks a story project (see generate.STORIES).
CATALOGUE: tuple[tuple[str, str, str, str, str], ...] = (
    ("Customer Portal Relaunch", "Digital Channels", "IT", "software", "slipping"),
    ("Mobile App v3", "Digital Channels", "IT", "software", "on_hold"),
    ("Online Checkout Redesign", "Digital Channels", "IT", "software", "C"),
    ("Web Personalisation Engine", "Digital Channels", "Marketing", "software", "X"),
    ("Self-Service Billing", "Digital Channels", "Finance", "software", "S"),
    ("Chatbot for Customer Support", "Digital Channels", "IT", "software", "P"),
    ("Digital Onboarding Journey", "Digital Channels", "Marketing", "software", "X"),
    ("Loyalty Programme Revamp", "Customer Experience", "Marketing", "business", "cancelled"),
    ("Contact Centre Modernisation", "Customer Experience", "Operations", "infrastructure", "X"),
    ("Customer Feedback Platform", "Customer Experience", "Marketing", "software", "C"),
    ("Brand Refresh Rollout", "Customer Experience", "Marketing", "business", "L"),
    ("Omnichannel CRM Rollout", "Customer Experience", "IT", "software", "X"),
    ("Field Service Scheduling", "Customer Experience", "Operations", "software", "X"),
    ("Nordics Market Entry", "New Markets", "Marketing", "business", "X"),
    ("Iberia Distribution Setup", "New Markets", "Operations", "business", "C"),
    ("Multi-Currency Pricing", "New Markets", "Finance", "software", "S"),
    ("Partner Channel Programme", "New Markets", "Marketing", "business", "I"),
    ("ERP Finance Module", "ERP Renewal", "Finance", "software", "risk_materialises"),
    ("ERP Procurement Module", "ERP Renewal", "Operations", "software", "X"),
    ("Payroll Consolidation", "ERP Renewal", "HR", "software", "healthy"),
    ("Chart of Accounts Redesign", "ERP Renewal", "Finance", "business", "C"),
    ("Inventory Management Upgrade", "ERP Renewal", "Operations", "software", "X"),
    ("HR Core System Replacement", "ERP Renewal", "HR", "software", "X"),
    ("Expense Management Rollout", "ERP Renewal", "Finance", "software", "L"),
    ("Supplier Portal", "ERP Renewal", "Operations", "software", "P"),
    ("Talent Acquisition Platform", "ERP Renewal", "HR", "software", "X"),
    ("Enterprise Data Platform", "Data & Analytics", "IT", "software", "X"),
    ("Finance Reporting Automation", "Data & Analytics", "Finance", "software", "C"),
    ("Master Data Management", "Data & Analytics", "IT", "software", "X"),
    ("Demand Forecasting Models", "Data & Analytics", "Operations", "software", "X"),
    ("Self-Service BI Rollout", "Data & Analytics", "IT", "software", "L"),
    ("Data Quality Programme", "Data & Analytics", "IT", "business", "S"),
    ("Customer 360 Analytics", "Data & Analytics", "Marketing", "software", "P"),
    ("Data Centre Exit", "Cloud Migration", "IT", "infrastructure", "closed_late"),
    ("Mainframe Decommissioning", "Cloud Migration", "IT", "infrastructure", "X"),
    ("Kubernetes Platform Build", "Cloud Migration", "Engineering", "infrastructure", "C"),
    ("Cloud Cost Optimisation", "Cloud Migration", "IT", "business", "X"),
    ("Legacy Email Migration", "Cloud Migration", "IT", "infrastructure", "C"),
    ("Network Refresh Phase 1", "Cloud Migration", "Engineering", "infrastructure", "X"),
    ("Backup and Recovery Modernisation", "Cloud Migration", "IT", "infrastructure", "I"),
    ("GDPR Records Retention", "Regulatory Compliance", "IT", "business", "X"),
    ("IFRS 17 Reporting", "Regulatory Compliance", "Finance", "software", "X"),
    ("Whistleblowing Platform", "Regulatory Compliance", "HR", "software", "C"),
    ("Anti-Money-Laundering Screening", "Regulatory Compliance", "Finance", "software", "X"),
    ("Accessibility Compliance Programme", "Regulatory Compliance", "Marketing", "business", "X"),
    ("Pay Transparency Reporting", "Regulatory Compliance", "HR", "business", "P"),
    ("Export Control Screening", "Regulatory Compliance", "Operations", "software", "X"),
    ("Warehouse Automation Phase 2", "Infrastructure Resilience", "Operations", "infrastructure",
     "over_budget_on_time"),
    ("Plant Control System Upgrade", "Infrastructure Resilience", "Engineering", "infrastructure", "X"),
    ("Disaster Recovery Site", "Infrastructure Resilience", "Engineering", "infrastructure", "S"),
    ("Fleet Telematics Rollout", "Infrastructure Resilience", "Operations", "infrastructure", "C"),
    ("Cyber Security Operations Centre", "Infrastructure Resilience", "IT", "infrastructure", "X"),
    ("Factory Energy Efficiency", "Infrastructure Resilience", "Engineering", "infrastructure", "X"),
    ("Substation Replacement", "Infrastructure Resilience", "Engineering", "infrastructure", "X"),
    ("Zero Trust Network Access", "Infrastructure Resilience", "IT", "infrastructure", "L"),
    ("Cold Store Expansion", "Infrastructure Resilience", "Operations", "infrastructure", "X"),
    ("Office Consolidation", "Infrastructure Resilience", "HR", "infrastructure", "C"),
    ("Hybrid Workplace Programme", "Infrastructure Resilience", "HR", "business", "X"),
    ("Learning Management System", "Infrastructure Resilience", "HR", "software", "I"),
    ("Smart Metering Pilot", "Infrastructure Resilience", "Engineering", "infrastructure", "P"),
)
GROUPS = ("C", "X", "S", "L", "P", "I")
PROJECT_IDS = {name: f"PRJ-{i:03d}" for i, (name, *_rest) in enumerate(CATALOGUE, start=1)}
STORY_PROJECTS = {group: PROJECT_IDS[name] for name, _p, _d, _k, group in CATALOGUE if group not in GROUPS}
STALE_PROJECTS = tuple(PROJECT_IDS[name] for name, _p, _d, _k, group in CATALOGUE if group == "S")

# Story calendar (absolute months).
SLIP_FROM = month_of(date(2026, 1, 1))  # the slipping project loses pace from this month on
HOLD_FROM = month_of(date(2026, 7, 1))  # the on-hold project stops here
CANCEL_AT = month_of(date(2026, 4, 1))  # the cancelled project's last month
MATERIALISES = month_of(date(2026, 8, 1))  # the story risk materialises in this month's snapshot


@dataclass
class Project:
    pid: str
    name: str
    programme: str
    department: str
    kind: str
    group: str  # C/X/S/L/P/I or the story name
    start_m: int  # absolute month of the first planned month
    duration: int  # planned months
    bac: int  # budget at completion, whole currency units
    speeds: np.ndarray  # planned months of work done in each elapsed month (index 0 = start month)
    cpi: np.ndarray  # cost performance of each elapsed month
    manager: str = ""
    priority: str = "medium"
    billable: bool = True
    optimistic: bool = False  # the PM declares one shade greener than the numbers
    hold_from: int | None = None
    cancel_at: int | None = None
    # derived by simulate()
    planned: dict[str, np.ndarray] = field(default_factory=dict)  # category -> cents per planned month
    pace: np.ndarray = field(default_factory=lambda: np.zeros(0))  # speeds after hold / cancellation
    tau: np.ndarray = field(default_factory=lambda: np.zeros(0))  # cumulative progress in plan-months
    pct: np.ndarray = field(default_factory=lambda: np.zeros(0))  # percent complete at each month end
    ac_cum: np.ndarray = field(default_factory=lambda: np.zeros(0))  # cumulative actual cost, cents
    actual: dict[str, np.ndarray] = field(default_factory=dict)  # category -> cents per elapsed month
    finish_m: int | None = None
    actual_finish: date | None = None
    teams: set[str] = field(default_factory=set)  # teams that logged time on it (filled by timesheets)

    # --- identity -------------------------------------------------------------------------------
    @property
    def portfolio(self) -> str:
        return PORTFOLIO_OF[self.programme]

    @property
    def sponsor(self) -> str:
        return SPONSORS[self.department]

    @property
    def story(self) -> str | None:
        return None if self.group in GROUPS else self.group

    @property
    def stale(self) -> bool:
        return self.group == "S"

    # --- dates ----------------------------------------------------------------------------------
    @property
    def start_date(self) -> date:
        return first_workday(self.start_m)

    @property
    def planned_finish(self) -> date:
        return last_day(self.start_m + self.duration - 1)

    @property
    def end_m(self) -> int:
        """Last month with work, cost and reporting."""
        if self.finish_m is not None:
            return self.finish_m
        if self.cancel_at is not None:
            return self.cancel_at
        return M_TODAY

    @property
    def work_end_m(self) -> int:
        """Last month anyone books time on it (an on-hold project stops before it is put on hold)."""
        return self.hold_from - 1 if self.hold_from is not None else self.end_m

    @property
    def status(self) -> str:
        if self.cancel_at is not None:
            return "cancelled"
        if self.finish_m is not None:
            return "closed"
        return "on_hold" if self.hold_from is not None else "active"

    @property
    def stage(self) -> str:
        return {"C": "closing", "L": "closing", "P": "planning", "I": "initiation", "closed_late": "closing",
                "cancelled": "closing"}.get(self.group, "execution")

    def snapshot_months(self) -> range:
        """Months in which the project appears in the milestone and risk exports."""
        return range(max(self.start_m, M0), self.end_m + 1)

    # --- numbers --------------------------------------------------------------------------------
    def e(self, m: int) -> int:
        """Elapsed-month index of absolute month m (0 = start month)."""
        return m - self.start_m

    @property
    def planned_total(self) -> np.ndarray:
        return sum(self.planned.values(), np.zeros(self.duration, dtype=np.int64))

    def pv_cum(self, m: int) -> int:
        """Planned value (cents) through month m."""
        k = min(max(self.e(m) + 1, 0), self.duration)
        return int(self.planned_total[:k].sum())

    def phase(self, m: int) -> str:
        """What the team mostly does this month: design, build, test or support."""
        pct = self.pct[self.e(m)]
        return "design" if pct < 20 else "build" if pct < 70 else "test" if pct < 95 else "support"

    def reached(self, x: float) -> tuple[int, date] | None:
        """When progress first reached `x` plan-months: (absolute month, working day), or None if not yet."""
        hit = np.nonzero(self.tau >= x - 1e-9)[0]
        if not hit.size:
            return None
        i = int(hit[0])
        before = self.tau[i - 1] if i else 0.0
        day = workday_on_or_before(date_at(self.start_m + i + (x - before) / self.pace[i]))
        return self.start_m + i, max(day, self.start_date)

    def lag_months(self, m: int) -> float:
        """How far progress trails the calendar, in plan-months (negative = ahead)."""
        e = self.e(m)
        return e + 1 - self.tau[e] if self.finish_m is None or m < self.finish_m else 0.0


def _alloc(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` cents over `weights` in whole cents, summing exactly (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() <= 0:
        return np.zeros(w.size, dtype=np.int64)
    exact = w / w.sum() * total
    out = np.floor(exact).astype(np.int64)
    short = int(total - out.sum())
    out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out


def _plan(p: Project, rng: np.random.Generator) -> None:
    """Planned cost per category and month: S-curve labour, mid-project materials, flat overheads."""
    u = (np.arange(p.duration) + 0.5) / p.duration
    shapes = {"labour": np.sin(np.pi * u) ** 0.8 + 0.25, "contractors": np.sin(np.pi * u) ** 1.5 + 0.1,
              "materials": np.exp(-(((u - 0.45) / 0.18) ** 2)) + 0.02, "other": np.ones(p.duration)}
    shares = np.array(SHARES[p.kind]) * rng.uniform(0.9, 1.1, 4)
    totals = _alloc(p.bac * 100, shares)
    p.planned = {cat: _alloc(int(t), shapes[cat]) for cat, t in zip(CATEGORIES, totals, strict=True)}


def simulate(p: Project, rng: np.random.Generator) -> None:
    """Progress, percent complete, finish and actual cost of one project, month by month up to TODAY."""
    _plan(p, rng)
    n = M_TODAY - p.start_m + 1
    speeds = p.speeds[:n].astype(float).copy()
    if p.hold_from is not None:
        speeds[p.e(p.hold_from):] = 0.0
    if p.cancel_at is not None:
        speeds[p.e(p.cancel_at) + 1:] = 0.0
    tau = np.cumsum(speeds)
    done = np.nonzero(tau >= p.duration - 1e-9)[0]
    if done.size:
        f = int(done[0])
        before = tau[f - 1] if f else 0.0
        p.finish_m = p.start_m + f
        p.actual_finish = workday_on_or_before(date_at(p.start_m + f + (p.duration - before) / speeds[f]))
        tau = np.minimum(tau, p.duration)
    p.tau, p.pace = tau, speeds
    pv_frac = np.concatenate([[0.0], np.cumsum(p.planned_total)]) / (p.bac * 100)
    pct = np.round(np.interp(tau, np.arange(p.duration + 1), pv_frac) * 100, 1)
    pct = np.clip(pct, 0.1, 99.8)
    if p.finish_m is not None:
        pct[p.e(p.finish_m):] = 100.0
    p.pct = pct
    # Actual cost: earned value at this month's cost performance; standing costs while on hold.
    ac = pct / 100 * p.bac * 100 / p.cpi[:n]
    if p.hold_from is not None:
        h = p.e(p.hold_from)
        ac[h:] = ac[h - 1] + 0.002 * p.bac * 100 * np.arange(1, n - h + 1)
    if p.cancel_at is not None:
        c = p.e(p.cancel_at)
        ac[c] += 0.01 * p.bac * 100
        ac[c + 1:] = ac[c]
    if p.finish_m is not None:
        ac[p.e(p.finish_m) + 1:] = ac[p.e(p.finish_m)]
    p.ac_cum = np.round(np.maximum.accumulate(ac)).astype(np.int64)
    monthly = np.diff(np.concatenate([[0], p.ac_cum]))
    plan = np.array([p.planned[c] for c in CATEGORIES])  # 4 x duration
    split = np.zeros((4, n), dtype=np.int64)
    for e in range(n):
        if monthly[e] > 0:
            weights = plan[:, min(e, p.duration - 1)] + plan.sum(axis=1) * 0.02
            split[:, e] = _alloc(int(monthly[e]), weights * rng.lognormal(0, 0.15, 4))
    p.actual = {cat: split[i] for i, cat in enumerate(CATEGORIES)}


def _noisy(rng: np.random.Generator, n: int, mean: float, sd: float, lo: float, hi: float) -> np.ndarray:
    return np.clip(mean + rng.normal(0, sd, n), lo, hi)


def _story(p: Project, rng: np.random.Generator) -> None:
    """Start, length, pace and cost performance of the story projects, by hand."""
    o = {"slipping": 7, "over_budget_on_time": 10, "risk_materialises": 8, "closed_late": 5, "healthy": 11,
         "on_hold": 4, "cancelled": 6}[p.group]
    p.start_m = M0 + o
    n = M_TODAY - p.start_m + 1
    p.duration = {"slipping": 20, "over_budget_on_time": 18, "risk_materialises": 22, "closed_late": 12,
                  "healthy": 16, "on_hold": 24, "cancelled": 20}[p.group]
    p.speeds = _noisy(rng, n, 1.0, 0.01, 0.98, 1.02)
    p.cpi = _noisy(rng, n, 1.0, 0.008, 0.985, 1.015)
    p.priority, p.optimistic = "high", False
    if p.group == "slipping":  # on plan until January 2026, then losing pace every month
        pace = [0.9, 0.85, 0.78, 0.72, 0.66, 0.62, 0.6, 0.57, 0.55, 0.55]
        p.speeds[p.e(SLIP_FROM):] = pace[: n - p.e(SLIP_FROM)]
        p.cpi = _noisy(rng, n, 0.98, 0.008, 0.965, 0.995)
        p.priority, p.bac = "critical", 2_450_000
    elif p.group == "over_budget_on_time":  # on schedule, 25 % more actual cost than earned value
        p.speeds = np.ones(n)
        p.cpi = np.full(n, 0.8)
        p.bac = 3_200_000
    elif p.group == "risk_materialises":  # supplier insolvency in August 2026 pushes cost up
        k = p.e(MATERIALISES)
        p.cpi[k:] = [0.95, 0.92, 0.9][: n - k]
        p.priority, p.bac = "critical", 4_100_000
    elif p.group == "closed_late":  # 12 planned months: on plan for 8, then the last third takes 6.5 months
        p.speeds = np.concatenate([np.ones(8), np.full(n - 8, 4 / 6.5)])  # finishes mid-June instead of March
        p.cpi = _noisy(rng, n, 0.93, 0.01, 0.91, 0.95)
        p.bac = 1_850_000
    elif p.group == "healthy":
        p.bac = 960_000
    elif p.group == "on_hold":
        p.hold_from, p.priority, p.bac = HOLD_FROM, "medium", 1_400_000
    elif p.group == "cancelled":
        p.cancel_at, p.priority, p.bac = CANCEL_AT, "low", 780_000


def _generic(p: Project, rng: np.random.Generator) -> None:
    """Start, length and pace of an ordinary project of its group: plausible noise around on-plan."""
    g = p.group
    if g == "C":
        o = int(rng.integers(-9, 6))
        p.duration = int(rng.integers(max(7, 3 - o), min(16, 19 - o) + 1))
    elif g in ("X", "S"):
        o = int(rng.integers(-4, 17))
        elapsed = 24 - o
        p.duration = int(rng.integers(max(6, int(np.ceil(elapsed / 0.85))), min(36, int(elapsed / 0.2)) + 1))
    elif g == "L":
        o = int(rng.integers(0, 13))
        p.duration = 24 - o + int(rng.integers(-1, 3))
    elif g == "P":
        o = int(rng.integers(19, 22))
        p.duration = int(rng.integers(10, 25))
    else:  # I
        o = int(rng.integers(22, 24))
        p.duration = int(rng.integers(8, 19))
    p.start_m = M0 + o
    n = M_TODAY - p.start_m + 1
    mean = float(np.clip(rng.normal(0.985, 0.03), 0.93, 1.04)) if g != "C" else float(rng.uniform(0.95, 1.03))
    p.speeds = _noisy(rng, n, mean, 0.05, 0.6, 1.3)
    if g == "S":  # the reason they stopped reporting: work stalled two months ago
        p.speeds[-2:] = 0.3
    if g == "L":  # close to the end, not finished yet: progress 0.2-0.9 plan-months short of the finish
        p.speeds *= (p.duration - rng.uniform(0.2, 0.9)) / p.speeds.sum()
    if g == "C" and p.speeds.cumsum()[-1] < p.duration + 1:
        p.speeds *= (p.duration + 1) / p.speeds.cumsum()[-1]
    p.cpi = _noisy(rng, n, float(np.clip(rng.normal(0.99, 0.03), 0.92, 1.05)), 0.012, 0.85, 1.12)
    p.bac = int(round(float(np.clip(rng.lognormal(np.log(1.2e6 if p.kind != "infrastructure" else 2.2e6), 0.6),
                                    150_000, 8_000_000)) / 5000) * 5000)
    p.priority = str(rng.choice(["critical", "high", "medium", "low"], p=[0.1, 0.3, 0.45, 0.15]))
    p.optimistic = bool(rng.random() < 0.3)


def make_projects(seed: int, people: list[Person]) -> list[Project]:
    pms: dict[str, list[str]] = {}
    for person in people:
        if person.role == "Project Manager" and person.team != OVERLOADED_TEAM:
            pms.setdefault(person.department, []).append(person.name)
    slipping_pm = next(p.name for p in people if p.team == OVERLOADED_TEAM and p.role == "Project Manager")
    projects: list[Project] = []
    for name, programme, dept, kind, group in CATALOGUE:
        pid = PROJECT_IDS[name]
        rng = rng_for(seed, "project", pid)
        p = Project(pid, name, programme, dept, kind, group, 0, 0, 0, np.zeros(0), np.zeros(0))
        (_generic if group in GROUPS else _story)(p, rng)
        p.billable = p.portfolio == "Growth" or bool(rng.random() < 0.45)
        p.manager = slipping_pm if group == "slipping" else pms[dept][len(projects) % len(pms[dept])]
        simulate(p, rng)
        projects.append(p)
    _check(projects)
    return projects


def _check(projects: list[Project]) -> None:
    """The portfolio the stories need; fails loudly if a change to the model breaks one."""
    by = {p.group: p for p in projects if p.story}
    for p in projects:
        closed = p.group in ("C", "closed_late")
        assert (p.finish_m is not None) == closed, (p.pid, p.group, p.finish_m)
        assert p.finish_m is None or p.finish_m < M_TODAY, p.pid
        assert p.start_m + p.duration - 1 >= M0, p.pid
    late = by["closed_late"]
    assert late.finish_m == late.start_m + late.duration - 1 + 3
