"""Documents (PEO duty 8): mandatory documents per lifecycle stage present / stale / missing at the month end, per
project, each traceable to the register file it was read from."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import documents as charts
from dashboard.i18n import t
from dashboard.metrics import documents as metrics

ROWS = 40  # projects in the matrix, most gaps first; the tables list every project

f = filters.current()
ui.page_header("page.documents", about=f.about())
if not ui.require_data("mart_documents") or not f.period:
    st.stop()
st.caption(t("doc.caption", month=ui.month_label(f.period), days=metrics.stale_after_days()))

register = metrics.register(f)
mandatory = metrics.mandatory(register)
ui.kpis(metrics.tiles(mandatory))

left, right = st.columns([2, 3])
with left:
    ui.chart(charts.stage_summary(metrics.by_stage(mandatory), tr=t), key="documents_by_stage")
    completeness = {"completeness": st.column_config.ProgressColumn(
        t("col.completeness"), format="%.1f%%", min_value=0, max_value=100)}  # a share, shown x 100 (ui.table)
    ui.table(metrics.by_project(mandatory), key="documents_projects", file_stem=f"documents_by_project_{f.period}",
             column_config=completeness, column_order=["project_id", "completeness"])
with right:
    ui.chart(charts.document_matrix(metrics.matrix(mandatory, ROWS), tr=t), key="documents_matrix")
    if mandatory["project_id"].nunique() > ROWS:
        st.caption(t("doc.matrix_top", n=ROWS, total=mandatory["project_id"].nunique()))

st.subheader(t("doc.gaps_heading"))
ui.table(metrics.gaps(mandatory)[["project_id", "project_name", "lifecycle_stage", "document_type", "state", "title",
                                  "last_updated", "age_days", "owner", "source_file"]],
         key="documents_gaps", file_stem=f"document_gaps_{f.period}")
if st.toggle(t("doc.all_toggle"), key="documents_show_all"):
    ui.table(register, key="documents_register", file_stem=f"document_register_{f.period}")
