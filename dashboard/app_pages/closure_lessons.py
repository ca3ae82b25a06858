"""Closure & lessons (PEO duty 10): final variances of projects closed by the month end, and the searchable lessons
register (the search text is a bound parameter, matched case-insensitively)."""

import streamlit as st

from dashboard import filters, tables, ui
from dashboard.charts import closure as charts
from dashboard.i18n import t
from dashboard.metrics import closure_lessons as metrics

f = filters.current()
ui.page_header("page.closure_lessons", about=f.about())
if not ui.require_data("dim_project") or not f.period:
    st.stop()
st.caption(t("clo.caption", month=ui.month_label(f.period)))

closed = metrics.closed(f)
tiles = st.container()  # filled once the lessons search below is known

st.subheader(t("clo.variances_heading"))
if closed.empty:
    st.caption(t("clo.none_closed"))
else:
    ui.chart(charts.final_variances(closed, currency=tables.currency_of(closed) or "", tr=t),
             key="closure_lessons_variances")
    ui.table(closed, key="closure_lessons_projects", file_stem=f"closed_projects_{f.period}")

st.subheader(t("clo.lessons_heading"))
search = st.text_input(t("clo.search"), key="closure_lessons_search", placeholder=t("clo.search_placeholder"),
                       max_chars=metrics.MAX_SEARCH)
lessons = metrics.lessons(f, search)
with tiles:
    ui.kpis(metrics.tiles(closed, lessons))
st.caption(t("clo.lessons_caption", n=len(lessons)) if search else t("clo.lessons_all", n=len(lessons)))
ui.table(lessons, key="closure_lessons_table", file_stem=f"lessons_{f.period}")
