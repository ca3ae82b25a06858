"""Quality (PEO duty 4): quality-check pass rate by month and the open-defects trend of the filtered projects."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import quality as charts
from dashboard.i18n import t
from dashboard.metrics import quality as metrics

f = filters.current()
ui.page_header("page.quality", about=f.about())
if not ui.require_data("mart_quality") or not f.period:
    st.stop()
st.caption(t("qual.caption", month=ui.month_label(f.period)))
st.page_link("app_pages/data_quality.py", label=t("qual.data_quality_link"), icon=":material/rule:")

monthly = metrics.monthly(f)
ui.kpis(metrics.tiles(f, monthly))
amber, red = metrics.thresholds()
left, right = st.columns(2)
with left:
    ui.chart(charts.pass_rate_trend(monthly, amber_below=amber, red_below=red, tr=t), key="quality_pass_rate")
with right:
    ui.chart(charts.defects_trend(monthly, tr=t), key="quality_defects")

st.subheader(t("qual.projects_heading", month=ui.month_label(f.period)))
ui.table(metrics.projects(f), key="quality_projects", file_stem=f"quality_projects_{f.period}")
if st.toggle(t("qual.monthly_toggle"), key="quality_show_monthly"):
    ui.table(monthly, key="quality_monthly", file_stem=f"quality_by_month_{f.period}")
