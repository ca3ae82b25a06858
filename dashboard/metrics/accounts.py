"""Accounts: the table of who may sign in, and the portfolios an account can be limited to."""

from __future__ import annotations

import pandas as pd

from contract.accounts import Account
from dashboard import db
from dashboard.i18n import t


def listing(found: dict[str, Account]) -> pd.DataFrame:
    """One row per account, headed and worded in the reader's language."""
    return pd.DataFrame([{t("auth.name"): a.name, t("acc.role"): t(f"auth.role.{a.role}"),
                          t("acc.portfolios"): ", ".join(a.portfolios) or t("auth.every_portfolio"),
                          t("acc.sign_in"): t("acc.sso") if a.sso else t("acc.password"), t("acc.created"): a.created}
                         for a in found.values()])


def portfolio_options() -> list[str]:
    """The portfolios the warehouse knows; none before the first load (accounts come before data)."""
    if not db.tables():
        return []
    options = db.run("filters_options")
    return sorted(options.loc[options["dimension"] == "portfolio", "value"])
