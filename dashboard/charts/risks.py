"""Risk charts: the 5x5 probability x impact matrix and exposure across snapshots."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english, value_label
from dashboard.charts.common import Tr

BAND_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#b71c1c"}
LEVELS = (1, 2, 3, 4, 5)


def band_of(score: int, bands: Sequence[tuple[str, int]]) -> str:
    """The first band whose max the score does not exceed."""
    for name, top in bands:
        if score <= top:
            return name
    return bands[-1][0]


def matrix_values(cells: pd.DataFrame, measure: str) -> list[list[float]]:
    """5x5 list: row = probability 1..5, column = impact 1..5, value = the measure (0 where no risk)."""
    grid = cells.set_index(["probability", "impact"])[measure] if len(cells) else pd.Series(dtype=float)
    return [[float(grid.get((p, i), 0) or 0) for i in LEVELS] for p in LEVELS]


def band_colour(name: str, position: int) -> str:
    """The band's colour: the known names' own, else by position (lowest band greenest)."""
    return BAND_COLOURS.get(name) or list(BAND_COLOURS.values())[min(position, len(BAND_COLOURS) - 1)]


def _pale(colour: str, share: float = 0.72) -> str:
    """`colour` mixed with `share` white: the band's tint for a cell without open risks."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in rgb)


def band_codes(cells: pd.DataFrame, bands: Sequence[tuple[str, int]]) -> list[list[int]]:
    """5x5 list of the heatmap's colour codes: the cell's band index (0 = lowest), plus len(bands) when no open
    risk sits in the cell (drawn in the band's pale tint)."""
    names = [name for name, _ in bands]
    counts = matrix_values(cells, "risks")
    return [[names.index(band_of(p * i, bands)) + (0 if counts[p - 1][i - 1] else len(names)) for i in LEVELS]
            for p in LEVELS]


def risk_matrix(cells: pd.DataFrame, *, measure: str = "risks", bands: Sequence[tuple[str, int]],
                selected: tuple[int, int] | None = None, tr: Tr = english) -> go.Figure:
    """The 5x5 probability x impact matrix: each cell filled with the colour of its score's band (the configured
    bands), pale where no open risk sits, and labelled with the measure — the count of open risks or their
    exposure (sum of scores).

    cells: probability, impact, risks (count), exposure (sum of scores). `measure` is "risks" or "exposure".
    Trace 0 is the heatmap (z = band_codes, text[p-1][i-1] = the measure); trace 1 is a clickable marker per cell
    (customdata = [p, i, …]) so that Streamlit's plotly selection events work (heatmap traces emit none); then
    one legend entry per band."""
    values = matrix_values(cells, measure)
    counts = matrix_values(cells, "risks")
    exposure = matrix_values(cells, "exposure")
    measure_label = tr("risk.chart.count") if measure == "risks" else tr("risk.chart.exposure")
    colours = [band_colour(name, k) for k, (name, _) in enumerate(bands)]
    steps = [*colours, *(_pale(c) for c in colours)]  # code k: band k with risks; len(bands) + k: without
    scale = [[edge, colour] for k, colour in enumerate(steps) for edge in (k / len(steps), (k + 1) / len(steps))]
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=band_codes(cells, bands), x=list(LEVELS), y=list(LEVELS), colorscale=scale, zmin=-0.5,
        zmax=len(steps) - 0.5, showscale=False,
        text=[[f"{v:,.0f}" if n else "" for v, n in zip(row, count_row, strict=True)]
              for row, count_row in zip(values, counts, strict=True)],
        texttemplate="%{text}", textfont={"size": 16}, hoverinfo="skip", xgap=3, ygap=3,
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
    for (name, _), colour in zip(bands, colours, strict=True):  # the legend: one entry per band
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=value_label(tr, "risk.band", name),
                                 marker={"size": 14, "symbol": "square", "color": colour}, hoverinfo="skip"))
    if selected:
        p, i = selected
        fig.add_shape(type="rect", x0=i - 0.5, x1=i + 0.5, y0=p - 0.5, y1=p + 0.5, layer="above",
                      line={"color": "#000", "width": 4})
    fig.update_layout(
        title=f"{tr('risk.chart.matrix')} — {measure_label}", clickmode="event+select", dragmode=False,
        xaxis={"title": {"text": f"{tr('risk.chart.impact')} (1–5)"}, "tickvals": list(LEVELS),
               "range": [0.5, 5.5], "constrain": "domain"},
        yaxis={"title": {"text": f"{tr('risk.chart.probability')} (1–5)"}, "tickvals": list(LEVELS),
               "range": [0.5, 5.5], "scaleanchor": "x"},
        legend={"title": {"text": tr("risk.chart.band")}, "orientation": "h", "y": -0.15},
        height=500, margin={"l": 10, "r": 10, "t": 50, "b": 40},
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


def exposure_trend(df: pd.DataFrame, *, bands: Sequence[tuple[str, int]],
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
