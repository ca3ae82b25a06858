"""Project detail: one project's figures at the month, its history, registers and lineage."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.ui import Tile, fmt_int, fmt_money, fmt_pct, fmt_ratio

# Sections shown as tables: query name project_<section>.sql, all bound by $project_id (and $month_end).
SECTIONS = ("milestones", "risks", "changes", "issues", "documents", "commentary", "lineage")
# Health driver -> (its input column, how the input is formatted)
DRIVERS = {"cost": ("cpi", fmt_ratio), "schedule": ("spi_t", fmt_ratio), "risk": ("exposure", fmt_int),
           "quality": ("pass_rate", fmt_pct), "freshness": ("status_age_days", fmt_int)}


def options(f: Filters, requested: str | None) -> dict[str, str]:
    """project_id -> "ID · name" for the picker: the filtered projects, plus one asked for by link."""
    df = db.run("project_options", f)
    df = df[df["in_filter"] | (df["project_id"] == requested)]
    return dict(zip(df["project_id"], df["project_id"] + " · " + df["project_name"].fillna(""), strict=True))


def summary(f: Filters, project_id: str) -> dict:
    """The project's attributes and figures at the month; missing values are None."""
    rows = db.run("project_summary", f, project_id=project_id)
    return {k: None if pd.isna(v) else v for k, v in rows.iloc[0].items()} if len(rows) else {}


def tiles(s: dict) -> list[Tile]:
    """BAC, EAC, CPI, SPI, SPI(t), % complete and health score of the month (grey when unknown)."""
    def index(key: str) -> Tile:
        value = s.get(key)
        reason = None if value is not None else s.get("grey_reason") or t("ov.unknown.no_evm")
        return Tile(t(f"pd.{key}"), fmt_ratio(value), unknown_reason=reason)

    percent = s.get("percent_complete")
    return [
        Tile(t("pd.bac"), fmt_money(s.get("bac"))),
        Tile(t("pd.eac"), fmt_money(s.get("eac")),
             unknown_reason=None if s.get("eac") is not None else t("ov.unknown.no_ac")),
        index("cpi"), index("spi"), index("spi_t"),
        Tile(t("pd.percent"), fmt_pct(percent / 100 if percent is not None else None, 0)),
        Tile(t("col.health_score"), fmt_int(s.get("health_score"))),
    ]


def drivers(s: dict) -> pd.DataFrame:
    """One row per health driver: its score (0-100) and the input it scores."""
    return pd.DataFrame({
        "driver": [t(f"perf.driver.{d}") for d in DRIVERS],
        "score": [s.get(f"{d}_score") for d in DRIVERS],
        "input": [f"{t(f'col.{col}')}: {fmt(s.get(col))}" for col, fmt in DRIVERS.values()],
    })


def evm(f: Filters, project_id: str) -> pd.DataFrame:
    """The project's monthly EVM rows; EV and AC after the selected month hidden (the month as it stood)."""
    df = db.run("project_evm", project_id=project_id)
    later = df["period"] > f.period
    df.loc[later, ["ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi", "es", "spi_t", "sv_t"]] = None
    return df


def section(name: str, f: Filters, project_id: str) -> pd.DataFrame:
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}")
    return db.run(f"project_{name}", f, project_id=project_id)
