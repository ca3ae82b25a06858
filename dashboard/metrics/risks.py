"""Risk management (PEO duty 6): the 5x5 probability x impact matrix, exposure across snapshots, overdue
mitigations and what is new, escalated or closed since the previous month. Snapshot data as it stood at the
month end (each project's latest risk snapshot on or before it)."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.metrics import comparison_params
from dashboard.ui import Tile, fmt_int

MEASURES = ("risks", "exposure")


def register(f: Filters) -> pd.DataFrame:
    """Every risk of the filtered projects at the month end, highest score first."""
    return db.run("risks_register", f)


def open_risks(f: Filters) -> pd.DataFrame:
    df = register(f)
    return df[df["is_open"].fillna(False).astype(bool)].reset_index(drop=True)


def matrix(f: Filters) -> pd.DataFrame:
    """(probability, impact) cells with open risks: risks (count) and exposure (sum of scores)."""
    return db.run("risks_matrix", f)


def bands() -> list[tuple[str, int]]:
    """(band, max score) in order, as configured when the snapshot was built."""
    df = db.run("risks_bands")
    return [(str(b), int(m)) for b, m in zip(df["band"], df["max_score"], strict=True)]


def cell(f: Filters, probability: int, impact: int) -> pd.DataFrame:
    """The open risks in one cell of the matrix."""
    df = open_risks(f)
    return df[(df["probability"] == probability) & (df["impact"] == impact)].reset_index(drop=True)


def exposure_trend(f: Filters) -> pd.DataFrame:
    """Per month end up to the month, per band: open risks and exposure as they stood then."""
    return db.run("risks_exposure_trend", f)


def overdue_mitigations(f: Filters) -> pd.DataFrame:
    """Open risks whose mitigation was due before the month end, most overdue first."""
    df = open_risks(f)
    return df[df["is_overdue_mitigation"].fillna(False).astype(bool)].sort_values(
        "days_overdue", ascending=False).reset_index(drop=True)


def moves(f: Filters) -> pd.DataFrame:
    """Risks new, escalated or closed between the previous month's and this month's snapshots."""
    return db.run("overview_risk_moves", f, **comparison_params(f))


def tiles(current: pd.DataFrame, changes: pd.DataFrame) -> list[Tile]:
    """Open risks, open exposure, open high/critical, overdue mitigations, and the month's moves."""
    open_ = current[current["is_open"].fillna(False).astype(bool)]
    moved = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    no_register = None if len(current) else t("risk.unknown.no_register")
    return [
        Tile(t("risk.kpi.open"), fmt_int(len(open_)), help=t("risk.kpi.open_help"), unknown_reason=no_register),
        Tile(t("risk.kpi.exposure"), fmt_int(open_["score"].sum()), help=t("risk.kpi.exposure_help"),
             unknown_reason=no_register),
        Tile(t("risk.kpi.escalated"), fmt_int(open_["is_escalated"].fillna(False).astype(bool).sum()),
             help=t("risk.kpi.escalated_help"), unknown_reason=no_register),
        Tile(t("risk.kpi.overdue"), fmt_int(open_["is_overdue_mitigation"].fillna(False).astype(bool).sum()),
             help=t("risk.kpi.overdue_help"), unknown_reason=no_register),
        Tile(t("risk.kpi.new"), fmt_int(moved.get("new", 0)), help=t("risk.kpi.moves_help"),
             caption=t("risk.kpi.moves_delta", escalated=int(moved.get("escalated", 0)),
                       closed=int(moved.get("closed", 0)))),
    ]
