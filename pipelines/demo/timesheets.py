"""Daily timesheet lines: who worked how long on which project and activity, 2024-11 .. 2026-10.

Teams are assigned to the running projects of their department month by month (a team keeps a project until it
ends); people split their day between their team's projects. Part-timers work fewer days (24 h = Mon-Wed,
32 h = Mon-Thu) or shorter days (20 h = 4 h a day). Leave is taken in blocks. One team (org.OVERLOADED_TEAM)
carries the slipping project and logs 50-60 h a week, Saturdays included, from OVERLOAD_FROM.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipelines.demo.dates import M0, M_TODAY, TODAY, first_day, rng_for, workdays
from pipelines.demo.org import ALL_TEAMS, OVERLOADED_TEAM, TEAM_DEPARTMENT, Person
from pipelines.demo.portfolio import Project

ACTIVITIES = ("design", "build", "test", "support", "management")
OVERLOAD_FROM = date(2026, 5, 4)  # a Monday; the overloaded team works 50-60 h weeks from here to TODAY
MAX_TEAM_PROJECTS = 3


def _assign(projects: list[Project], m: int, state: dict[str, list[int]]) -> dict[str, list[int]]:
    """Teams -> indices of the projects they work on in month m (sticky from month to month)."""
    active = [i for i, p in enumerate(projects) if p.start_m <= m <= p.work_end_m]
    slipping = next(i for i, p in enumerate(projects) if p.story == "slipping")
    for team in state:
        state[team] = [i for i in state[team] if i in active]
    if slipping in active:
        state[OVERLOADED_TEAM] = [slipping]
    others = [t for t in ALL_TEAMS if not (t == OVERLOADED_TEAM and slipping in active)]
    coverage = {i: sum(i in lst for lst in state.values()) for i in active}
    for i in sorted(active, key=lambda i: (-projects[i].bac, projects[i].pid)):
        wanted = 2 if projects[i].bac >= 2_500_000 else 1
        while coverage[i] < wanted:
            dept = [t for t in others if TEAM_DEPARTMENT[t] == projects[i].department
                    and len(state[t]) < MAX_TEAM_PROJECTS and i not in state[t]]
            pool = dept or [t for t in others if len(state[t]) < MAX_TEAM_PROJECTS and i not in state[t]]
            if not pool:
                break
            team = min(pool, key=lambda t: (len(state[t]), ALL_TEAMS.index(t)))
            state[team].append(i)
            coverage[i] += 1
    for team in others:
        if not state[team] and active:
            same = [j for j in active if projects[j].department == TEAM_DEPARTMENT[team]]
            pick = min(same or active, key=lambda j: (coverage[j], projects[j].pid))
            state[team].append(pick)
            coverage[pick] += 1
    return state


def _leave(rng: np.random.Generator, season: np.ndarray) -> np.ndarray:
    """Leave over the two years: four week-long blocks, mostly in summer and at Christmas, and single days."""
    n_days = season.size
    off = np.zeros(n_days, dtype=bool)
    for start in rng.choice(n_days, 4, replace=False, p=season / season.sum()):
        off[start:start + int(rng.integers(4, 11))] = True
    off[rng.integers(0, n_days, int(rng.integers(6, 14)))] = True
    return off


def timesheets(people: list[Person], projects: list[Project], seed: int) -> pd.DataFrame:
    rng = rng_for(seed, "timesheets")
    days = workdays(first_day(M0), TODAY)
    months = days.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    weekday = (days.astype(np.int64) + 3) % 7
    n_days = days.size
    overload = days >= np.datetime64(OVERLOAD_FROM)
    month_no = months % 12 + 1
    day_no = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    season = 1.0 + 2.0 * np.isin(month_no, (7, 8)) + 4.0 * ((month_no == 12) & (day_no >= 15))  # leave peaks

    # Availability and the length of a normal day, per person.
    avail = np.zeros((len(people), n_days), dtype=bool)
    base = np.zeros(len(people))
    for k, person in enumerate(people):
        r = rng_for(seed, "person", person.eid)
        employed = (days >= np.datetime64(person.start)) & (days <= np.datetime64(person.end or date.max))
        works = weekday < {32: 4, 24: 3}.get(person.capacity, 5)
        off = _leave(r, season)
        if person.team == OVERLOADED_TEAM:
            off &= ~overload  # leave cancelled during the crunch
        avail[k] = employed & works & ~off
        base[k] = 4.0 if person.capacity == 20 else 8.0
    util = np.clip(rng.normal(0.9, 0.06, len(people)), 0.7, 1.02)
    team_util = {t: float(np.clip(rng.normal(1.0, 0.07), 0.82, 1.12)) for t in ALL_TEAMS}  # busy and quiet teams
    is_pm = np.array([p.role == "Project Manager" for p in people])
    is_lead = np.array([p.role == "Team Lead" for p in people])
    members = {t: np.array([k for k, p in enumerate(people) if p.team == t]) for t in ALL_TEAMS}

    last_day = np.array([np.datetime64(p.actual_finish or date.max) for p in projects], dtype="datetime64[D]")
    billable = np.array([p.billable for p in projects])
    slipping = next(i for i, p in enumerate(projects) if p.story == "slipping")

    parts: list[tuple[np.ndarray, ...]] = []
    state: dict[str, list[int]] = {t: [] for t in ALL_TEAMS}
    for m in range(M0, M_TODAY + 1):
        state = _assign(projects, m, state)
        dsel = np.nonzero(months == m)[0]
        phase = {i: ACTIVITIES.index(projects[i].phase(m)) for lst in state.values() for i in lst}
        for team, plist in state.items():
            if not plist:
                continue
            mem = members[team]
            for i in plist:
                projects[i].teams.add(team)
            shape = (mem.size, dsel.size)
            load = team_util[team] * float(np.clip(rng.normal(0.95 if len(plist) == 1 else 1.0, 0.04), 0.85, 1.05))
            hours = base[mem, None] * util[mem, None] * load * rng.normal(1.0, 0.08, shape)
            hours += (rng.random(shape) < 0.04) * 1.5  # the odd long day
            if team == OVERLOADED_TEAM:
                crunch = overload[dsel][None, :]
                hours = np.where(crunch, rng.choice([10.0, 10.5, 11.0, 11.5], shape), hours)
            hours = np.clip(np.round(hours * 2) / 2, 0, 12) * avail[np.ix_(mem, dsel)]
            k = len(plist)
            prim = np.broadcast_to((np.arange(mem.size) % k)[:, None], shape)
            second = (rng.random(shape) < 0.35) & (hours >= 3)
            sec_hours = np.minimum(rng.choice([1.0, 1.5, 2.0, 2.5, 3.0], shape), hours - 1) * second
            sec = (prim + 1 + rng.integers(0, max(k - 1, 1), shape)) % k if k > 1 else prim
            proj = np.asarray(plist)
            phase_of = np.array([phase[i] for i in plist])
            mgmt = ACTIVITIES.index("management")
            act1 = np.where(is_pm[mem, None], mgmt, phase_of[prim])
            act2 = np.where(sec == prim, (act1 + 1 + rng.integers(0, 4, shape)) % 5,
                            np.where(is_pm[mem, None] | (is_lead[mem, None] & (rng.random(shape) < 0.3)),
                                     mgmt, phase_of[sec]))
            emp = np.broadcast_to(mem[:, None], shape)
            day = np.broadcast_to(dsel[None, :], shape)
            for p_idx, h, act in ((prim, hours - sec_hours, act1), (sec, sec_hours, act2)):
                pj = proj[p_idx]
                keep = (h > 0) & (days[day] <= last_day[pj])
                parts.append((emp[keep], pj[keep], day[keep], h[keep], act[keep]))
    emp, proj, day, hours, act = (np.concatenate(col) for col in zip(*parts, strict=True))
    frame = pd.DataFrame({"employee_id": np.array([p.eid for p in people])[emp],
                          "project_id": np.array([p.pid for p in projects])[proj],
                          "work_date": days[day], "hours": hours,
                          "activity": np.array(ACTIVITIES)[act],
                          "billable": billable[proj] & (act != ACTIVITIES.index("management"))})
    frame = pd.concat([frame, _saturdays(people, projects[slipping], seed)], ignore_index=True)
    frame = frame.sort_values(["work_date", "employee_id", "project_id", "activity"], kind="stable")
    return frame.reset_index(drop=True)


def _saturdays(people: list[Person], project: Project, seed: int) -> pd.DataFrame:
    """Saturday shifts of the overloaded team during the crunch."""
    rng = rng_for(seed, "saturdays")
    rows = []
    day = OVERLOAD_FROM + timedelta(days=5)
    while day <= TODAY:
        for person in people:
            if person.team == OVERLOADED_TEAM and person.employed_on(day) and rng.random() < 0.5:
                activity = "management" if person.role == "Project Manager" else project.phase(
                    day.year * 12 + day.month - 1)
                rows.append((person.eid, project.pid, np.datetime64(day), float(rng.choice([4.0, 5.0, 6.0])),
                             activity, project.billable and activity != "management"))
        day += timedelta(days=7)
    return pd.DataFrame(rows, columns=["employee_id", "project_id", "work_date", "hours", "activity", "billable"])
