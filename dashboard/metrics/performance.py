"""Performance evaluation (PEO duty 7): health-score ranking with its weighted drivers, computed vs declared RAG,
the EVM summary and team performance."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import reasons, t
from dashboard.ui import Tile, fmt_int, fmt_pct, rag_text

DRIVERS = ("cost", "schedule", "risk", "quality", "freshness")
# The sources whose failed gate leaves a driver unknown (as in mart_health), and why it is unknown otherwise.
_DRIVER_GATES = {"cost": ("budgets", "status"), "schedule": ("budgets", "status"), "risk": ("risks",),
                 "quality": ("quality",), "freshness": ()}
_DRIVER_GAPS = {"risk": "why.no_risk_register", "quality": "why.no_checks", "freshness": "why.complete"}


def weights() -> dict[str, float]:
    """Health driver -> weight (cfg_health_driver), in the DRIVERS order."""
    df = db.run("performance_drivers")
    given = dict(zip(df["driver"], df["weight"].astype(float), strict=True))
    return {d: given.get(d, 0.0) for d in DRIVERS}


@db.per_snapshot
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
    df["unknown_drivers"] = unknown_drivers(df)
    return df


def driver_reason(row: dict | pd.Series, driver: str) -> str | None:
    """Why the project's `driver` has no score in the month (None when it has one), in the reader's language:
    a failed gate first, then the missing input (cost and schedule: the EVM reason, e.g. no actual cost)."""
    if pd.notna(row.get(f"{driver}_score")):
        return None
    for source in _DRIVER_GATES[driver]:
        failed = row.get(f"{source}_gate_failed")
        if failed is not None and pd.notna(failed) and bool(failed):
            return t(f"why.{source}_gate")
    if driver in ("cost", "schedule"):
        return reasons(row.get("grey_reason")) or t(f"why.{driver}_driver")
    return t(_DRIVER_GAPS[driver])


def unknown_drivers(df: pd.DataFrame) -> pd.Series:
    """Per project, each unknown driver with its reason ("Quality: no quality checks in the month; …"), or
    "none"."""
    def row_text(row: pd.Series) -> str | None:
        found = [f"{t(f'perf.driver.{d}')}: {why}" for d in DRIVERS if (why := driver_reason(row, d))]
        return "; ".join(found) or t("perf.all_known")

    return df.apply(row_text, axis=1) if len(df) else pd.Series(dtype=object)


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


def three_rags(f: Filters) -> str:
    """One line naming the three RAGs with their counts over the active projects, the overview's own query and
    count: computed (the indices), health (the score band, never better than computed), declared (the PM's)."""
    active = db.run("overview_projects", f).query("is_active")

    def counts(column: str) -> str:
        found = active[column].fillna("grey").value_counts()
        return ", ".join(f"{fmt_int(found.get(rag, 0))} {rag_text(rag)}" for rag in ("red", "amber", "green", "grey"))

    return t("perf.three_rags", projects=fmt_int(len(active)), computed=counts("computed_rag"),
             health=counts("health_rag"), declared=counts("declared_rag"))


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
        Tile(t("perf.kpi.coverage"), fmt_pct(coverage), help=t("perf.kpi.coverage_help"),
             unknown_reason=None if coverage is not None else t("perf.unknown.no_health")),
    ]



