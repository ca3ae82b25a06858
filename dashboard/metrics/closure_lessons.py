"""Closure & lessons learned (PEO duty 10): final variances of projects closed by the month end and the
searchable lessons register (the search is a bound parameter, matched case-insensitively)."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.ui import Tile, fmt_int, fmt_money, fmt_pct, fmt_ratio, one_currency

MAX_SEARCH = 200


def closed(f: Filters) -> pd.DataFrame:
    """Filtered projects closed, cancelled or finished by the month end with their final variances."""
    return db.run("closure_projects", f.every_project())


def lessons(f: Filters, search: str = "") -> pd.DataFrame:
    """Lessons recorded by the month end whose text contains `search` (literal, case-insensitive)."""
    return db.run("closure_lessons", f.every_project(), search=(search or "").strip()[:MAX_SEARCH])


def tiles(df: pd.DataFrame, lessons_df: pd.DataFrame) -> list[Tile]:
    late = df["finish_slip_days"] > 0
    known_finish = df["finish_slip_days"].notna()
    over = df["cost_variance"] < 0
    bac, ac = df["bac"].where(df["final_ac"].notna()).sum(), df["final_ac"].sum()
    none = None if len(df) else t("clo.unknown.none_closed")
    currency, mixed = one_currency(df["currency"].dropna().unique())
    return [
        Tile(t("clo.kpi.closed"), fmt_int(len(df)), help=t("clo.kpi.closed_help")),
        Tile(t("clo.kpi.late"), fmt_pct(late.sum() / known_finish.sum() if known_finish.sum() else None),
             help=t("clo.kpi.late_help"), unknown_reason=none),
        Tile(t("clo.kpi.over"), fmt_pct(over.sum() / df["cost_variance"].notna().sum()
                                        if df["cost_variance"].notna().sum() else None),
             help=t("clo.kpi.over_help"), unknown_reason=none),
        Tile(t("clo.kpi.cost_variance"), fmt_money(bac - ac if ac else None, currency),
             help=t("clo.kpi.cost_variance_help"), unknown_reason=none or mixed),
        Tile(t("clo.kpi.cpi"), fmt_ratio(df["final_ev"].sum() / ac if ac else None), help=t("clo.kpi.cpi_help"),
             unknown_reason=none),
        Tile(t("clo.kpi.lessons"), fmt_int(len(lessons_df)), help=t("clo.kpi.lessons_help")),
    ]
