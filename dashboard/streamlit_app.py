"""Entrypoint: the router and the frame (navigation, language switch, global filters), then the chosen page.

Run with `pmo serve` (or `streamlit run dashboard/streamlit_app.py`).
"""

import logging
import uuid

import streamlit as st

from dashboard import db, filters
from dashboard.i18n import t

# (page file stem, icon) per navigation section; the file is app_pages/<stem>.py, its title t("page.<stem>").
SECTIONS = {
    "nav.executive": [("overview", ":material/dashboard:"), ("project_detail", ":material/folder_open:")],
    "nav.analysis": [
        ("schedule", ":material/event:"), ("resources", ":material/group:"),
        ("budget_evm", ":material/payments:"), ("risks", ":material/warning:"),
        ("performance", ":material/speed:"), ("changes", ":material/published_with_changes:"),
        ("issues_actions", ":material/checklist:"), ("quality", ":material/verified:"),
        ("documents", ":material/description:"), ("closure_lessons", ":material/school:"),
    ],
    "nav.data": [("data_quality", ":material/rule:"), ("load_data", ":material/upload_file:")],
}

st.set_page_config(page_title=t("app.title"), page_icon="📊", layout="wide")
page = st.navigation({
    t(section): [st.Page(f"app_pages/{stem}.py", title=t(f"page.{stem}"), icon=icon, default=stem == "overview")
                 for stem, icon in pages]
    for section, pages in SECTIONS.items()
}, expanded=True)
filters.sidebar()
if (version := db.data_version()) is not None:
    st.sidebar.caption(t("ui.data_version", version=version))
    filters.frozen_banner()
try:
    page.run()
except Exception:  # the reader gets one line and an incident id, never a traceback or a server path
    incident = uuid.uuid4().hex[:8]
    logging.getLogger("pmo.dashboard").exception("incident %s on page %s", incident, page.title)
    st.error(t("ui.incident", id=incident))
