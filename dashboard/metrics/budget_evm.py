"""Budget & EVM: the month's EVM table, S-curves of one project and of the filtered portfolio (roll-up: sums
first, then ratios), EAC vs BAC."""

from __future__ import annotations

import pandas as pd

from dashboard import db
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.metrics import portfolio_total, previous
from dashboard.ui import Tile, change, fmt_money, fmt_ratio, is_known, month_label, one_currency

LEVELS = ("portfolio", "programme", "department", "manager", "lifecycle_stage")


def table(f: Filters) -> pd.DataFrame:
    """Every filtered project's EVM figures in the month (projects without figures keep NULLs = n/a)."""
    return db.run("budget_evm_table", f)


def worst_first(df: pd.DataFrame) -> pd.DataFrame:
    """The EVM table as the screen lists it: largest overrun (VAC) first, then lowest CPI, projects without
    figures last (a capped ui.table shows its top rows)."""
    return df.sort_values(["vac", "cpi", "project_id"], na_position="last").reset_index(drop=True)


def project_curve(f: Filters, project_id: str) -> pd.DataFrame:
    """One project's monthly PV (whole plan) and EV / AC up to the month."""
    return db.run("budget_evm_curve", f, project_id=project_id)


def portfolio_curve(f: Filters) -> pd.DataFrame:
    """The filtered portfolio's S-curve: PV, EV, AC up to the month, summed over the projects measured in each
    month (evm_trend.sql), and pv_plan = the whole plan of every filtered project to its end."""
    trend = db.run("evm_trend", f, level="total").drop(columns=["pv_plan"], errors="ignore")
    trend = trend[trend["period"] <= f.period]
    plan = db.run("budget_evm_portfolio_plan", f)
    return plan.merge(trend.drop(columns=["month_end"], errors="ignore"), on="period", how="left")


def rollup(f: Filters, level: str = "total") -> pd.DataFrame:
    """EVM per group at `level` (LEVELS): sums first, then ratios (evm_rollup.sql)."""
    return db.run("evm_rollup", f, level=level)


def tiles(f: Filters) -> list[Tile]:
    """Portfolio BAC, EAC, VAC, CPI, SPI(t) of the month from the roll-up, changes against the month before."""
    now, before = portfolio_total(f), portfolio_total(previous(f))
    measured = now.get("projects_measured") or 0
    coverage = t("evm.kpi.coverage", measured=int(measured), projects=int(now.get("projects") or 0))
    no_evm = None if measured else t("evm.unknown.no_evm")
    versus = t("ov.vs_month", month=month_label(previous(f).period))

    currency, mixed = one_currency(now.get("currencies"))

    def ratio(key: str, label: str, reason: str) -> Tile:
        value = now.get(key)
        return Tile(label, fmt_ratio(value), change(value, before.get(key), "{:+.2f}"),
                    f"{t('evm.kpi.index_help')} {coverage}", mixed or no_evm or (None if is_known(value) else reason),
                    delta_description=versus)

    eac, bac = now.get("eac"), now.get("bac")
    return [
        Tile(t("evm.kpi.bac"), fmt_money(now.get("bac_all"), currency), help=t("evm.kpi.bac_help"),
             unknown_reason=mixed),
        Tile(t("evm.kpi.eac"), fmt_money(eac, currency),
             t("evm.kpi.vs_bac", share=f"{eac / bac - 1:+.1%}") if is_known(eac) and bac else None,
             f"{t('evm.kpi.eac_help')} {coverage}",
             mixed or no_evm or (None if is_known(eac) else t("evm.unknown.no_ac")), "inverse"),
        ratio("cpi", "CPI", t("evm.unknown.no_ac")),
        ratio("spi", "SPI", t("evm.unknown.no_pv")),
        ratio("spi_t", "SPI(t)", t("evm.unknown.no_es")),
    ]
