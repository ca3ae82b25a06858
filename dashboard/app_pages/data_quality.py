"""Data quality: can the numbers be trusted? Loads, freshness, every gate check, quarantined rows, rejections."""

import streamlit as st

from dashboard import ui
from dashboard.i18n import t
from dashboard.metrics import data_quality

ui.page_header("page.data_quality", "dq.caption")
if not ui.require_data("load_log"):
    st.stop()

sources = data_quality.sources()
ui.kpis(data_quality.tiles(sources))

st.subheader(t("dq.sources"))
ui.table(sources, key="data_quality_sources", file_stem="sources",  # how old each source's data is, first
         column_order=["source", "freshness", "latest_as_of", "age_days", "last_status", "last_load", "failed_checks"])

st.subheader(t("dq.checks"))
failed_only = st.toggle(t("dq.checks_failed_only"), value=True, key="data_quality_failed_only")
ui.table(data_quality.checks(failed_only=failed_only), key="data_quality_checks", file_stem="gate_checks")

st.subheader(t("dq.quarantine"))
st.caption(t("dq.quarantine_caption", limit=ui.fmt_int(data_quality.QUARANTINE_ROWS)))
with_rows = sources.loc[sources["rows_quarantined"] > 0, "source"].tolist()
chosen = st.multiselect(t("col.source"), with_rows, key="data_quality_quarantine_sources", placeholder=t("filter.all"),
                        format_func=lambda source: t(f"src.{source}"))
ui.table(data_quality.quarantine(chosen), key="data_quality_quarantine", file_stem="quarantine")

st.subheader(t("dq.replaced"))
st.caption(t("dq.replaced_caption"))
ui.table(data_quality.replaced(), key="data_quality_replaced", file_stem="replaced_rows")

st.subheader(t("dq.rejected"))
ui.table(data_quality.loads(rejected_only=True), key="data_quality_rejected", file_stem="rejected_loads")

if st.toggle(t("dq.loads"), key="data_quality_history"):
    ui.table(data_quality.loads(rejected_only=False), key="data_quality_loads", file_stem="load_history")
