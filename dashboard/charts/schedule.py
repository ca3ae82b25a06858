"""Schedule charts: milestone slip, its trend across snapshots, baseline vs forecast timeline, SPI vs SPI(t).

Pure Plotly builders: DataFrame in, go.Figure out. Labels come through `tr` (the page passes i18n.t).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english
from dashboard.charts.common import RAG_COLOURS, Tr, threshold_note


def slip_rag(slip: object, amber_days: float, red_days: float) -> str:
    """RAG of a slip in days, as mart_milestone_slip.slip_rag: grey when unknown, red above red_days, amber
    above amber_days, else green."""
    if slip is None or pd.isna(slip):
        return "grey"
    value = float(slip)  # type: ignore[arg-type]
    return "red" if value > red_days else "amber" if value > amber_days else "green"


def slip_by_project(df: pd.DataFrame, *, amber_days: float, red_days: float, tr: Tr = english) -> go.Figure:
    """Horizontal bars: worst milestone slip (days) per project. Columns: project_id, project_name, slip_days,
    milestone_name, late_milestones."""
    data = df.sort_values("slip_days", ascending=True, na_position="first")
    colours = [RAG_COLOURS[slip_rag(v, amber_days, red_days)] for v in data["slip_days"]]
    labels = [f"{p} · {n}" if isinstance(n, str) and n else str(p)
              for p, n in zip(data["project_id"], data.get("project_name", data["project_id"]), strict=True)]
    fig = go.Figure(go.Bar(
        x=data["slip_days"].fillna(0), y=labels, orientation="h", marker_color=colours,
        customdata=data[["milestone_name", "late_milestones"]].astype(object).where(
            data[["milestone_name", "late_milestones"]].notna(), "n/a").to_numpy(),
        hovertemplate=(f"%{{y}}<br>{tr('sched.chart.worst_slip')}: %{{x:.0f}} {tr('unit.days')}"
                       f"<br>{tr('sched.chart.milestone')}: %{{customdata[0]}}"
                       f"<br>{tr('sched.chart.late_milestones')}: %{{customdata[1]}}<extra></extra>"),
        name=tr("sched.chart.worst_slip"),
    ))
    for rag, days in (("amber", amber_days), ("red", red_days)):
        fig.add_vline(x=days, line_dash="dot", line_color=RAG_COLOURS[rag], annotation_yref="paper",
                      annotation_y=1, annotation_yanchor="bottom", **threshold_note(  # above the bars
                          tr("chart.from", rag=tr(f"rag.{rag}"), value=f"{days:.0f} {tr('unit.days')}"),
                          RAG_COLOURS[rag]))
    fig.update_layout(
        title=tr("sched.chart.slip_by_project"),
        xaxis_title=f"{tr('sched.chart.worst_slip')} ({tr('unit.days')})",
        yaxis_title=tr("label.project"),
        height=max(320, 24 * len(data) + 120), margin={"l": 10, "r": 10, "t": 50, "b": 40},
        showlegend=False,
    )
    return fig


def slip_trend(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """One line per series (project or project/milestone): x = as_of_date, y = slip days.
    Columns: series, as_of_date, slip_days; optional baseline_date, forecast_date."""
    fig = go.Figure()
    for series, part in df.sort_values("as_of_date").groupby("series", sort=True):
        custom = part.reindex(columns=["baseline_date", "forecast_date"]).astype(object)
        custom = custom.where(custom.notna(), "n/a").astype(str).to_numpy()
        fig.add_trace(go.Scatter(
            x=part["as_of_date"], y=part["slip_days"], mode="lines+markers", name=str(series),
            customdata=custom,
            hovertemplate=(f"{series}<br>{tr('label.as_of')}: %{{x|%Y-%m-%d}}<br>{tr('sched.chart.slip')}: "
                           f"%{{y:.0f}} {tr('unit.days')}<br>{tr('label.baseline')}: %{{customdata[0]}}"
                           f"<br>{tr('label.forecast')}: %{{customdata[1]}}<extra></extra>"),
        ))
    fig.add_hline(y=0, line_color="#888", line_width=1)
    fig.update_layout(
        title=tr("sched.chart.slip_trend"),
        xaxis_title=f"{tr('label.as_of')} ({tr('unit.date')})",
        yaxis_title=f"{tr('sched.chart.slip')} ({tr('unit.days')})",
        hovermode="closest", legend_title_text=tr("sched.chart.series"),
    )
    return fig


def milestone_timeline(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Dumbbell per milestone: baseline date vs forecast (open marker) or actual (filled marker).
    Columns: label, baseline_date, forecast_date, actual_date, slip_days."""
    data = df.sort_values(["baseline_date", "label"], ascending=False).reset_index(drop=True)
    end = data["actual_date"].where(data["actual_date"].notna(), data["forecast_date"])
    xs: list[object] = []
    ys: list[object] = []
    for label, start, stop in zip(data["label"], data["baseline_date"], end, strict=True):
        if pd.notna(start) and pd.notna(stop):
            xs += [start, stop, None]
            ys += [label, label, None]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#b0b0b0", "width": 3},
                             hoverinfo="skip", showlegend=False))
    slip = data["slip_days"].astype(object).where(data["slip_days"].notna(), "n/a").to_numpy()
    fig.add_trace(go.Scatter(
        x=data["baseline_date"], y=data["label"], mode="markers", name=tr("label.baseline"),
        marker={"symbol": "diamond", "size": 11, "color": "#5c6bc0"}, customdata=slip,
        hovertemplate=f"%{{y}}<br>{tr('label.baseline')}: %{{x|%Y-%m-%d}}<extra></extra>",
    ))
    has_actual = data["actual_date"].notna()
    for mask, name, symbol in ((has_actual, tr("label.actual"), "circle"),
                               (~has_actual, tr("label.forecast"), "circle-open")):
        part = data[mask]
        fig.add_trace(go.Scatter(
            x=end[mask], y=part["label"], mode="markers", name=name,
            marker={"symbol": symbol, "size": 11, "color": "#ef6c00", "line": {"width": 2}},
            customdata=part["slip_days"].astype(object).where(part["slip_days"].notna(), "n/a").to_numpy(),
            hovertemplate=(f"%{{y}}<br>{name}: %{{x|%Y-%m-%d}}<br>{tr('sched.chart.slip')}: "
                           f"%{{customdata}} {tr('unit.days')}<extra></extra>"),
        ))
    fig.update_layout(
        title=tr("sched.chart.timeline"),
        xaxis_title=tr("label.date"),
        yaxis_title=tr("sched.chart.milestone"),
        height=max(320, 26 * len(data) + 120), margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    fig.update_yaxes(type="category")
    return fig


def spi_vs_spi_t(df: pd.DataFrame, *, bands: dict[str, float], tr: Tr = english) -> go.Figure:
    """Grouped bars per project, worst SPI(t) first: SPI (muted) next to SPI(t) (emphasised, coloured by its band).
    Columns: project_id, spi, spi_t, spi_t_rag. NULL ratios are left out and flagged n/a in hover."""
    data = df.sort_values(["spi_t", "project_id"], na_position="last")
    spi_t_col = [RAG_COLOURS.get(r or "grey", RAG_COLOURS["grey"]) for r in data.get("spi_t_rag", [None] * len(data))]
    fig = go.Figure()
    fig.add_hrect(y0=bands["green_low"], y1=bands["green_high"], fillcolor=RAG_COLOURS["green"], opacity=0.08,
                  line_width=0, annotation_position="top right", **threshold_note(tr("chart.green_band", low=(
                      f"{bands['green_low']:.2f}"), high=f"{bands['green_high']:.2f}"), RAG_COLOURS["green"]))
    fig.add_trace(go.Bar(
        x=data["project_id"], y=data["spi"], name="SPI", marker_color="#c5cae9",
        hovertemplate=f"%{{x}}<br>SPI: %{{y:.2f}}<br>{tr('sched.chart.spi_help')}<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        x=data["project_id"], y=data["spi_t"], name="SPI(t)", marker_color=spi_t_col,
        marker_line={"color": "#222", "width": 1.5},
        hovertemplate=f"%{{x}}<br>SPI(t): %{{y:.2f}}<br>{tr('sched.chart.spi_t_help')}<extra></extra>",
    ))
    fig.add_hline(y=1.0, line_color="#444", line_width=1)
    fig.update_layout(
        title=tr("sched.chart.spi_vs_spi_t"), barmode="group",
        xaxis_title=tr("label.project"), yaxis_title=f"{tr('sched.chart.index')} ({tr('unit.ratio')})",
    )
    fig.update_xaxes(type="category")
    return fig
