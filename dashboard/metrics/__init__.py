"""Metrics: what a page shows, as DataFrames and KPI tiles (ui.Tile), from named queries (dashboard.db.run)."""

from __future__ import annotations

from dataclasses import replace

from dashboard.filters import Filters, month_end, previous_period


def previous(f: Filters) -> Filters:
    """The same filters one month earlier (month-over-month comparisons)."""
    return replace(f, period=previous_period(f.period))


def comparison_params(f: Filters) -> dict[str, object]:
    """$previous and $previous_end for queries comparing $period with the month before."""
    before = previous_period(f.period)
    return {"previous": before, "previous_end": month_end(before)}
