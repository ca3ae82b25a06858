"""Schedule monitoring (PEO duty 1): milestone slip and its trend, overdue milestones, on-time rate, SPI vs SPI(t).

Every function takes the sidebar's Filters; snapshot data is read "as it stood" at the month end (each project's
latest milestone snapshot on or before it). A milestone of a project closed or cancelled by then is not open, so
never overdue: a stale snapshot of a cancelled project is no open work.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.metrics import comparison_params, portfolio_total, settings
from dashboard.ui import Tile, fmt_int, fmt_pct, fmt_ratio, is_known


@dataclass(frozen=True)
class Thresholds:
    amber_days: float
    red_days: float
    green_low: float
    green_high: float
    amber_low: float
    amber_high: float

    @property
    def bands(self) -> dict[str, float]:
        return {"green_low": self.green_low, "green_high": self.green_high,
                "amber_low": self.amber_low, "amber_high": self.amber_high}


def thresholds() -> Thresholds:
    s = settings()
    return Thresholds(
        amber_days=s["milestones.amber_slip_days"],
        red_days=s["milestones.red_slip_days"], green_low=s["evm.green_low"],
        green_high=s["evm.green_high"], amber_low=s["evm.amber_low"],
        amber_high=s["evm.amber_high"],
    )


def milestones(f: Filters, project_ids: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every milestone of the filtered projects (or of `project_ids`, filters aside) at its project's latest
    snapshot on or before the month end, with is_open / is_overdue / days_overdue as of the month end."""
    return db.run("schedule_milestones", f, project_ids=list(project_ids))


def overdue(f: Filters) -> pd.DataFrame:
    """Milestones not done whose planned date had passed at the month end, most overdue first."""
    m = milestones(f)
    return m[m["is_overdue"].fillna(False).astype(bool)].sort_values(
        ["days_overdue", "project_id"], ascending=[False, True]).reset_index(drop=True)


def slip_by_project(f: Filters) -> pd.DataFrame:
    """One row per project: its worst milestone slip (days) and that milestone, and how many are late (> 0)."""
    m = milestones(f)
    if m.empty:
        return pd.DataFrame(columns=["project_id", "project_name", "slip_days", "milestone_name", "late_milestones",
                                     "milestones", "as_of_date"])
    worst = m.sort_values("slip_days", ascending=False, na_position="last").groupby("project_id", sort=False).head(1)
    late = m.assign(late=m["slip_days"].fillna(0) > 0).groupby("project_id").agg(
        late_milestones=("late", "sum"), milestones=("milestone_id", "count"))
    out = worst[["project_id", "project_name", "slip_days", "milestone_name", "as_of_date"]].merge(
        late, left_on="project_id", right_index=True)
    return out.sort_values("slip_days", ascending=False, na_position="last").reset_index(drop=True)


def slip_trend(f: Filters) -> pd.DataFrame:
    """Each filtered project's worst milestone slip per snapshot up to the month end (series = project)."""
    trend = db.run("schedule_slip_trend", f)
    return trend.assign(series=trend["project_id"])


def slip_trend_milestones(f: Filters, project_ids: list[str]) -> pd.DataFrame:
    """One series per milestone of the given projects: slip per snapshot up to the month end."""
    trend = db.run("schedule_slip_trend_milestones", f, project_ids=list(project_ids))
    return trend.assign(series=trend["project_id"] + " · " + trend["milestone_name"].fillna(trend["milestone_id"]))


def latest_slip(trend: pd.DataFrame) -> pd.Series:
    """Series -> slip at its latest snapshot, worst first (the default lines to show)."""
    if trend.empty:
        return pd.Series(dtype=float)
    return trend.sort_values("as_of_date").groupby("series")["slip_days"].last().sort_values(
        ascending=False, na_position="last")


def timeline(f: Filters, project_id: str) -> pd.DataFrame:
    """One project's milestones for the dumbbell chart (label, baseline, forecast, actual, slip)."""
    m = milestones(f)
    m = m[m["project_id"] == project_id]
    return m.assign(label=m["milestone_name"].fillna(m["milestone_id"]) + " (" + m["milestone_id"] + ")")


def indices(f: Filters) -> pd.DataFrame:
    """SPI and earned schedule (ES, AT, SPI(t), SV(t)) per filtered project with figures in the month."""
    df = db.run("schedule_indices", f)
    return df[df["pv"].notna() | df["ev"].notna()].reset_index(drop=True)


def on_time_rate(m: pd.DataFrame) -> tuple[float | None, int, int]:
    """(rate, on time, completed) of completed milestones; rate None when none completed."""
    done = m[m["is_complete"].fillna(False).astype(bool)]
    on_time = int(done["on_time"].fillna(False).astype(bool).sum())
    return (on_time / len(done) if len(done) else None), on_time, len(done)


def slipped_since_previous(f: Filters) -> pd.DataFrame:
    """Milestones that slipped further since the previous month (the overview's month-over-month query)."""
    return db.run("overview_milestone_moves", f, **comparison_params(f))


def tiles(f: Filters, m: pd.DataFrame) -> list[Tile]:
    """On-time rate, overdue milestones, worst open slip, slipped since last month, portfolio SPI(t) and SPI."""
    rate, on_time, done = on_time_rate(m)
    open_ = m[m["is_open"].fillna(False).astype(bool)]
    worst = open_["slip_days"].max() if open_["slip_days"].notna().any() else None
    moved = slipped_since_previous(f)
    roll = portfolio_total(f)
    no_milestones = None if len(m) else t("sched.unknown.no_milestones")
    spi_t, spi = roll.get("spi_t"), roll.get("spi")
    return [
        Tile(t("sched.kpi.on_time"), fmt_pct(rate), help=t("sched.kpi.on_time_help"),
             unknown_reason=no_milestones or (None if rate is not None else t("sched.unknown.none_completed")),
             caption=t("sched.kpi.on_time_delta", on_time=on_time, done=done)),
        Tile(t("sched.kpi.overdue"), fmt_int(m["is_overdue"].fillna(False).astype(bool).sum()),
             help=t("sched.kpi.overdue_help"), unknown_reason=no_milestones),
        Tile(t("sched.kpi.worst"), f"{worst:.0f} {t('unit.days')}" if worst is not None else t("ui.na"),
             help=t("sched.kpi.worst_help"),
             unknown_reason=no_milestones or (None if worst is not None else t("sched.unknown.no_open"))),
        Tile(t("sched.kpi.slipped"), fmt_int(len(moved)), help=t("sched.kpi.slipped_help")),
        Tile("SPI(t)", fmt_ratio(spi_t), help=t("sched.kpi.spi_t_help"),
             unknown_reason=None if is_known(spi_t) else t("sched.unknown.no_es"),
             caption=t("sched.kpi.spi_beside", spi=fmt_ratio(spi))),
    ]
