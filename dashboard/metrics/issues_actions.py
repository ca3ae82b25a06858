"""Project support (PEO duty 3): RAID issues, actions and decisions open at the month end by age band, owner and
project; overdue actions."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.ui import Tile, fmt_int


def age_bands() -> dict[str, str]:
    """Band -> its label, youngest first, as configured ([issues] age_band_days): "0-30" -> "0–30 days"."""
    bands = db.run("issues_age_bands")
    return {row.band: (t("iss.age.range", low=row.min_days, high=int(row.max_days)) if pd.notna(row.max_days)
                       else t("iss.age.over", days=row.min_days - 1)) for row in bands.itertuples()}


def items(f: Filters) -> pd.DataFrame:
    """Every RAID item of the filtered projects raised by the month end, state as it stood then."""
    return db.run("issues_items", f)


def open_items(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["is_open"].fillna(False).astype(bool)].reset_index(drop=True)


def by_age(open_df: pd.DataFrame) -> pd.DataFrame:
    """Open items per age band and kind."""
    return open_df.groupby(["age_band", "kind"], as_index=False).size().rename(columns={"size": "items"})


def by(open_df: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Open and overdue items per owner or project (owner NULL kept as its own group)."""
    data = open_df.assign(overdue=open_df["is_overdue"].fillna(False).astype(bool).astype(int))
    out = data.groupby(dimension, dropna=False, as_index=False).agg(
        open_items=("item_id", "count"), overdue_items=("overdue", "sum"))
    return out.sort_values(["open_items", "overdue_items"], ascending=False).reset_index(drop=True)


def overdue_actions(open_df: pd.DataFrame) -> pd.DataFrame:
    out = open_df[(open_df["kind"] == "action") & open_df["is_overdue"].fillna(False).astype(bool)]
    return out.sort_values("days_overdue", ascending=False).reset_index(drop=True)


def tiles(df: pd.DataFrame) -> list[Tile]:
    open_df = open_items(df)
    last = db.run("issues_age_bands").iloc[-1]
    oldest, oldest_from = str(last["band"]), int(last["min_days"])
    overdue = open_df["is_overdue"].fillna(False).astype(bool)
    median = open_df["age_days"].median() if len(open_df) else None
    return [
        Tile(t("iss.kpi.open"), fmt_int(len(open_df)), help=t("iss.kpi.open_help")),
        Tile(t("iss.kpi.overdue"), fmt_int(overdue.sum()), help=t("iss.kpi.overdue_help")),
        Tile(t("iss.kpi.overdue_actions"), fmt_int((overdue & (open_df["kind"] == "action")).sum()),
             help=t("iss.kpi.overdue_actions_help")),
        Tile(t("iss.kpi.median_age"), f"{median:.0f} {t('unit.days')}" if median is not None else t("ui.na"),
             help=t("iss.kpi.median_age_help"),
             unknown_reason=None if median is not None else t("iss.unknown.none_open")),
        Tile(t("iss.kpi.old", days=oldest_from - 1), fmt_int((open_df["age_band"] == oldest).sum()),
             help=t("iss.kpi.old_help", days=oldest_from - 1)),
        Tile(t("iss.kpi.unowned"), fmt_int(open_df["owner"].isna().sum()), help=t("iss.kpi.unowned_help")),
    ]
