"""Performance evaluation (PEO duty 7): health-score ranking with its weighted drivers, computed vs declared RAG,
the EVM summary and team performance. Also the settings the analysis pages share (`settings()`)."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.ui import Tile, fmt_int, fmt_pct

DRIVERS = ("cost", "schedule", "risk", "quality", "freshness")


def settings() -> dict[str, float]:
    """Numeric settings of the configuration the current snapshot was built with (cfg_setting)."""
    df = db.run("analysis_settings")
    df = df[df["num"].notna()]
    return dict(zip(df["key"], df["num"].astype(float), strict=True))


def weights() -> dict[str, float]:
    """Health driver -> weight (cfg_health_driver), in the DRIVERS order."""
    df = db.run("performance_drivers")
    given = dict(zip(df["driver"], df["weight"].astype(float), strict=True))
    return {d: given.get(d, 0.0) for d in DRIVERS}


def health(f: Filters) -> pd.DataFrame:
    """Health of every filtered project in the month, with driver scores and the points each contributes.

    A driver's points = its weight share among the drivers known for that project x its score, so the points
    add up to the health score (weights are normalised over the known drivers, as in mart_health)."""
    df = db.run("performance_health", f)
    w = weights()
    known = sum(df[f"{d}_score"].notna() * w[d] for d in DRIVERS)
    for d in DRIVERS:
        df[f"{d}_weight"] = (w[d] / known.where(known > 0)).where(df[f"{d}_score"].notna())
        df[f"{d}_points"] = df[f"{d}_weight"] * df[f"{d}_score"]
    df["label"] = df["project_id"] + " · " + df["project_name"].fillna("")
    return df


def ranking(f: Filters) -> pd.DataFrame:
    """Projects with a health score, worst first."""
    df = health(f)
    return df[df["health_score"].notna()].sort_values("health_score").reset_index(drop=True)


def rag_agreement(df: pd.DataFrame) -> pd.DataFrame:
    """Counts of projects per (computed RAG, declared RAG); declared NULL is grey."""
    data = df[df["has_figures"]].assign(declared_rag=df["declared_rag"].fillna("grey"))
    return data.groupby(["computed_rag", "declared_rag"], as_index=False).size().rename(columns={"size": "projects"})


def disagreements(df: pd.DataFrame) -> pd.DataFrame:
    """Projects whose declared RAG differs from the computed one; rosier-than-numbers ("watermelon") first."""
    out = df[df["rag_disagrees"].fillna(False).astype(bool)]
    return out.sort_values(["rag_gap", "health_score"], ascending=[False, True]).reset_index(drop=True)


def scope(df: pd.DataFrame) -> dict[str, str]:
    """What the page counts: the filtered projects with figures in the month, complete and closed ones included
    (the overview counts active projects only)."""
    known = df[df["has_figures"]]
    return {"projects": fmt_int(len(known)), "complete": fmt_int(known["is_complete"].fillna(False).sum())}


def tiles(df: pd.DataFrame) -> list[Tile]:
    """Median health, projects red / grey on health, RAG disagreements, score coverage."""
    scored = df[df["health_score"].notna()]
    median = scored["health_score"].median() if len(scored) else None
    known = df[df["has_figures"]]
    disagree = int(known["rag_disagrees"].fillna(False).astype(bool).sum())
    watermelon = int((known["rag_gap"].fillna(0) > 0).sum())
    coverage = scored["score_coverage"].mean() if len(scored) else None
    return [
        Tile(t("perf.kpi.median_health"), f"{median:.0f}" if median is not None else t("ui.na"),
             help=t("perf.kpi.median_health_help"),
             unknown_reason=None if median is not None else t("perf.unknown.no_health")),
        Tile(t("perf.kpi.red"), fmt_int((df["health_rag"] == "red").sum()), help=t("perf.kpi.red_help")),
        Tile(t("perf.kpi.grey"), fmt_int((df["computed_rag"] == "grey").sum()), help=t("perf.kpi.grey_help")),
        Tile(t("perf.kpi.disagree"), fmt_int(disagree), help=t("perf.kpi.disagree_help"),
             caption=t("perf.kpi.watermelon", n=watermelon)),
        Tile(t("perf.kpi.coverage"), fmt_pct(coverage, 0), help=t("perf.kpi.coverage_help"),
             unknown_reason=None if coverage is not None else t("perf.unknown.no_health")),
    ]



