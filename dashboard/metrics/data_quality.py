"""Data quality: per source what is loaded and how fresh, every gate check, quarantined rows, rejected loads."""

from __future__ import annotations

import pandas as pd

from contract.sources import SOURCES
from dashboard import db
from dashboard.i18n import t
from dashboard.metrics import settings
from dashboard.ui import Tile, fmt_int

QUARANTINE_ROWS = 5_000
LOAD_ROWS = 1_000


def stale_after_days() -> int:
    """[health] stale_after_days of the configuration the current snapshot was built with."""
    return int(settings()["health.stale_after_days"])


def sources() -> pd.DataFrame:
    """One row per canonical source with freshness, gate outcome and the KPIs it feeds."""
    df = db.run("data_quality_sources", sources=list(SOURCES), stale_after_days=stale_after_days())
    df["freshness"] = df["freshness"].map(lambda f: t(f"dq.{f}"))
    df["kpis"] = df["source"].map(lambda s: t(f"dq.kpi.{s}"))
    return df


def tiles(df: pd.DataFrame) -> list[Tile]:
    loaded = int((df["files"] > 0).sum())
    return [
        Tile(t("dq.sources_loaded"), f"{loaded} / {len(df)}"),
        Tile(t("dq.sources_failing"), fmt_int((df["failed_checks"] > 0).sum()), delta_color="off"),
        Tile(t("dq.sources_stale"), fmt_int((df["freshness"] == t("dq.stale")).sum())),
        Tile(t("dq.rows_quarantined"), fmt_int(df["rows_quarantined"].sum())),
        Tile(t("dq.loads_rejected"), fmt_int(df["rejected_loads"].sum())),
    ]


def checks(*, failed_only: bool) -> pd.DataFrame:
    return db.run("data_quality_checks", failed_only=failed_only)


def quarantine(sources: list[str]) -> pd.DataFrame:
    return db.run("data_quality_quarantine", quarantine_sources=sources, limit=QUARANTINE_ROWS)


def loads(*, rejected_only: bool) -> pd.DataFrame:
    return db.run("data_quality_loads", rejected_only=rejected_only, limit=LOAD_ROWS)


def replaced() -> pd.DataFrame:
    """Rows later loads replaced, per (later load, earlier load, rule): why load counts and rows differ."""
    return db.run("data_quality_replaced", limit=LOAD_ROWS)
