"""Resource allocation (PEO duty 2): utilisation team x ISO week, capacity vs logged hours, over- and
under-allocated people, billable share. Hours and capacity are always summed before dividing."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard import db
from dashboard.filters import Filters, month_end
from dashboard.i18n import t
from dashboard.metrics import previous, settings
from dashboard.ui import Tile, change, fmt_int, fmt_pct, month_label

SUMS = ["hours_logged", "capacity_hours", "billable_hours"]


def thresholds() -> tuple[float, float]:
    """(over-allocated above, under-allocated below) as shares."""
    s = settings()
    return s["utilisation.over_allocated_above"], s["utilisation.under_allocated_below"]


def window(f: Filters, weeks: int) -> tuple[date, date]:
    """(first, last) week start of the `weeks` ISO weeks ending with the week holding the month end."""
    end = month_end(f.period)
    last = end - timedelta(days=end.weekday())
    return last - timedelta(weeks=weeks - 1), last


def month_weeks(f: Filters) -> tuple[date, date]:
    """(first, last) week start of the ISO weeks starting in the month."""
    end = month_end(f.period)
    return end.replace(day=1), end


def team_weeks(f: Filters, week_from: date, week_to: date) -> pd.DataFrame:
    """Team x ISO week in the window: hours, capacity and billable hours summed, then the ratios."""
    return db.run("resources_team_weeks", f, week_from=week_from, week_to=week_to)


def weekly_totals(team_weeks_df: pd.DataFrame) -> pd.DataFrame:
    """Everyone shown, per ISO week: sums of the teams' hours, capacity and billable hours, then the ratios."""
    if team_weeks_df.empty:
        return pd.DataFrame(columns=["week_start", *SUMS, "utilisation", "billable_share"])
    return _ratios(team_weeks_df.groupby("week_start", as_index=False)[SUMS].sum())


def busiest_teams(team_weeks_df: pd.DataFrame, top: int) -> pd.DataFrame:
    """The `top` teams with the highest utilisation over the window (all of them when fewer)."""
    if team_weeks_df.empty:
        return team_weeks_df
    load = team_weeks_df.groupby("team")[SUMS].sum()
    order = (load["hours_logged"] / load["capacity_hours"].where(load["capacity_hours"] > 0)).sort_values(
        ascending=False, na_position="last")
    return team_weeks_df[team_weeks_df["team"].isin(order.index[:top])]


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["utilisation"] = df["hours_logged"] / df["capacity_hours"].where(df["capacity_hours"] > 0)
    df["billable_share"] = df["billable_hours"] / df["hours_logged"].where(df["hours_logged"] > 0)
    return df


def people_month(f: Filters) -> pd.DataFrame:
    """One row per person over the ISO weeks starting in the month, with the allocation flag."""
    out = db.run("resources_people", f, **dict(zip(("week_from", "week_to"), month_weeks(f), strict=True)))
    over, under = thresholds()
    out["allocation"] = "ok"
    out.loc[out["utilisation"] > over, "allocation"] = "over"
    out.loc[out["utilisation"] < under, "allocation"] = "under"
    out.loc[out["utilisation"].isna(), "allocation"] = "unknown"
    return out


def team_month(people: pd.DataFrame) -> pd.DataFrame:
    """Per team over the month: people's hours, capacity and billable hours summed, then the ratios."""
    if people.empty:
        return pd.DataFrame(columns=["team", *SUMS, "people", "utilisation", "billable_share"])
    out = people.groupby("team", as_index=False).agg(
        hours_logged=("hours_logged", "sum"), capacity_hours=("capacity_hours", "sum"),
        billable_hours=("billable_hours", "sum"), people=("employee_id", "nunique"))
    return _ratios(out)


def tiles(f: Filters, people: pd.DataFrame) -> list[Tile]:
    """Utilisation and billable share of the month (with change vs the month before), over/under-allocated."""
    def total(df: pd.DataFrame) -> tuple[float | None, float | None]:
        hours, capacity, billable = (df[c].sum() for c in SUMS) if len(df) else (0, 0, 0)
        return (hours / capacity if capacity else None), (billable / hours if hours else None)

    used, billable = total(people)
    used_before, billable_before = total(people_month(previous(f)))
    over, under = thresholds()
    no_time = t("res.unknown.no_time")
    versus = t("ov.vs_month", month=month_label(previous(f).period))
    return [
        Tile(t("res.kpi.utilisation"), fmt_pct(used), change(used, used_before, "{:+.1%}", points=True),
             t("res.kpi.utilisation_help"), None if used is not None else no_time, "off", versus),
        Tile(t("res.kpi.billable"), fmt_pct(billable), change(billable, billable_before, "{:+.1%}", points=True),
             t("res.kpi.billable_help"), None if billable is not None else no_time, delta_description=versus),
        Tile(t("res.kpi.over"), fmt_int((people["allocation"] == "over").sum()),
             help=t("res.kpi.over_help", pct=fmt_pct(over, 0)), unknown_reason=None if used is not None else no_time),
        Tile(t("res.kpi.under"), fmt_int((people["allocation"] == "under").sum()),
             help=t("res.kpi.under_help", pct=fmt_pct(under, 0)), unknown_reason=None if used is not None else no_time),
        Tile(t("res.kpi.people"), fmt_int(len(people)), help=t("res.kpi.people_help")),
    ]
