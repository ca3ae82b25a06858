"""Changes (PEO duty 9): the change-request log as it stood at the month end, approval cycle time and the
cumulative cost and schedule impact of approved changes."""

import streamlit as st

from dashboard import filters, ui
from dashboard.catalogue import value_label
from dashboard.charts import changes as charts
from dashboard.i18n import t
from dashboard.metrics import changes as metrics

f = filters.current()
ui.page_header("page.changes", about=f.about())
if not ui.require_data("mart_changes") or not f.period:
    st.stop()
st.caption(t("chg.caption", month=ui.month_label(f.period)))

log = metrics.log(f)
currency, mixed = ui.one_currency(log["currency"].dropna().unique())
ui.kpis(metrics.tiles(f, log, currency, mixed))

left, right = st.columns(2)
with left:
    ui.chart(charts.cycle_time_histogram(metrics.cycle_times(log), tr=t), key="changes_cycle_time")
with right:
    ui.chart(charts.cumulative_impact(metrics.cumulative(log), currency=currency or "", tr=t),
             key="changes_cumulative")
    if mixed:
        st.caption(mixed)

st.subheader(t("chg.log_heading"))
decisions = sorted(log["decision"].dropna().unique())
chosen = st.pills(t("chg.decision_filter"), decisions, selection_mode="multi", key="changes_decisions",
                  format_func=lambda d: value_label(t, "chg.decision", d))
shown = log[log["decision"].isin(chosen)] if chosen else log
ui.table(shown, key="changes_log", file_stem=f"change_log_{f.period}")
