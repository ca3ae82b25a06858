"""RAID issue and action charts: open items by age band and by owner / project."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english, value_label
from dashboard.charts.common import Tr

KIND_COLOURS = {"issue": "#c62828", "action": "#1565c0", "decision": "#6a1b9a"}


def open_by_age(df: pd.DataFrame, bands: Mapping[str, str], *, tr: Tr = english) -> go.Figure:
    """Stacked bars: open items per age band (x: the bands' labels, in the given order), one segment per kind.
    Columns: age_band, kind, items."""
    fig = go.Figure()
    for kind, part in df.groupby("kind", sort=True):
        counts = part.groupby("age_band")["items"].sum().reindex(list(bands), fill_value=0)
        name = value_label(tr, "iss.kind", kind)
        fig.add_trace(go.Bar(
            x=list(bands.values()), y=counts.to_list(), name=name,
            marker_color=KIND_COLOURS.get(str(kind), "#888"),
            hovertemplate=(f"%{{fullData.name}}<br>{tr('iss.chart.age')}: %{{x}}<br>{tr('iss.chart.items')}: %{{y}}"
                           "<extra></extra>"),
        ))
    fig.update_layout(title=tr("iss.chart.by_age"), barmode="stack",
                      xaxis_title=f"{tr('iss.chart.age')} ({tr('unit.days')})",
                      yaxis_title=f"{tr('iss.chart.items')} ({tr('unit.count')})")
    fig.update_xaxes(type="category", categoryorder="array",
                     categoryarray=list(bands.values()))
    return fig


def open_by(df: pd.DataFrame, dimension: str, *, top: int = 15, tr: Tr = english) -> go.Figure:
    """Horizontal bars of open items per `dimension` value (owner or project), overdue share highlighted.
    Columns: <dimension>, open_items, overdue_items."""
    data = df.sort_values("open_items", ascending=False).head(top).iloc[::-1]
    label = tr(f"iss.chart.dim.{dimension}")
    names = data[dimension].astype(object).where(data[dimension].notna(), tr("label.unassigned")).astype(str)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=names, x=data["open_items"] - data["overdue_items"], orientation="h", name=tr("iss.chart.not_overdue"),
        marker_color="#90caf9",
        hovertemplate=f"%{{y}}<br>{tr('iss.chart.not_overdue')}: %{{x}}<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        y=names, x=data["overdue_items"], orientation="h", name=tr("iss.chart.overdue"), marker_color="#c62828",
        hovertemplate=f"%{{y}}<br>{tr('iss.chart.overdue')}: %{{x}}<extra></extra>",
    ))
    fig.update_layout(title=tr("iss.chart.by_dim", dim=label), barmode="stack",
                      xaxis_title=f"{tr('iss.chart.open_items')} ({tr('unit.count')})", yaxis_title=label,
                      height=max(300, 24 * len(data) + 130))
    fig.update_yaxes(type="category")
    return fig
