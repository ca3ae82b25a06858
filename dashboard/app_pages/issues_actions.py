"""Issues & actions (PEO duty 3): RAID items open at the month end by age, owner and project; overdue actions."""

import streamlit as st

from dashboard import filters, ui
from dashboard.catalogue import value_label
from dashboard.charts import issues as charts
from dashboard.i18n import t
from dashboard.metrics import issues_actions as metrics

f = filters.current()
ui.page_header("page.issues_actions", about=f.about())
if not ui.require_data("mart_issues") or not f.period:
    st.stop()
st.caption(t("iss.caption", month=ui.month_label(f.period)))

items = metrics.items(f)
open_items = metrics.open_items(items)
ui.kpis(metrics.tiles(items))

ui.chart(charts.open_by_age(metrics.by_age(open_items), metrics.age_bands(), tr=t), key="issues_actions_by_age")
left, right = st.columns(2)
with left:
    ui.chart(charts.open_by(metrics.by(open_items, "owner"), "owner", tr=t), key="issues_actions_by_owner")
with right:
    ui.chart(charts.open_by(metrics.by(open_items, "project_id"), "project_id", tr=t),
                    key="issues_actions_by_project")

st.subheader(t("iss.overdue_actions_heading"))
overdue = metrics.overdue_actions(open_items)[["project_id", "item_id", "title", "owner", "due_date", "days_overdue",
                                               "raised_date", "status"]]
ui.table(overdue, key="issues_actions_overdue_actions", file_stem=f"overdue_actions_{f.period}")

st.subheader(t("iss.open_heading"))
kinds = st.pills(t("iss.kind_filter"), sorted(open_items["kind"].dropna().unique()), selection_mode="multi",
                 key="issues_actions_kinds", format_func=lambda k: value_label(t, "iss.kind", k))
shown = open_items[open_items["kind"].isin(kinds)] if kinds else open_items
ui.table(shown.drop(columns=["is_open"]), key="issues_actions_open", file_stem=f"open_items_{f.period}")

if st.toggle(t("iss.all_toggle"), key="issues_actions_show_all"):
    ui.table(items, key="issues_actions_all", file_stem=f"raid_log_{f.period}")
