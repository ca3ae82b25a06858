"""Change management (PEO duty 9): the CR log as it stood at the month end, approval cycle time and the
cumulative cost and schedule impact of approved changes."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.ui import Tile, fmt_int, fmt_money, fmt_pct


def log(f: Filters) -> pd.DataFrame:
    """Every change request of the filtered projects submitted by the month end, decision as it stood then."""
    return db.run("changes_log", f)


def cumulative(df: pd.DataFrame) -> pd.DataFrame:
    """Approved changes in decision order with the running total of cost impact and schedule days."""
    approved = df[(df["decision"] == "approved") & df["decision_date"].notna()].sort_values(
        ["decision_date", "change_id"])
    return approved.assign(
        cum_cost_impact=approved["cost_impact"].fillna(0).cumsum(),
        cum_schedule_days=approved["schedule_impact_days"].fillna(0).cumsum(),
    ).reset_index(drop=True)


def cycle_times(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["cycle_days"].notna()].assign(cycle_days=lambda d: d["cycle_days"].astype(float))


def tiles(f: Filters, df: pd.DataFrame, currency: str | None, mixed: str | None) -> list[Tile]:
    """Requests (and submitted this month), pending, median cycle time, approval rate, approved impact (in the
    projects' currency; unknown, saying so, when they mix currencies: `mixed` from ui.one_currency)."""
    decided = df[df["decision"] != "pending"]
    approved = df[df["decision"] == "approved"]
    in_month = df[df["submitted_date"].astype("datetime64[ns]").dt.strftime("%Y-%m") == f.period]
    cycle = cycle_times(df)["cycle_days"]
    median = cycle.median() if len(cycle) else None
    rate = len(approved) / len(decided) if len(decided) else None
    return [
        Tile(t("chg.kpi.total"), fmt_int(len(df)), help=t("chg.kpi.total_help"),
             caption=t("chg.kpi.in_month", n=len(in_month))),
        Tile(t("chg.kpi.pending"), fmt_int((df["decision"] == "pending").sum()), help=t("chg.kpi.pending_help")),
        Tile(t("chg.kpi.cycle"), f"{median:.0f} {t('unit.days')}" if median is not None else t("ui.na"),
             help=t("chg.kpi.cycle_help"), unknown_reason=None if median is not None else t("chg.unknown.no_decision")),
        Tile(t("chg.kpi.approval_rate"), fmt_pct(rate), help=t("chg.kpi.approval_rate_help"),
             unknown_reason=None if rate is not None else t("chg.unknown.no_decision")),
        Tile(t("chg.kpi.cost"), fmt_money(approved["cost_impact"].fillna(0).sum(), currency),
             help=t("chg.kpi.cost_help"), unknown_reason=mixed),
        Tile(t("chg.kpi.schedule"), f"{approved['schedule_impact_days'].fillna(0).sum():+,.0f} {t('unit.days')}",
             help=t("chg.kpi.schedule_help")),
    ]
