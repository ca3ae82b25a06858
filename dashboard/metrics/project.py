"""Project detail: one project's figures at the month, its history, registers and lineage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import reasons, t
from dashboard.metrics import schedule
from dashboard.metrics.performance import driver_reason
from dashboard.ui import Tile, fmt_int, fmt_money, fmt_pct, fmt_ratio

# Sections shown as tables: query name project_<section>.sql, all bound by $project_id (and $month_end);
# milestones come from the Schedule page's query, so both count overdue milestones alike.
SECTIONS = ("milestones", "risks", "changes", "issues", "documents", "commentary", "lineage")
MILESTONE_COLUMNS = ["milestone_id", "milestone_name", "is_gate", "baseline_date", "forecast_date", "actual_date",
                     "slip_days", "slip_rag", "is_overdue", "days_overdue", "slip_change_days", "as_of_date",
                     "source_file"]
# Health driver -> (its input column, how the input is formatted)
DRIVERS = {"cost": ("cpi", fmt_ratio), "schedule": ("spi_t", fmt_ratio), "risk": ("exposure", fmt_int),
           "quality": ("pass_rate", fmt_pct), "freshness": ("status_age_days", fmt_int)}


def options(f: Filters, requested: str | None) -> dict[str, str]:
    """project_id -> "ID · name" for the picker: the filtered projects, plus one asked for by link."""
    df = db.run("project_options", f.every_project())
    df = df[df["in_filter"] | (df["project_id"] == requested)]
    return dict(zip(df["project_id"], df["project_id"] + " · " + df["project_name"].fillna(""), strict=True))


def summary(f: Filters, project_id: str) -> dict:
    """The project's attributes and figures at the month; missing values are None."""
    rows = db.run("project_summary", f, project_id=project_id)
    return {k: None if pd.isna(v) else v for k, v in rows.iloc[0].items()} if len(rows) else {}


def tiles(s: dict) -> list[Tile]:
    """BAC, EAC, CPI, SPI, SPI(t), % complete and health score of the month; grey "unknown", with the reason,
    when a figure cannot be known (no budget plan, no status report, no earned value)."""
    no_figures = reasons(s.get("grey_reason")) or t("pd.unknown.no_figures")

    def index(key: str) -> Tile:
        value = s.get(key)
        return Tile(t(f"pd.{key}"), fmt_ratio(value), unknown_reason=None if value is not None else no_figures)

    percent, bac = s.get("percent_complete"), s.get("bac")
    return [
        Tile(t("pd.bac"), fmt_money(bac, s.get("currency")),
             unknown_reason=None if bac is not None else t("pd.unknown.no_budget")),
        Tile(t("pd.eac"), fmt_money(s.get("eac"), s.get("currency")),
             unknown_reason=None if s.get("eac") is not None else no_figures if s.get("grey_reason")
             else t("ov.unknown.no_ac")),
        index("cpi"), index("spi"), index("spi_t"),
        Tile(t("pd.percent"), fmt_pct(percent / 100 if percent is not None else None),
             unknown_reason=None if percent is not None else t("pd.unknown.no_status")),
        Tile(t("col.health_score"), fmt_int(s.get("health_score")),
             unknown_reason=None if s.get("health_score") is not None
             else reasons(s.get("health_grey_reason")) or no_figures),
    ]


def has_curve(evm_rows: pd.DataFrame) -> bool:
    """Whether the project has any PV, EV or AC to draw (no budget plan: none)."""
    return bool(len(evm_rows)) and bool(evm_rows[["pv", "ev", "ac"]].notna().to_numpy().any())


def drivers(s: dict) -> pd.DataFrame:
    """One row per health driver: its score (0-100) and the input it scores, or why it is unknown."""
    def input_text(driver: str, column: str, fmt: Callable[[Any], str]) -> str:
        why = driver_reason(s, driver)
        return f"{t(f'col.{column}')}: {fmt(s.get(column))}" if why is None else f"{t('ui.unknown')}: {why}"

    return pd.DataFrame({
        "driver": [t(f"perf.driver.{d}") for d in DRIVERS],
        "score": [s.get(f"{d}_score") for d in DRIVERS],
        "input": [input_text(d, col, fmt) for d, (col, fmt) in DRIVERS.items()],
    })


def evm(f: Filters, project_id: str) -> pd.DataFrame:
    """The project's monthly EVM rows; EV and AC after the selected month hidden (the month as it stood)."""
    df = db.run("project_evm", project_id=project_id)
    later = df["period"] > f.period
    df.loc[later, ["ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi", "es", "spi_t", "sv_t"]] = None
    return df


def quarantined(project_id: str) -> dict[str, tuple[int, str]]:
    """Source -> (rows of the project the gate held back, their rules), for the loads in use."""
    df = db.run("project_quarantine", project_id=project_id)
    return {s: (int(n), rules) for s, n, rules in df[["source", "rows_quarantined", "rules"]].itertuples(index=False)}


def section(name: str, f: Filters, project_id: str) -> pd.DataFrame:
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}")
    if name == "milestones":
        return schedule.milestones(f, (project_id,))[MILESTONE_COLUMNS]
    return db.run(f"project_{name}", f, project_id=project_id)
