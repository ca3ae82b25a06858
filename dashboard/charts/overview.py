"""Overview chart: CPI against SPI(t) (or SPI) per project, bubble size = BAC, colour = computed RAG."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import RAG_COLOURS, RAGS, Tr

MAX_BUBBLE_PX = 48
HOVER_COLUMNS = ["project_id", "project_name", "spi", "spi_t", "bac", "eac"]
# Quadrant notes, placed in the corners of the plot area (paper coordinates).
QUADRANTS = {(0.01, 0.99, "left", "top"): "ov.chart.over_ahead",
             (0.99, 0.99, "right", "top"): "ov.chart.under_ahead",
             (0.01, 0.01, "left", "bottom"): "ov.chart.over_late",
             (0.99, 0.01, "right", "bottom"): "ov.chart.under_late"}


def cpi_spi_bubble(df: pd.DataFrame, *, tr: Tr, schedule_index: str = "spi_t", currency: str = "") -> go.Figure:
    """One bubble per project with both indices. Columns: project_id, project_name, cpi, spi, spi_t, bac, eac,
    computed_rag. Dashed reference lines at 1.0 split under/over budget and ahead/behind."""
    data = df[df["cpi"].notna() & df[schedule_index].notna()]
    size_ref = 2.0 * float(data["bac"].max() or 1) / MAX_BUBBLE_PX**2 if len(data) else 1
    unit = currency or tr("unit.currency")
    fig = go.Figure()
    for rag in RAGS:
        part = data[data["computed_rag"] == rag]
        if part.empty:
            continue
        hover = part[HOVER_COLUMNS].astype(object)
        fig.add_trace(go.Scatter(
            x=part["cpi"], y=part[schedule_index], mode="markers", name=tr(f"rag.{rag}"),
            marker={"size": part["bac"].fillna(0), "sizemode": "area", "sizeref": size_ref, "sizemin": 5,
                    "color": RAG_COLOURS[rag], "opacity": 0.75, "line": {"width": 1, "color": "white"}},
            customdata=hover.where(hover.notna(), None).to_numpy(),
            hovertemplate=(
                "<b>%{customdata[0]}</b> · %{customdata[1]}<br>CPI %{x:.2f} · SPI %{customdata[2]:.2f}"
                " · SPI(t) %{customdata[3]:.2f}<br>BAC %{customdata[4]:,.0f} " + unit
                + " · EAC %{customdata[5]:,.0f} " + unit + f"<br>{tr('ov.chart.rag')}: {tr(f'rag.{rag}')}"
                "<extra></extra>"),
        ))
    fig.add_hline(y=1, line={"dash": "dash", "color": "#616161", "width": 1})
    fig.add_vline(x=1, line={"dash": "dash", "color": "#616161", "width": 1})
    for (x, y, xanchor, yanchor), key in QUADRANTS.items():
        fig.add_annotation(x=x, y=y, xref="paper", yref="paper", xanchor=xanchor, yanchor=yanchor, text=tr(key),
                           showarrow=False, font={"size": 11, "color": "#757575"})
    schedule = "SPI(t) = ES / AT" if schedule_index == "spi_t" else "SPI = EV / PV"
    fig.update_layout(title=tr("ov.bubble"), legend_title_text=tr("ov.chart.rag"), height=480,
                      xaxis_title=f"CPI = EV / AC ({tr('unit.ratio')})",
                      yaxis_title=f"{schedule} ({tr('unit.ratio')})", margin={"t": 60, "r": 20})
    return fig
