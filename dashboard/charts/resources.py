"""Resource charts: utilisation heatmap team x ISO week, capacity vs logged hours, billable share by team."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english
from dashboard.charts.common import Tr, threshold_note

# Under-used blue -> comfortable green -> over-allocated red; z is utilisation in percent, 0..150 (clipped).
UTILISATION_SCALE = [
    [0.0, "#e3f2fd"], [0.4, "#90caf9"], [0.6, "#a5d6a7"], [0.6667, "#66bb6a"],
    [0.6668, "#ffcc80"], [0.8, "#ef6c00"], [1.0, "#b71c1c"],
]


def utilisation_heatmap(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Heatmap: rows = team (busiest on top), columns = ISO week start, colour = utilisation %, hover = hours and
    capacity.
    Columns: team, week_start, hours_logged, capacity_hours, utilisation (0..1, NULL when no capacity)."""
    weeks = sorted(df["week_start"].dropna().unique())
    load = df.assign(team=df["team"].astype(str)).groupby("team")[["hours_logged", "capacity_hours"]].sum()
    busy = (load["hours_logged"] / load["capacity_hours"].where(load["capacity_hours"] > 0)).fillna(-1)
    teams = list(busy.sort_values(kind="stable").index)  # plotly draws the first row at the bottom: busiest on top
    grid = df.assign(team=df["team"].astype(str)).set_index(["team", "week_start"])
    idx = pd.MultiIndex.from_product([teams, weeks], names=["team", "week_start"])
    grid = grid.reindex(idx)

    def matrix(col: str) -> list[list[float | None]]:
        values = grid[col].astype("Float64") if col in grid else pd.Series(pd.NA, index=idx)
        return [[None if pd.isna(v) else float(v) for v in values.loc[t]] for t in teams]

    z = [[None if v is None else round(v * 100, 1) for v in row] for row in matrix("utilisation")]
    hours, capacity = matrix("hours_logged"), matrix("capacity_hours")
    custom = [[[h if h is not None else "n/a", c if c is not None else "n/a"] for h, c in zip(hr, cr, strict=True)]
              for hr, cr in zip(hours, capacity, strict=True)]
    fig = go.Figure(go.Heatmap(
        z=z, x=[pd.Timestamp(w) for w in weeks], y=teams, customdata=custom,
        colorscale=UTILISATION_SCALE, zmin=0, zmax=150,
        colorbar={"title": {"text": f"{tr('res.chart.utilisation')} (%)"}},
        hovertemplate=(f"{tr('label.team')}: %{{y}}<br>{tr('label.week')}: %{{x|%G-W%V}} (%{{x|%Y-%m-%d}})"
                       f"<br>{tr('res.chart.utilisation')}: %{{z:.0f}} %"
                       f"<br>{tr('res.chart.hours_logged')}: %{{customdata[0]:.1f}} h"
                       f"<br>{tr('res.chart.capacity')}: %{{customdata[1]:.1f}} h<extra></extra>"),
        xgap=1, ygap=1,
    ))
    fig.update_layout(
        title=tr("res.chart.heatmap"),
        xaxis_title=f"{tr('res.chart.iso_week')} ({tr('unit.week_start')})",
        yaxis_title=tr("label.team"), height=max(300, 28 * len(teams) + 140),
    )
    return fig


def capacity_vs_logged(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Weekly capacity (line) vs hours logged and billable hours (bars). Columns: week_start, capacity_hours,
    hours_logged, billable_hours."""
    data = df.sort_values("week_start")
    util = (data["hours_logged"] / data["capacity_hours"].where(data["capacity_hours"] > 0)) * 100
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=data["week_start"], y=data["hours_logged"], name=tr("res.chart.hours_logged"), marker_color="#64b5f6",
        customdata=util.astype(object).where(util.notna(), None).to_numpy(),
        hovertemplate=(f"{tr('label.week')}: %{{x|%G-W%V}}<br>{tr('res.chart.hours_logged')}: %{{y:,.1f}} h"
                       f"<br>{tr('res.chart.utilisation')}: %{{customdata:.0f}} %<extra></extra>"),
    ))
    fig.add_trace(go.Bar(
        x=data["week_start"], y=data["billable_hours"], name=tr("res.chart.billable_hours"),
        marker_color="#1565c0",
        hovertemplate=f"{tr('label.week')}: %{{x|%G-W%V}}<br>{tr('res.chart.billable_hours')}: %{{y:,.1f}} h"
                      "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=data["week_start"], y=data["capacity_hours"], name=tr("res.chart.capacity"), mode="lines",
        line={"color": "#c62828", "width": 2, "dash": "dash"},
        hovertemplate=f"{tr('label.week')}: %{{x|%G-W%V}}<br>{tr('res.chart.capacity')}: %{{y:,.1f}} h"
                      "<extra></extra>",
    ))
    fig.update_layout(
        title=tr("res.chart.capacity_vs_logged"), barmode="overlay",
        xaxis_title=f"{tr('res.chart.iso_week')} ({tr('unit.week_start')})",
        yaxis_title=f"{tr('res.chart.hours')} (h)", hovermode="x unified",
    )
    return fig


def team_shares(df: pd.DataFrame, *, tr: Tr = english, title_key: str = "res.chart.team_shares") -> go.Figure:
    """Horizontal grouped bars per team (busiest on top): utilisation and billable share, in percent.
    Columns: team, utilisation, billable_share (0..1), hours_logged, capacity_hours."""
    data = df.sort_values(["utilisation", "team"], ascending=[True, False], na_position="first")
    custom = data.reindex(columns=["hours_logged", "capacity_hours"]).astype("Float64").fillna(0).to_numpy()
    fig = go.Figure()
    for col, name, colour in (("billable_share", tr("res.chart.billable_share"), "#1565c0"),
                              ("utilisation", tr("res.chart.utilisation"), "#42a5f5")):
        fig.add_trace(go.Bar(
            y=data["team"], x=data[col] * 100, name=name, marker_color=colour, customdata=custom, orientation="h",
            hovertemplate=(f"%{{y}}<br>{name}: %{{x:.1f}} %<br>{tr('res.chart.hours_logged')}: "
                           f"%{{customdata[0]:,.0f}} h<br>{tr('res.chart.capacity')}: %{{customdata[1]:,.0f}} h"
                           "<extra></extra>"),
        ))
    fig.add_vline(x=100, line_dash="dot", line_color="#c62828", **threshold_note(tr("chart.full_capacity"), "#c62828"))
    fig.update_layout(title=tr(title_key), barmode="group", yaxis_title=tr("label.team"),
                      xaxis_title=f"{tr('res.chart.share')} (%)", height=max(320, 26 * len(data) + 140),
                      legend={"traceorder": "reversed"})
    fig.update_yaxes(type="category")
    return fig
