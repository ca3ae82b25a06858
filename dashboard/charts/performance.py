"""Performance charts: health-score ranking split into its weighted drivers, computed vs declared RAG."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import english
from dashboard.charts.common import Tr

DRIVER_COLOURS = {"cost": "#1565c0", "schedule": "#6a1b9a", "risk": "#ef6c00", "quality": "#00897b",
                  "freshness": "#8d6e63"}
RAGS = ("green", "amber", "red", "grey")


def health_ranking(df: pd.DataFrame, drivers: Sequence[str], *, tr: Tr = english) -> go.Figure:
    """Horizontal stacked bars, worst project on top: each segment is one driver's contribution in points
    (weight share x driver score) so the bar length is the health score.
    Columns: label, health_score, and per driver `<d>_score` (0..100 or NULL) and `<d>_points`."""
    data = df.sort_values("health_score", ascending=True, na_position="first")
    fig = go.Figure()
    for d in drivers:
        name = tr(f"perf.driver.{d}")
        score = data[f"{d}_score"].astype(object).where(data[f"{d}_score"].notna(), "n/a").to_numpy()
        fig.add_trace(go.Bar(
            y=data["label"], x=data[f"{d}_points"].fillna(0), orientation="h", name=name,
            marker_color=DRIVER_COLOURS.get(d, "#888"),
            customdata=list(zip(score, data["health_score"].fillna(-1), strict=True)),
            hovertemplate=(f"%{{y}}<br>{name}: %{{x:.1f}} {tr('unit.points')}"
                           f"<br>{tr('perf.chart.driver_score')}: %{{customdata[0]}}"
                           f"<br>{tr('perf.chart.health')}: %{{customdata[1]:.0f}}<extra></extra>"),
        ))
    fig.update_layout(
        title=tr("perf.chart.ranking"), barmode="stack",
        xaxis={"title": {"text": f"{tr('perf.chart.health')} (0–100 {tr('unit.points')})"}, "range": [0, 100]},
        yaxis={"title": {"text": tr("label.project")}, "type": "category",
               "categoryorder": "array", "categoryarray": list(data["label"])[::-1]},
        height=max(340, 24 * len(data) + 140), legend_title_text=tr("perf.chart.drivers"),
    )
    return fig


def rag_agreement(df: pd.DataFrame, *, tr: Tr = english) -> go.Figure:
    """Heatmap of project counts: computed RAG (columns) x declared RAG (rows); off-diagonal = disagreement.
    Columns: computed_rag, declared_rag, projects."""
    grid = df.assign(computed_rag=df["computed_rag"].fillna("grey"), declared_rag=df["declared_rag"].fillna("grey"))
    grid = grid.groupby(["declared_rag", "computed_rag"])["projects"].sum()
    z = [[int(grid.get((d, c), 0)) for c in RAGS] for d in RAGS]
    labels = [tr(f"rag.{r}") for r in RAGS]
    fig = go.Figure(go.Heatmap(
        z=z, x=labels, y=labels, colorscale="Blues", zmin=0, texttemplate="%{z}", xgap=2, ygap=2,
        colorbar={"title": {"text": tr("perf.chart.projects")}},
        hovertemplate=(f"{tr('perf.chart.computed')}: %{{x}}<br>{tr('perf.chart.declared')}: %{{y}}"
                       f"<br>{tr('perf.chart.projects')}: %{{z}}<extra></extra>"),
    ))
    fig.update_layout(title=tr("perf.chart.rag_agreement"),
                      xaxis_title=f"{tr('perf.chart.computed')} (RAG)",
                      yaxis_title=f"{tr('perf.chart.declared')} (RAG)", height=380)
    fig.update_yaxes(autorange="reversed")  # green top-left: agreement runs down the diagonal
    return fig
