"""Accounts: who may sign in, with which role and portfolios (admins only; `pmo user` does the same on the server)."""

import streamlit as st

from contract import accounts, settings
from dashboard import auth, ui
from dashboard.i18n import t
from dashboard.metrics import accounts as metrics

ui.page_header("page.accounts", "acc.caption")
auth.require("admin")

found = accounts.accounts(settings.db_path())
if found:
    st.dataframe(metrics.listing(found), hide_index=True, key="accounts_list")
else:
    st.info(t("acc.none"))

st.subheader(t("acc.add"))
with st.form("accounts_add", clear_on_submit=True):
    left, right = st.columns(2)
    name = left.text_input(t("auth.name"), key="accounts_name")
    role = right.selectbox(t("acc.role"), accounts.ROLES, format_func=lambda r: t(f"auth.role.{r}"),
                           key="accounts_role")
    portfolios = st.multiselect(t("acc.portfolios"), metrics.portfolio_options(), placeholder=t("auth.every_portfolio"),
                                key="accounts_portfolios")
    sso = st.checkbox(t("acc.sso_account"), key="accounts_sso")
    left, right = st.columns(2)
    password = left.text_input(t("auth.password"), type="password", key="accounts_password")
    repeated = right.text_input(t("acc.repeat"), type="password", key="accounts_repeat")
    if st.form_submit_button(t("acc.add"), type="primary"):
        try:
            if not sso and password != repeated:
                raise accounts.AccountError(t("acc.differ"))
            added = accounts.add(name.strip(), role, password=None if sso else password, portfolios=tuple(portfolios),
                                   db=settings.db_path())
        except accounts.AccountError as err:
            st.error(ui.md(err))
        else:
            st.success(t("acc.added", name=ui.md(added.name)))
            st.rerun()

if found:
    st.subheader(t("acc.remove"))
    current = auth.current()
    removable = [n for n in found if current is None or n != current.name]  # never your own account
    gone = st.selectbox(t("auth.name"), removable, index=None, key="accounts_remove")
    if gone and st.button(t("acc.remove_confirm", name=ui.md(gone)), key="accounts_remove_confirm"):
        accounts.remove(gone, settings.db_path())
        st.rerun()
