"""Earned-value charts: PV/EV/AC S-curves (one project or a roll-up) and EAC vs BAC."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english
from dashboard.charts.common import Tr, money_axis, threshold_note, with_currency

CURVE_COLOURS = {"pv": "#5c6bc0", "ev": "#2e7d32", "ac": "#c62828"}
# PV, EV and AC often lie on one another (a project on plan): each has its own dash and marker, so every curve
# stays visible under the next one
CURVE_STYLES = {"pv": ("dash", "circle"), "ev": ("solid", "diamond"), "ac": ("dot", "square")}


def period_end(period: pd.Series) -> pd.Series:
    """'YYYY-MM' -> month-end timestamp (the EVM grain)."""
    return pd.to_datetime(period.astype(str) + "-01") + pd.offsets.MonthEnd(0)


def s_curve(df: pd.DataFrame, *, currency: str = "", title: str | None = None, bac: float | None = None,
            tr: Tr = english) -> go.Figure:
    """Cumulative PV, EV and AC by month. Columns: period ('YYYY-MM'), pv, ev, ac; optional pv_plan (the whole
    plan, future months included) drawn dotted under PV."""
    data = df.sort_values("period")
    x = period_end(data["period"])
    unit = currency or tr("unit.currency")
    fig = go.Figure()
    if "pv_plan" in data:
        name = tr("evm.chart.pv_plan")
        fig.add_trace(go.Scatter(
            x=x, y=data["pv_plan"], mode="lines", name=name, line={"color": CURVE_COLOURS["pv"], "dash": "dot"},
            hovertemplate=f"%{{x|%Y-%m}}<br>{name}: %{{y:,.0f}} {unit}<extra></extra>",
        ))
    for col in ("pv", "ev", "ac"):
        name, (dash, symbol) = tr(f"evm.chart.{col}"), CURVE_STYLES[col]
        fig.add_trace(go.Scatter(
            x=x, y=data[col], mode="lines+markers", name=name,
            line={"color": CURVE_COLOURS[col], "width": 2.5, "dash": dash},
            marker={"symbol": symbol, "size": 7, "color": CURVE_COLOURS[col]},
            hovertemplate=f"%{{x|%Y-%m}}<br>{name}: %{{y:,.0f}} {unit}<extra></extra>",
        ))
    if bac is not None and pd.notna(bac):
        fig.add_hline(y=float(bac), line_dash="dash", line_color="#555", annotation_position="top left",
                      **threshold_note(f"BAC {with_currency(f'{float(bac):,.0f}', currency)}"))
    fig.update_layout(
        title=title or tr("evm.chart.s_curve"), hovermode="x unified",
        xaxis_title=f"{tr('label.month')} ({tr('unit.month_end')})",
        yaxis_title=f"{tr('evm.chart.cumulative_cost')} ({unit})",
    )
    fig.update_yaxes(**money_axis(currency))
    return fig


def eac_vs_bac(df: pd.DataFrame, *, currency: str = "", tr: Tr = english) -> go.Figure:
    """Per project: BAC bar and EAC marker (red when EAC exceeds BAC). EAC NULL (CPI n/a) is shown as n/a.
    Columns: project_id, bac, eac, vac. Kept in the order given (the page sorts by VAC)."""
    data = df
    unit = currency or tr("unit.currency")
    over = data["eac"] > data["bac"]
    colours = ["#c62828" if bool(o) else "#2e7d32" for o in over.fillna(False)]
    vac = data["vac"].astype(object).where(data["vac"].notna(), "n/a").to_numpy()
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=data["project_id"], y=data["bac"], name="BAC", marker_color="#c5cae9",
        hovertemplate=f"%{{x}}<br>BAC: %{{y:,.0f}} {unit}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=data["project_id"], y=data["eac"], name="EAC", mode="markers",
        marker={"symbol": "line-ew", "size": 26, "line": {"width": 4, "color": colours}},
        customdata=vac,
        hovertemplate=f"%{{x}}<br>EAC: %{{y:,.0f}} {unit}<br>VAC: %{{customdata:,.0f}} {unit}<extra></extra>",
    ))
    fig.update_layout(title=tr("evm.chart.eac_vs_bac"), xaxis_title=tr("label.project"),
                      yaxis_title=f"{tr('evm.chart.cost')} ({unit})")
    fig.update_xaxes(type="category")
    fig.update_yaxes(**money_axis(currency))
    return fig
