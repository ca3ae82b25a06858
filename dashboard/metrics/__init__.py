"""Metrics: what a page shows, as DataFrames and KPI tiles (ui.Tile), from named queries (dashboard.db.run)."""

from __future__ import annotations

from dataclasses import replace

from dashboard import db
from dashboard.filters import Filters, month_end, previous_period


def previous(f: Filters) -> Filters:
    """The same filters one month earlier (month-over-month comparisons)."""
    return replace(f, period=previous_period(f.period))


def portfolio_total(f: Filters) -> dict:
    """The total row of evm_rollup.sql for the filtered projects (PV, EV, AC, BAC summed first, then the ratios);
    empty when nothing is measured."""
    rows = db.run("evm_rollup", f, level="total")
    return rows.iloc[0].to_dict() if len(rows) else {}


def comparison_params(f: Filters) -> dict[str, object]:
    """$previous and $previous_end for queries comparing $period with the month before."""
    before = previous_period(f.period)
    return {"previous": before, "previous_end": month_end(before)}


def settings() -> dict[str, float]:
    """Numeric settings of the configuration the current snapshot was built with (cfg_setting): the thresholds the
    analysis pages share."""
    df = db.run("analysis_settings")
    df = df[df["num"].notna()]
    return dict(zip(df["key"], df["num"].astype(float), strict=True))
