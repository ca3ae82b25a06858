"""Entrypoint: the router and the frame (navigation, language switch, global filters), then the chosen page.

Run with `pmo serve` (or `streamlit run dashboard/streamlit_app.py`).
"""

import logging
import uuid

import streamlit as st
from streamlit.commands import navigation
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

from dashboard import auth, db, filters
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
    "nav.data": [("data_quality", ":material/rule:"), ("load_data", ":material/upload_file:"),
                 ("accounts", ":material/manage_accounts:")],
}

ROLE_PAGES = {"load_data": "analyst", "accounts": "admin"}  # registered only for these roles (and above); each
# page also checks (auth.require)



def _note_page_not_found(ctx: ScriptRunContext) -> None:
    """Streamlit's own "Page not found" dialog speaks English only: the overview it opens instead says so, in the
    reader's language (a mistyped or old link, or a page the reader's role does not open)."""
    st.session_state["page_not_found"] = True


navigation.send_page_not_found = _note_page_not_found
st.set_page_config(page_title=t("app.title"), page_icon="📊", layout="wide")
account = auth.gate()  # with accounts, nothing below runs before sign-in
HOME = "overview"  # the default page, served at the root URL


def _page(stem: str, icon: str) -> st.Page:
    # the default page's own url_path is never served, yet must differ from the alias below
    return st.Page(f"app_pages/{stem}.py", title=t(f"page.{stem}"), icon=icon, default=stem == HOME,
                   url_path="home" if stem == HOME else None)


allowed = {stem: _page(stem, icon) for pages in SECTIONS.values() for stem, icon in pages
           if auth.may(ROLE_PAGES.get(stem, "viewer"))}
menu = {t(section): [allowed[stem] for stem, _ in pages if stem in allowed] for section, pages in SECTIONS.items()}
# /overview, the URL a reader types or bookmarks like every other page's, opens the overview at the root URL
alias = st.Page(lambda: st.switch_page(allowed[HOME]), title=t(f"page.{HOME}"), url_path=HOME, visibility="hidden")
page = st.navigation({**menu, "": [alias]}, expanded=True)
if st.session_state.pop("page_not_found", False):
    st.warning(t("ui.page_not_found", page=t(f"page.{HOME}")), icon=":material/link_off:")
if account is not None:
    st.sidebar.caption(t("auth.signed_in_as", name=account.name, role=t(f"auth.role.{account.role}"),
                         portfolios=", ".join(account.portfolios) or t("auth.every_portfolio")))
    st.sidebar.button(t("auth.sign_out"), on_click=auth.sign_out, key="sign_out", type="tertiary")
try:
    filters.sidebar()
    if (version := db.data_version()) is not None:
        st.sidebar.caption(t("ui.data_version", version=version))
        filters.frozen_banner()
    page.run()
except Exception:  # the reader gets one line and an incident id, never a traceback or a server path
    incident = uuid.uuid4().hex[:8]
    logging.getLogger("pmo.dashboard").exception("incident %s on page %s", incident, page.title)
    st.error(t("ui.incident", id=incident))
