"""Risk charts: the 5x5 probability x impact matrix and exposure across snapshots."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import Tr
from dashboard.i18n_pages import english, value_label

BAND_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#b71c1c"}
DEFAULT_BANDS: tuple[tuple[str, int], ...] = (("low", 4), ("medium", 9), ("high", 16), ("critical", 25))
LEVELS = (1, 2, 3, 4, 5)


def band_of(score: int, bands: Sequence[tuple[str, int]] = DEFAULT_BANDS) -> str:
    """The first band whose max the score does not exceed."""
    for name, top in bands:
        if score <= top:
            return name
    return bands[-1][0]


def matrix_values(cells: pd.DataFrame, measure: str) -> list[list[float]]:
    """5x5 list: row = probability 1..5, column = impact 1..5, value = the measure (0 where no risk)."""
    grid = cells.set_index(["probability", "impact"])[measure] if len(cells) else pd.Series(dtype=float)
    return [[float(grid.get((p, i), 0) or 0) for i in LEVELS] for p in LEVELS]


def risk_matrix(cells: pd.DataFrame, *, measure: str = "risks", bands: Sequence[tuple[str, int]] = DEFAULT_BANDS,
                selected: tuple[int, int] | None = None, tr: Tr = english) -> go.Figure:
    """The 5x5 probability x impact heatmap, every cell annotated, band shown by the cell outline.

    cells: probability, impact, risks (count), exposure (sum of scores). `measure` is "risks" or "exposure".
    Trace 0 is the heatmap (z[p-1][i-1]); trace 1 is a clickable marker per cell (customdata = [p, i]) so that
    Streamlit's plotly selection events work (heatmap traces emit none)."""
    z = matrix_values(cells, measure)
    counts = matrix_values(cells, "risks")
    exposure = matrix_values(cells, "exposure")
    measure_label = tr("risk.chart.count") if measure == "risks" else tr("risk.chart.exposure")
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=z, x=list(LEVELS), y=list(LEVELS), colorscale="Reds", zmin=0,
        text=[[f"{v:.0f}" if v else "" for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 16}, hoverinfo="skip", xgap=3, ygap=3,
        colorbar={"title": {"text": measure_label}},
    ))
    px, ix, custom = [], [], []
    for p in LEVELS:
        for i in LEVELS:
            px.append(p)
            ix.append(i)
            custom.append([p, i, p * i, value_label(tr, "risk.band", band_of(p * i, bands)),
                           int(counts[p - 1][i - 1]), exposure[p - 1][i - 1]])
    fig.add_trace(go.Scatter(
        x=ix, y=px, mode="markers", customdata=custom, showlegend=False, name=tr("risk.chart.cell"),
        marker={"size": 44, "symbol": "square", "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        hovertemplate=(f"{tr('risk.chart.probability')}: %{{customdata[0]}}<br>{tr('risk.chart.impact')}: "
                       f"%{{customdata[1]}}<br>{tr('risk.chart.score')}: %{{customdata[2]}} (%{{customdata[3]}})"
                       f"<br>{tr('risk.chart.count')}: %{{customdata[4]}}<br>{tr('risk.chart.exposure')}: "
                       f"%{{customdata[5]:.0f}}<extra></extra>"),
    ))
    for p in LEVELS:
        for i in LEVELS:
            is_selected = selected == (p, i)
            fig.add_shape(type="rect", x0=i - 0.5, x1=i + 0.5, y0=p - 0.5, y1=p + 0.5, layer="above",
                          line={"color": "#000" if is_selected else BAND_COLOURS.get(band_of(p * i, bands), "#888"),
                                "width": 5 if is_selected else 2})
    fig.update_layout(
        title=f"{tr('risk.chart.matrix')} — {measure_label}", clickmode="event+select", dragmode=False,
        xaxis={"title": {"text": f"{tr('risk.chart.impact')} (1–5)"}, "tickvals": list(LEVELS),
               "range": [0.5, 5.5], "constrain": "domain"},
        yaxis={"title": {"text": f"{tr('risk.chart.probability')} (1–5)"}, "tickvals": list(LEVELS),
               "range": [0.5, 5.5], "scaleanchor": "x"},
        height=480, margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return fig


def selected_cell(event: object) -> tuple[int, int] | None:
    """(probability, impact) of the first selected point in a st.plotly_chart selection event, or None."""
    try:
        points = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        custom = point.get("customdata")
        if custom and len(custom) >= 2:
            return int(custom[0]), int(custom[1])
        if point.get("x") is not None and point.get("y") is not None:
            return int(point["y"]), int(point["x"])
    return None


def exposure_trend(df: pd.DataFrame, *, bands: Sequence[tuple[str, int]] = DEFAULT_BANDS,
                   tr: Tr = english) -> go.Figure:
    """Stacked areas: exposure (sum of probability x impact of open risks) per band across snapshots.
    Columns: as_of_date, band, exposure, risks."""
    fig = go.Figure()
    for name, _ in bands:
        part = df[df["band"] == name].sort_values("as_of_date")
        if part.empty:
            continue
        label = value_label(tr, "risk.band", name)
        fig.add_trace(go.Scatter(
            x=part["as_of_date"], y=part["exposure"], name=label, mode="lines+markers", stackgroup="exposure",
            line={"color": BAND_COLOURS.get(name, "#888")}, customdata=part["risks"],
            hovertemplate=(f"{label}<br>{tr('label.as_of')}: %{{x|%Y-%m-%d}}<br>{tr('risk.chart.exposure')}: "
                           f"%{{y:.0f}}<br>{tr('risk.chart.count')}: %{{customdata}}<extra></extra>"),
        ))
    fig.update_layout(
        title=tr("risk.chart.exposure_trend"), hovermode="x unified",
        xaxis_title=f"{tr('label.as_of')} ({tr('unit.month_end')})",
        yaxis_title=f"{tr('risk.chart.exposure')} ({tr('unit.score_points')})",
    )
    return fig
