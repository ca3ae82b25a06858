"""Document-management charts: mandatory documents present / missing / stale per project and stage."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english, value_label
from dashboard.charts.common import Tr, legend_keys

STATES = ("present", "stale", "missing")
STAGE_ORDER = ("initiation", "planning", "execution", "closing", "closed")  # others follow alphabetically
STATE_COLOURS = {"present": "#2e7d32", "stale": "#f9a825", "missing": "#c62828", "not_required": "#eceff1"}
# Discrete colour scale for z = 0 (not required), 1 present, 2 stale, 3 missing.
_CODES = {"not_required": 0, "present": 1, "stale": 2, "missing": 3}
# Each code c sits at c / 3 on the scale, in the middle of its own colour step.
_SCALE = [[0.0, STATE_COLOURS["not_required"]], [1 / 6, STATE_COLOURS["not_required"]],
          [1 / 6, STATE_COLOURS["present"]], [3 / 6, STATE_COLOURS["present"]],
          [3 / 6, STATE_COLOURS["stale"]], [5 / 6, STATE_COLOURS["stale"]],
          [5 / 6, STATE_COLOURS["missing"]], [1.0, STATE_COLOURS["missing"]]]


def document_matrix(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Project (rows, with lifecycle stage) x mandatory document type (columns); cell colour = state.
    Columns: project_id, lifecycle_stage, document_type, state, last_updated (may be NULL)."""
    data = df.copy()
    data["row"] = data["project_id"].astype(str) + " · " + data["lifecycle_stage"].map(
        lambda s: value_label(tr, "stage", s) if isinstance(s, str) else "?")
    rows = sorted(data["row"].unique())
    cols = sorted(data["document_type"].astype(str).unique())
    state = data.set_index(["row", "document_type"])["state"]
    updated = data.set_index(["row", "document_type"])["last_updated"].astype(object)
    z, text, custom = [], [], []
    for r in rows:
        z_row, t_row, c_row = [], [], []
        for c in cols:
            s = state.get((r, c), "not_required")
            z_row.append(_CODES.get(str(s), 0))
            t_row.append(value_label(tr, "doc.state", s))
            u = updated.get((r, c))
            c_row.append("n/a" if u is None or pd.isna(u) else str(pd.Timestamp(u).date()))
        z.append(z_row)
        text.append(t_row)
        custom.append(c_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=[value_label(tr, "doc.type", c) for c in cols], y=rows, zmin=0, zmax=3, colorscale=_SCALE,
        showscale=False, text=text, customdata=custom, xgap=2, ygap=2,
        hovertemplate=(f"%{{y}}<br>{tr('doc.chart.document')}: %{{x}}<br>{tr('doc.chart.state')}: %{{text}}"
                       f"<br>{tr('doc.chart.last_updated')}: %{{customdata}}<extra></extra>"),
    ))
    legend_keys(fig, {value_label(tr, "doc.state", s): STATE_COLOURS[s] for s in (*STATES, "not_required")})
    fig.update_layout(title=tr("doc.chart.matrix"), xaxis_title=tr("doc.chart.document_type"),
                      yaxis_title=f"{tr('label.project')} · {tr('label.stage')}",
                      height=max(320, 22 * len(rows) + 190), margin={"t": 150})
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(type="category", side="top")
    return fig


def stage_summary(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Stacked bars per lifecycle stage: mandatory documents present / stale / missing.
    Columns: lifecycle_stage, state, documents."""
    fig = go.Figure()
    stages = sorted(df["lifecycle_stage"].fillna("?").astype(str).unique(), key=_stage_key)
    for s in STATES:
        part = df[df["state"] == s].assign(lifecycle_stage=lambda d: d["lifecycle_stage"].fillna("?").astype(str))
        counts = part.groupby("lifecycle_stage")["documents"].sum().reindex(stages, fill_value=0)
        name = value_label(tr, "doc.state", s)
        fig.add_trace(go.Bar(
            x=[value_label(tr, "stage", st) for st in stages], y=counts.to_list(), name=name,
            marker_color=STATE_COLOURS[s],
            hovertemplate="%{x}<br>%{fullData.name}: %{y}<extra></extra>",
        ))
    fig.update_layout(title=tr("doc.chart.by_stage"), barmode="stack", xaxis_title=tr("label.stage"),
                      yaxis_title=f"{tr('doc.chart.mandatory_docs')} ({tr('unit.count')})")
    fig.update_xaxes(type="category")
    return fig


def _stage_key(stage: str) -> tuple[int, str]:
    """Lifecycle order for the known stages, then the rest alphabetically."""
    key = stage.strip().lower().replace(" ", "_").replace("-", "_")
    return (STAGE_ORDER.index(key) if key in STAGE_ORDER else len(STAGE_ORDER), key)
