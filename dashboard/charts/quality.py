"""Quality-control charts: check pass rate by month and the open-defects trend."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.catalogue import english
from dashboard.charts.common import RAG_COLOURS, Tr, second_axis, threshold_note


def month_start(period: pd.Series) -> pd.Series:
    return pd.to_datetime(period.astype(str) + "-01")


def pass_rate_trend(df: pd.DataFrame, *, amber_below: float, red_below: float, tr: Tr = english) -> go.Figure:
    """Checks per month (bars, right axis) and pass rate in % (line, left axis) with the amber/red thresholds.
    Columns: period ('YYYY-MM'), checks, passed, pass_rate (0..1)."""
    data = df.sort_values("period")
    x = month_start(data["period"])
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(
        x=x, y=data["checks"], name=tr("qual.chart.checks"), marker_color="#cfd8dc", opacity=0.5,
        hovertemplate=f"%{{x|%Y-%m}}<br>{tr('qual.chart.checks')}: %{{y}}<extra></extra>",
    ), secondary_y=True)
    fig.add_trace(go.Scatter(
        x=x, y=data["pass_rate"] * 100, name=tr("qual.chart.pass_rate"), mode="lines+markers",
        line={"color": "#2e7d32", "width": 3}, customdata=data[["passed", "checks"]].to_numpy(),
        hovertemplate=(f"%{{x|%Y-%m}}<br>{tr('qual.chart.pass_rate')}: %{{y:.1f}} %"
                       f"<br>{tr('qual.chart.passed')}: %{{customdata[0]}} / %{{customdata[1]}}<extra></extra>"),
    ), secondary_y=False)
    for rag, below in (("amber", amber_below), ("red", red_below)):
        fig.add_hline(y=below * 100, line_dash="dot", line_color=RAG_COLOURS[rag], secondary_y=False,
                      annotation_position="bottom left",
                      **threshold_note(tr("chart.below", rag=tr(f"rag.{rag}"), value=f"{below * 100:.0f}%"),
                                       RAG_COLOURS[rag]))
    fig.update_layout(title=tr("qual.chart.pass_rate_trend"), hovermode="x unified")
    fig.update_xaxes(title_text=f"{tr('label.month')} ({tr('unit.month')})")
    fig.update_yaxes(title_text=f"{tr('qual.chart.pass_rate')} (%)", range=[0, 105], secondary_y=False)
    second_axis(fig, f"{tr('qual.chart.checks')} ({tr('unit.count')})")
    return fig


def defects_trend(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Open defects at each month's last check per project, summed (line), and defects closed (bars).
    Columns: period, defects_open, defects_closed."""
    data = df.sort_values("period")
    x = month_start(data["period"])
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=x, y=data["defects_closed"], name=tr("qual.chart.defects_closed"), marker_color="#a5d6a7",
        hovertemplate=f"%{{x|%Y-%m}}<br>{tr('qual.chart.defects_closed')}: %{{y}}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=x, y=data["defects_open"], name=tr("qual.chart.defects_open"), mode="lines+markers",
        line={"color": "#c62828", "width": 3},
        hovertemplate=f"%{{x|%Y-%m}}<br>{tr('qual.chart.defects_open')}: %{{y}}<extra></extra>",
    ))
    fig.update_layout(title=tr("qual.chart.defects_trend"), hovermode="x unified",
                      xaxis_title=f"{tr('label.month')} ({tr('unit.month')})",
                      yaxis_title=f"{tr('qual.chart.defects')} ({tr('unit.count')})")
    return fig
