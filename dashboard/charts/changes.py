"""Change-request charts: approval cycle time distribution and cumulative cost / schedule impact."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.catalogue import english, value_label
from dashboard.charts.common import Tr, money_axis, second_axis, threshold_note

DECISION_COLOURS = {"approved": "#2e7d32", "rejected": "#c62828", "withdrawn": "#9e9e9e", "pending": "#f9a825"}


def cycle_time_histogram(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Distribution of decision cycle time (days from submission to decision), one overlaid histogram per
    decision. Columns: change_id, decision, cycle_days (NULL while pending: left out)."""
    data = df[df["cycle_days"].notna()]
    fig = go.Figure()
    for decision, part in data.groupby("decision", sort=True):
        name = value_label(tr, "chg.decision", decision)
        fig.add_trace(go.Histogram(
            x=part["cycle_days"], name=name, marker_color=DECISION_COLOURS.get(str(decision), "#888"),
            opacity=0.75, xbins={"size": 7},
            hovertemplate=f"%{{fullData.name}}<br>{tr('chg.chart.cycle')}: %{{x}} {tr('unit.days')}"
                          f"<br>{tr('chg.chart.crs')}: %{{y}}<extra></extra>",
        ))
    if len(data):
        median = float(data["cycle_days"].median())
        fig.add_vline(x=median, line_dash="dash", line_color="#333", annotation_yref="paper", annotation_y=1,
                      annotation_yanchor="bottom",
                      **threshold_note(f"{tr('chg.chart.median')} {median:.0f} {tr('unit.days')}"))
    fig.update_layout(
        title=tr("chg.chart.cycle_time"), barmode="stack",
        xaxis_title=f"{tr('chg.chart.cycle')} ({tr('unit.days')})",
        yaxis_title=f"{tr('chg.chart.crs')} ({tr('unit.count')})",
    )
    return fig


def cumulative_impact(df: pd.DataFrame, *, currency: str = "", tr: Tr = english) -> go.Figure:
    """Cumulative approved cost impact (left axis) and schedule impact in days (right axis) by decision date.
    Columns: decision_date, cum_cost_impact, cum_schedule_days, change_id."""
    data = df.sort_values("decision_date")
    unit = currency or tr("unit.currency")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(
        x=data["decision_date"], y=data["cum_cost_impact"], name=tr("chg.chart.cost_impact"),
        mode="lines+markers", line={"shape": "hv", "color": "#1565c0"}, customdata=data["change_id"],
        hovertemplate=(f"%{{x|%Y-%m-%d}} · %{{customdata}}<br>{tr('chg.chart.cost_impact')}: "
                       f"%{{y:,.0f}} {unit}<extra></extra>"),
    ), secondary_y=False)
    fig.add_trace(go.Scatter(
        x=data["decision_date"], y=data["cum_schedule_days"], name=tr("chg.chart.schedule_impact"),
        mode="lines+markers", line={"shape": "hv", "color": "#ef6c00", "dash": "dot"}, customdata=data["change_id"],
        hovertemplate=(f"%{{x|%Y-%m-%d}} · %{{customdata}}<br>{tr('chg.chart.schedule_impact')}: "
                       f"%{{y:,.0f}} {tr('unit.days')}<extra></extra>"),
    ), secondary_y=True)
    fig.update_layout(title=tr("chg.chart.cumulative"), hovermode="x unified")
    fig.update_xaxes(title_text=tr("chg.chart.decision_date"))
    fig.update_yaxes(title_text=f"{tr('chg.chart.cost_impact')} ({unit})", secondary_y=False, **money_axis(currency))
    second_axis(fig, f"{tr('chg.chart.schedule_impact')} ({tr('unit.days')})")
    return fig
