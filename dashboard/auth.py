"""Who is signed in: the sign-in gate every run passes (streamlit_app.py), roles, and the portfolio fence.

With no accounts (contract/accounts.py) the dashboard runs open, and `pmo serve` then listens on 127.0.0.1 only.
As soon as one account exists every session signs in: with its password, or through the office's identity
provider when Streamlit's [auth] is configured in .streamlit/secrets.toml (st.login, OIDC) and an `--sso`
account carries the e-mail address it returns. Failed sign-ins are logged and rate-limited per name and per
client address; a session idle for [security] session_idle_minutes is signed out. Accounts are read on every run,
so a removed account or a changed role takes effect at the next click.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque

import streamlit as st

from contract import accounts, settings
from contract.accounts import Account
from dashboard.i18n import t

log = logging.getLogger("pmo.auth")
_KEY, _SEEN = "pmo_account", "pmo_account_seen"
FENCE_ENV = "PMO_PORTFOLIOS"  # `pmo report --portfolio`: the fence of the account that asked for the pack


@st.cache_resource
def _failures() -> tuple[threading.Lock, dict[str, deque[float]]]:
    """Failed sign-ins of the last window, per name and per client address, shared by every session."""
    return threading.Lock(), {}


def current() -> Account | None:
    """The signed-in account; None when the dashboard runs open (no accounts) or outside a browser session."""
    try:
        return st.session_state.get(_KEY)
    except Exception:  # no Streamlit session (pmo report): nobody is signed in
        return None


def may(role: str) -> bool:
    """True when the session may act as `role`. Every run passes `gate()` first, which stops it unless an account
    signed in or there are none: no account signed in means the dashboard runs open (no need to read the file
    again for every table and menu entry)."""
    account = current()
    return account is None or account.may(role)


def portfolios() -> tuple[str, ...]:
    """The portfolios the reader is limited to; () for every portfolio. Enforced in db's queries."""
    account = current()
    if account is not None:
        return account.portfolios
    return tuple(p for p in os.environ.get(FENCE_ENV, "").split("\x1f") if p)


def require(role: str) -> None:
    """Stop the page unless the session may act as `role` (the check runs on the server, not in the menu)."""
    if not may(role):
        st.error(t("auth.forbidden", role=t(f"auth.role.{role}")))
        st.stop()


def gate() -> Account | None:
    """The signed-in account (None when open); otherwise show the sign-in form and stop the run."""
    found = accounts.accounts(settings.db_path())
    if not found:
        st.session_state.pop(_KEY, None)
        return None
    account, now = st.session_state.get(_KEY), time.monotonic()
    if account is not None:
        idle = now - st.session_state.get(_SEEN, now)
        if account.name in found and idle <= _idle_limit():
            st.session_state[_KEY], st.session_state[_SEEN] = found[account.name], now
            return found[account.name]
        log.info("session of %s ended (%s)", account.name, "idle" if account.name in found else "account removed")
        sign_out()
        st.info(t("auth.expired"))
    if _sso_configured() and st.user.is_logged_in:
        email = str(st.user.get("email") or "")
        if (sso := found.get(email)) is not None and sso.sso:
            log.info("signed in %s through the identity provider", email)
            _start(sso)
            return sso
        log.warning("identity-provider sign-in of %r refused: no --sso account", email)
        st.error(t("auth.sso_unknown", email=email))
        st.button(t("auth.sign_out"), on_click=st.logout)
        st.stop()
    _sign_in_form()
    st.stop()
    return None  # unreachable: st.stop() ends the run


def sign_out() -> None:
    st.session_state.pop(_KEY, None)
    st.session_state.pop(_SEEN, None)


def _start(account: Account) -> None:
    st.session_state[_KEY], st.session_state[_SEEN] = account, time.monotonic()


def _idle_limit() -> float:
    return 60 * float(settings.config()["security"]["session_idle_minutes"])


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def _sign_in_form() -> None:
    st.title(t("auth.title"))
    with st.form("sign_in"):
        name = st.text_input(t("auth.name"), key="sign_in_name")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if _sso_configured():
        st.button(t("auth.sso"), on_click=st.login)
    if not submitted:
        return
    where = st.context.ip_address or "unknown address"
    keys = (f"name:{name.strip().lower()}", f"address:{where}")
    limits = settings.config()["security"]
    window, allowed = 60 * float(limits["sign_in_window_minutes"]), int(limits["sign_in_failures"])
    lock, failures = _failures()
    with lock:
        now = time.monotonic()
        for key in keys:
            recent = failures.setdefault(key, deque())
            while recent and now - recent[0] > window:
                recent.popleft()
        if any(len(failures[key]) >= allowed for key in keys):
            log.warning("sign-in of %r from %s refused: %d failures within %s min", name, where, allowed,
                        limits["sign_in_window_minutes"])
            st.error(t("auth.locked", minutes=limits["sign_in_window_minutes"]))
            return
    account = accounts.verify(name.strip(), password, settings.db_path())
    if account is None:
        with lock:
            for key in keys:
                failures[key].append(time.monotonic())
        log.warning("sign-in failed for %r from %s", name, where)
        st.error(t("auth.failed"))
        return
    log.info("signed in %s (%s) from %s", account.name, account.role, where)
    _start(account)
    st.rerun()
