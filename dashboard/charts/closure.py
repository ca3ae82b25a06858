"""Closure charts: final cost and schedule variances of closed projects."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english
from dashboard.charts.common import RAG_COLOURS, Tr

LABELLED = 40  # up to this many projects carry their id next to the marker


def final_variances(df: pd.DataFrame, *, currency: str = "", tr: Tr = english) -> go.Figure:
    """Scatter of closed projects: x = finish slip in days (actual - planned finish; > 0 late), y = cost variance
    in % of BAC (BAC - final AC; < 0 over budget). Lower-right = late and over budget, shown red.
    Columns: project_id, project_name, finish_slip_days, cost_variance_pct (share), cost_variance, bac, final_ac."""
    data = df[df["finish_slip_days"].notna() | df["cost_variance_pct"].notna()]
    unit = currency or tr("unit.currency")
    custom = data.reindex(columns=["project_name", "bac", "final_ac", "cost_variance"]).astype(object)
    custom = custom.where(custom.notna(), "n/a").to_numpy()
    bad = ((data["cost_variance_pct"].fillna(0) < 0) | (data["finish_slip_days"].fillna(0) > 0)).to_numpy()
    fig = go.Figure()
    for is_bad, key, colour in ((True, "clo.chart.late_or_over", "red"), (False, "clo.chart.on_time_within", "green")):
        part = bad == is_bad
        fig.add_trace(go.Scatter(
            x=data["finish_slip_days"][part], y=data["cost_variance_pct"][part] * 100, name=tr(key),
            mode="markers+text" if len(data) <= LABELLED else "markers",
            text=data["project_id"][part], textposition="top center", customdata=custom[part],
            marker={"size": 13, "color": RAG_COLOURS[colour], "line": {"width": 1}},
            hovertemplate=(f"%{{text}} · %{{customdata[0]}}<br>{tr('clo.chart.finish_var')}: %{{x:+.0f}} "
                           f"{tr('unit.days')}<br>{tr('clo.chart.cost_var')}: %{{y:+.1f}} %"
                           f"<br>BAC: %{{customdata[1]:,.0f}} {unit}<br>{tr('clo.chart.final_cost')}: "
                           f"%{{customdata[2]:,.0f}} {unit}<extra></extra>"),
        ))
    fig.add_hline(y=0, line_color="#666", line_width=1)
    fig.add_vline(x=0, line_color="#666", line_width=1)
    fig.update_layout(title=tr("clo.chart.variances"),
                      xaxis_title=f"{tr('clo.chart.finish_var')} ({tr('unit.days')}, {tr('clo.chart.late_right')})",
                      yaxis_title=f"{tr('clo.chart.cost_var')} (% BAC, {tr('clo.chart.over_below')})")
    return fig
