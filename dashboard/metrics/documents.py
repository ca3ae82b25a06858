"""Document management (PEO duty 8): mandatory documents per lifecycle stage present / stale / missing at the
month end, per project, with the file each state was read from."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.metrics import settings
from dashboard.ui import Tile, fmt_int, fmt_pct

STATES = ("present", "stale", "missing")


def stale_after_days() -> int:
    return int(settings()["documents.stale_after_days"])


def register(f: Filters) -> pd.DataFrame:
    """Per filtered project and document type (mandatory or present): the latest document and its state."""
    return db.run("documents_register", f)


def mandatory(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["is_mandatory"].fillna(False).astype(bool)].reset_index(drop=True)


def by_stage(mand: pd.DataFrame) -> pd.DataFrame:
    """Mandatory documents per lifecycle stage and state."""
    return mand.groupby(["lifecycle_stage", "state"], dropna=False, as_index=False).size().rename(
        columns={"size": "documents"})


def gaps(mand: pd.DataFrame) -> pd.DataFrame:
    """Mandatory documents missing or stale, missing first."""
    out = mand[mand["state"] != "present"]
    order = out["state"].map({"missing": 0, "stale": 1})
    return out.assign(_order=order).sort_values(["_order", "project_id", "document_type"]).drop(
        columns="_order").reset_index(drop=True)


def by_project(mand: pd.DataFrame) -> pd.DataFrame:
    """Per project: mandatory documents, present / stale / missing and completeness."""
    counts = mand.pivot_table(index=["project_id", "project_name", "lifecycle_stage"], columns="state",
                              values="document_type", aggfunc="count", fill_value=0).reindex(
        columns=list(STATES), fill_value=0)
    counts.columns = list(STATES)
    out = counts.reset_index()
    out["mandatory"] = out[list(STATES)].sum(axis=1)
    out["completeness"] = out["present"] / out["mandatory"].where(out["mandatory"] > 0)
    return out.sort_values(["completeness", "project_id"]).reset_index(drop=True)


def matrix(mand: pd.DataFrame, top: int) -> pd.DataFrame:
    """The mandatory documents of at most `top` projects for the matrix: those with the most gaps first."""
    gaps_per_project = (mand["state"] != "present").groupby(mand["project_id"]).sum()
    keep = gaps_per_project.sort_values(ascending=False, kind="stable").index[:top]
    return mand[mand["project_id"].isin(keep)]


def tiles(mand: pd.DataFrame) -> list[Tile]:
    total = len(mand)
    present = int((mand["state"] == "present").sum())
    per_project = by_project(mand) if total else pd.DataFrame(columns=["completeness"])
    complete = int((per_project["completeness"] == 1).sum())
    no_docs = None if total else t("doc.unknown.none_required")
    return [
        Tile(t("doc.kpi.completeness"), fmt_pct(present / total if total else None),
             help=t("doc.kpi.completeness_help"), unknown_reason=no_docs),
        Tile(t("doc.kpi.missing"), fmt_int((mand["state"] == "missing").sum()), help=t("doc.kpi.missing_help")),
        Tile(t("doc.kpi.stale"), fmt_int((mand["state"] == "stale").sum()),
             help=t("doc.kpi.stale_help", days=stale_after_days())),
        Tile(t("doc.kpi.complete_projects"), f"{complete} / {len(per_project)}",
             help=t("doc.kpi.complete_projects_help"), unknown_reason=no_docs),
    ]
