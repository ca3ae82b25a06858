"""Risks (PEO duty 6): the 5x5 probability x impact matrix (click a cell, or pick probability and impact, to list
its risks), exposure across snapshots, overdue mitigations, and what is new, escalated or closed this month."""

import streamlit as st

from dashboard import filters, ui
from dashboard.catalogue import value_label
from dashboard.charts import risks as charts
from dashboard.i18n import t
from dashboard.metrics import risks as metrics

LEVELS = [1, 2, 3, 4, 5]

f = filters.current()
ui.page_header("page.risks", about=f.about())
if not ui.require_data("mart_risk") or not f.period:
    st.stop()
st.caption(t("risk.caption", month=ui.month_label(f.period)))


def _take_chart_selection() -> None:
    """on_select callback: a clicked cell sets the probability / impact pickers (one source of truth)."""
    cell = charts.selected_cell(st.session_state.get("risks_matrix"))
    if cell:
        st.session_state["risks_probability"], st.session_state["risks_impact"] = cell


for picker in ("risks_probability", "risks_impact"):
    st.session_state.setdefault(picker, None)
register = metrics.register(f)
moves = metrics.moves(f)
ui.kpis(metrics.tiles(register, moves))

bands = metrics.bands()
left, right = st.columns([3, 2])
with left:
    measure = st.segmented_control(t("risk.measure"), list(metrics.MEASURES), default="risks", required=True,
                                   format_func=lambda m: t(f"risk.measure.{m}"), key="risks_measure")
    probability = st.session_state.get("risks_probability")
    impact = st.session_state.get("risks_impact")
    selected = (probability, impact) if probability and impact else None
    ui.chart(charts.risk_matrix(metrics.matrix(f), measure=measure, bands=bands, selected=selected, tr=t),
                    key="risks_matrix", on_select=_take_chart_selection, selection_mode="points")
with right:
    st.subheader(t("risk.cell_heading"))
    pick_p, pick_i = st.columns(2)
    probability = pick_p.selectbox(t("risk.chart.probability"), LEVELS, key="risks_probability",
                                   placeholder=t("risk.any"))
    impact = pick_i.selectbox(t("risk.chart.impact"), LEVELS, key="risks_impact",
                              placeholder=t("risk.any"))
    if probability and impact:
        in_cell = metrics.cell(f, probability, impact)
        st.caption(t("risk.cell_caption", p=probability, i=impact, score=probability * impact,
                     band=value_label(t, "risk.band", charts.band_of(probability * impact, bands)), n=len(in_cell)))
        ui.table(in_cell[["risk_id", "title", "owner", "due_date", "status", "project_id", "mitigation"]],
                 key="risks_cell_table", file_stem=f"risks_p{probability}_i{impact}_{f.period}")
    else:
        st.caption(t("risk.cell_hint"))

st.subheader(t("risk.trend_heading"))
ui.chart(charts.exposure_trend(metrics.exposure_trend(f), bands=bands, tr=t), key="risks_exposure_trend")

st.subheader(t("risk.overdue_heading"))  # full width: owner and due date are never cut off
overdue = metrics.overdue_mitigations(f)[["project_id", "risk_id", "title", "owner", "due_date", "days_overdue",
                                          "score", "band", "mitigation"]]
ui.table(overdue, key="risks_overdue", file_stem=f"overdue_mitigations_{f.period}")
st.subheader(t("risk.moves_heading", previous=ui.month_label(filters.previous_period(f.period))))
ui.table(moves, key="risks_moves", file_stem=f"risk_moves_{f.period}")

if st.toggle(t("risk.register_toggle"), key="risks_show_register"):
    ui.table(register, key="risks_register", file_stem=f"risk_register_{f.period}")
