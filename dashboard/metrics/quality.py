"""Quality control (PEO duty 4): quality-check pass rate by month and the open-defects trend of the filtered
projects (checks and defects summed over projects first, then the rate)."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.metrics import settings
from dashboard.ui import Tile, change, fmt_int, fmt_pct, month_label


def thresholds() -> tuple[float, float]:
    """(amber below, red below) pass-rate thresholds."""
    s = settings()
    return s["quality.amber_below"], s["quality.red_below"]


def monthly(f: Filters) -> pd.DataFrame:
    """One row per month up to the selected one: checks by result, pass rate, open and closed defects."""
    return db.run("quality_monthly", f)


def projects(f: Filters) -> pd.DataFrame:
    """Per filtered project with checks in the month: pass rate, RAG and defects, worst first."""
    return db.run("quality_projects", f)


def rag(rate: float | None) -> str:
    if rate is None or pd.isna(rate):
        return "grey"
    amber, red = thresholds()
    return "red" if rate < red else "amber" if rate < amber else "green"


def tiles(f: Filters, df: pd.DataFrame) -> list[Tile]:
    """Pass rate, checks, open defects and defects closed in the month, with the change vs the month before."""
    now = df[df["period"] == f.period]
    before = df[df["period"] < f.period].tail(1)
    row = now.iloc[0] if len(now) else None
    prev = before.iloc[0] if len(before) else None
    rate = row["pass_rate"] if row is not None else None
    no_checks = None if row is not None else t("qual.unknown.no_checks")

    def delta(col: str, pattern: str, *, points: bool = False) -> str | None:
        return None if row is None or prev is None else change(row[col], prev[col], pattern, points=points)

    versus = t("ov.vs_month", month=month_label(str(prev["period"]))) if prev is not None else None
    return [
        Tile(t("qual.kpi.pass_rate"), fmt_pct(rate), delta("pass_rate", "{:+.1%}", points=True),
             t("qual.kpi.pass_rate_help", rag=t(f"rag.{rag(rate)}")), no_checks, delta_description=versus),
        Tile(t("qual.kpi.checks"), fmt_int(row["checks"]) if row is not None else "0", help=t("qual.kpi.checks_help")),
        Tile(t("qual.kpi.failed"), fmt_int(row["failed"]) if row is not None else "0", help=t("qual.kpi.failed_help")),
        Tile(t("qual.kpi.defects_open"), fmt_int(row["defects_open"]) if row is not None else t("ui.na"),
             delta("defects_open", "{:+.0f}"), t("qual.kpi.defects_open_help"), no_checks, "inverse", versus),
    ]
