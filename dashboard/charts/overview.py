"""Overview chart: CPI against SPI(t) (or SPI) per project, bubble size = BAC, colour = computed RAG. A large
portfolio draws its worst and largest projects one by one and the rest grouped, so the page sends what a reader
can see."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import RAG_COLOURS, RAGS, Tr, threshold_note, with_currency

MAX_BUBBLE_PX = 48
LABELLED = 10  # the projects furthest below plan (lowest of their two indices) carry their id on the chart
BUBBLES = 300  # projects drawn one by one: the LABELLED worst, then the largest by BAC
CELL = 0.05  # the others: one bubble per RAG and CELL x CELL square of the two indices
HOVER_COLUMNS = ["project_id", "project_name", "spi", "spi_t", "bac", "eac"]
# Quadrant notes, placed in the corners of the plot area (paper coordinates).
QUADRANTS = {(0.01, 0.99, "left", "top"): "ov.chart.over_ahead",
             (0.99, 0.99, "right", "top"): "ov.chart.under_ahead",
             (0.01, 0.01, "left", "bottom"): "ov.chart.over_late",
             (0.99, 0.01, "right", "bottom"): "ov.chart.under_late"}


def cpi_spi_bubble(df: pd.DataFrame, *, tr: Tr, schedule_index: str = "spi_t", currency: str = "") -> go.Figure:
    """One bubble per project with both indices. Columns: project_id, project_name, cpi, spi, spi_t, bac, eac,
    computed_rag. Dashed reference lines at 1.0 split under/over budget and ahead/behind; the LABELLED worst are
    named on the chart and the subtitle says what a bubble's area means."""
    data = df[df["cpi"].notna() & df[schedule_index].notna()]
    worst = data[["cpi", schedule_index]].astype(float).min(axis=1).nsmallest(LABELLED).index
    alone = data.loc[worst.union(data.drop(worst)["bac"].astype(float).nlargest(BUBBLES - len(worst)).index)]
    groups = _grouped(data.drop(alone.index), schedule_index)
    size_ref = 2.0 * float(pd.concat([alone["bac"], groups["bac"]]).max() or 1) / MAX_BUBBLE_PX**2 if len(data) else 1
    unit = currency or tr("unit.currency")
    fig = go.Figure()
    for rag in RAGS:
        part = alone[alone["computed_rag"] == rag]
        grouped = groups[groups["computed_rag"] == rag]
        if not grouped.empty:
            fig.add_trace(go.Scatter(
                x=grouped["cpi"], y=grouped[schedule_index], mode="markers", name=tr(f"rag.{rag}"), legendgroup=rag,
                showlegend=part.empty,
                marker={"size": grouped["bac"], "sizemode": "area", "sizeref": size_ref, "sizemin": 5,
                        "color": RAG_COLOURS[rag], "opacity": 0.45, "line": {"width": 1, "color": "#424242"}},
                customdata=grouped[["projects", "bac"]].to_numpy(),
                hovertemplate=(tr("ov.chart.group_hover", n="%{customdata[0]}") + f" · {tr(f'rag.{rag}')}<br>"
                               "CPI %{x:.2f} · " + ("SPI(t)" if schedule_index == "spi_t" else "SPI")
                               + " %{y:.2f}<br>BAC %{customdata[1]:,.0f} " + unit + "<extra></extra>")))
        if part.empty:
            continue
        hover = part[HOVER_COLUMNS].astype(object)
        fig.add_trace(go.Scatter(
            x=part["cpi"], y=part[schedule_index], mode="markers+text", name=tr(f"rag.{rag}"), legendgroup=rag,
            text=part["project_id"].where(part.index.isin(worst), ""), textposition="top center",
            textfont={"size": 11, "color": "#424242"},
            marker={"size": part["bac"].fillna(0), "sizemode": "area", "sizeref": size_ref, "sizemin": 5,
                    "color": RAG_COLOURS[rag], "opacity": 0.75, "line": {"width": 1, "color": "white"}},
            customdata=hover.where(hover.notna(), None).to_numpy(),
            hovertemplate=(
                "<b>%{customdata[0]}</b> · %{customdata[1]}<br>CPI %{x:.2f} · SPI %{customdata[2]:.2f}"
                " · SPI(t) %{customdata[3]:.2f}<br>BAC %{customdata[4]:,.0f} " + unit
                + " · EAC %{customdata[5]:,.0f} " + unit + f"<br>{tr('ov.chart.rag')}: {tr(f'rag.{rag}')}"
                "<extra></extra>"),
        ))
    index = "SPI(t)" if schedule_index == "spi_t" else "SPI"
    fig.add_hline(y=1, line={"dash": "dash", "color": "#616161", "width": 1}, annotation_position="bottom right",
                  **threshold_note(tr("chart.on_plan", index=index)))
    fig.add_vline(x=1, line={"dash": "dash", "color": "#616161", "width": 1}, annotation_position="top left",
                  **threshold_note(tr("chart.on_plan", index="CPI")))
    for (x, y, xanchor, yanchor), key in QUADRANTS.items():
        fig.add_annotation(x=x, y=y, xref="paper", yref="paper", xanchor=xanchor, yanchor=yanchor, text=tr(key),
                           showarrow=False, font={"size": 11, "color": "#757575"})
    schedule = "SPI(t) = ES / AT" if schedule_index == "spi_t" else "SPI = EV / PV"
    largest = data.loc[data["bac"].idxmax()] if data["bac"].notna().any() else None
    size = tr("ov.chart.size", bac=with_currency(f"{float(largest['bac']):,.0f}", currency),
              project=largest["project_id"], n=LABELLED) if largest is not None else ""
    if not groups.empty:
        size += tr("ov.chart.grouped", n=f"{int(groups['projects'].sum()):,}")
    fig.update_layout(title={"text": tr("ov.bubble"), "subtitle": {"text": size}}, legend_title_text=tr("ov.chart.rag"),
                      height=480,
                      xaxis_title=f"CPI = EV / AC ({tr('unit.ratio')})",
                      yaxis_title=f"{schedule} ({tr('unit.ratio')})", margin={"t": 60, "r": 20})
    return fig


def _grouped(rest: pd.DataFrame, schedule_index: str) -> pd.DataFrame:
    """One row per RAG and CELL x CELL square of CPI and the schedule index: the projects' mean indices, their
    number and their summed BAC."""
    if rest.empty:
        return pd.DataFrame(columns=["computed_rag", "cpi", schedule_index, "projects", "bac"])
    indices = rest[["cpi", schedule_index]].astype(float)
    cells = (indices / CELL).round().astype(int)
    return (indices.assign(bac=rest["bac"].astype(float).fillna(0), projects=1)
            .groupby([rest["computed_rag"], cells["cpi"].rename("cpi_cell"), cells[schedule_index].rename("cell")])
            .agg(cpi=("cpi", "mean"), **{schedule_index: (schedule_index, "mean")}, projects=("projects", "sum"),
                 bac=("bac", "sum"))
            .reset_index().drop(columns=["cpi_cell", "cell"]))
