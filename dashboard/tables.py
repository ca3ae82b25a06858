"""How a table reads, decided once for the screen, the downloads and the review pack: the kind of each column
(by its name), codes as words, headers in the reader's language, and the CSV / XLSX files themselves.

Downloads are built when clicked, outside the page's run, where the reader's language is not known: the page
fixes everything language-dependent in an `Export` first (export()), and to_csv / to_xlsx only use that."""

from __future__ import annotations

import io
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from dashboard.charts.common import CURRENCY_SYMBOLS
from dashboard.i18n import CODE_COLUMNS, code_label, reasons, t

# Column kinds by name, for every table. Shares are fractions (0.862) and percentages are already 0-100 (86.2):
# both read "86.2%". Money is shown to the cent in the frame's currency (money_format); ratios with 2 decimals.
RATIO_COLUMNS = {"cpi", "spi", "spi_t", "tcpi", "final_cpi", "final_spi", "final_spi_t", "sv_t", "final_sv_t", "es",
                 "at_months"}
SHARE_COLUMNS = {"utilisation", "billable_share", "completeness", "pass_rate", "cost_variance_pct",
                 "measured_bac_share", "score_coverage"}
PERCENT_COLUMNS = {"percent_complete", "final_percent_complete"}
MONEY_COLUMNS = {"ac", "bac", "bac_all", "declared_bac", "cost_impact", "cost_variance", "cv", "eac", "etc", "ev",
                 "final_ac", "final_ev", "pv", "sv", "vac"}
HOURS_COLUMNS = {"hours_logged", "capacity_hours", "billable_hours", "hours_outside_employment"}  # 1 decimal
WHOLE_COLUMNS = {"health_score", "exposure", "schedule_impact_days"}
RAG_CODES = ("green", "amber", "red", "grey")
REASON_COLUMNS = {"grey_reason", "health_grey_reason"}  # the marts' English reasons, read in the reader's language
# spreadsheet formula injection (OWASP CSV injection), the full-width forms included: spreadsheet apps evaluate them
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # ＝ ＋ － ＠


def is_rag(column: object) -> bool:
    return str(column) == "rag" or str(column).endswith("_rag")


def is_date_only(values: pd.Series) -> bool:
    """A datetime column whose every value is a midnight: shown and exported as a date."""
    known = values.dropna()
    return bool((known == known.dt.normalize()).all())


def currency_of(df: pd.DataFrame) -> str | None:
    """The one currency of the frame's `currency` column (or of a roll-up's `currencies` lists); None when it has
    none or several (then every row's amount stands beside its own currency, never summed)."""
    if "currency" in df:
        found = set(df["currency"].dropna())
    elif "currencies" in df:
        found = {c for listed in df["currencies"].dropna() for c in listed}
    else:
        return None
    return str(found.pop()) if len(found) == 1 else None


SCREEN_MONEY = {"EUR": "euro", "USD": "dollar", "JPY": "yen", "CNY": "yen"}  # Streamlit's formats: -€800,000.00


def money_format(currency: str | None) -> str:
    """A table column's money format on screen: the currency's own (sign before the symbol), else the amount to
    the cent followed by the ISO code; a frame mixing currencies gets plain amounts beside its currency column."""
    return SCREEN_MONEY.get(currency or "") or (f"%,.2f {currency}" if currency else "%,.2f")


def header(column: object) -> str:
    """The column's header in the reader's language: the catalogue's, else its name in words."""
    known = t(f"col.{column}")
    return known if known != f"col.{column}" else str(column).replace("_", " ").capitalize()


def words(df: pd.DataFrame) -> dict[str, dict[Any, str]]:
    """Per column, the word for each code found: closed vocabularies (status, kind …), RAGs ('red' -> 'Red'; a
    missing RAG reads 'Unknown', never blank: see _labelled) and the marts' reasons; free text is never translated."""
    found: dict[str, dict[Any, str]] = {}
    for column in df.columns:
        name = str(column)
        if is_rag(name):
            found[name] = {code: t(f"rag.{code}") for code in RAG_CODES}
        elif (name in CODE_COLUMNS or name in REASON_COLUMNS) and not pd.api.types.is_numeric_dtype(df[column]):
            word_of = reasons if name in REASON_COLUMNS else lambda code, name=name: code_label(name, code)
            mapped = {code: word for code in df[column].dropna().unique() if (word := word_of(code)) != str(code)}
            if mapped:
                found[name] = mapped
    return found


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as shown: codes of the known closed vocabularies replaced by their words (RAG codes stay codes:
    the screen colours them, see ui.table)."""
    return _codes_as_words(df, words(df))


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as a reader reads it away from the screen: words for codes and RAGs, headers in their language."""
    return _labelled(df, words(df), {str(c): header(c) for c in df.columns})


def _codes_as_words(df: pd.DataFrame, codes: dict[str, dict[Any, str]]) -> pd.DataFrame:
    """`df` with each non-RAG column's known codes replaced by their words."""
    mapped = {c: w for c, w in codes.items() if not is_rag(c)}
    return df.assign(**{c: df[c].map(lambda v, w=w: w.get(v, v)) for c, w in mapped.items()}) if mapped else df


def _labelled(df: pd.DataFrame, codes: dict[str, dict[Any, str]], headers: dict[str, str]) -> pd.DataFrame:
    out = _codes_as_words(df, codes).copy()
    for column in (c for c in codes if is_rag(c)):
        out[column] = df[column].map(lambda v, w=codes[column]: w["grey"] if pd.isna(v) else w.get(v, v))
    return out.rename(columns=lambda c: headers.get(str(c), str(c)))


# --- downloads -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    """What a download says above its table: the page's title and (label, value) lines such as the month and the
    filters. A page sets it once (ui.page_header); every table of the page uses it."""

    title: str = ""
    lines: tuple[tuple[str, str], ...] = ()


HEADING: ContextVar[Heading | None] = ContextVar("heading", default=None)


@dataclass(frozen=True)
class Export:
    """Everything language-dependent a download needs, fixed while the page is drawn."""

    heading: Heading
    headers: dict[str, str]
    codes: dict[str, dict[Any, str]]
    exported: str  # the label of the "exported at" line
    currency: str | None = None
    formats: dict[str, str] = field(default_factory=dict)  # header -> Excel number format


def export(df: pd.DataFrame) -> Export:
    """The page's heading, the frame's headers and words, and an Excel number format per numeric column."""
    currency = currency_of(df)
    headers = {str(c): header(c) for c in df.columns}
    formats = {headers[str(c)]: f for c in df.columns if (f := _excel_format(df[c], currency))}
    return Export(HEADING.get() or Heading(), headers, words(df), t("ui.exported"), currency, formats)


def _excel_format(values: pd.Series, currency: str | None) -> str | None:
    name = str(values.name)
    if name in SHARE_COLUMNS:
        return "0.0%"
    if name in PERCENT_COLUMNS:
        return '0.0"%"'
    if name in RATIO_COLUMNS:
        return "0.00"
    if name in MONEY_COLUMNS:
        symbol = CURRENCY_SYMBOLS.get(currency or "")
        return f'"{symbol}"#,##0.00' if symbol else f'#,##0.00 "{currency}"' if currency else "#,##0.00"
    if name in HOURS_COLUMNS:
        return "#,##0.0"
    if name in WHOLE_COLUMNS:
        return "#,##0"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "yyyy-mm-dd" if is_date_only(values) else "yyyy-mm-dd hh:mm"
    return None


def inert(value: Any) -> Any:
    """Text starting with = + - @ (or tab / CR) gets a leading apostrophe: a spreadsheet shows, not runs, it."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell made inert()."""
    out = df.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(inert)
    return out


def to_csv(df: pd.DataFrame, spec: Export) -> bytes:
    """Headers and words in the reader's language, numbers as they are (a share is 0.862)."""
    out = neutralise(_labelled(df, spec.codes, spec.headers))
    return out.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel then reads Chinese correctly


def to_xlsx(df: pd.DataFrame, spec: Export) -> bytes:
    """One sheet named after the page: the heading block (title, month, filters, export time), a blank row, then
    the table with headers and words in the reader's language and numbers as numbers in their format."""
    out = neutralise(_labelled(df, spec.codes, spec.headers))
    for column in out.columns:  # Excel has no time zones
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    title = spec.heading.title or "data"
    lines = [*spec.heading.lines, (spec.exported, f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")]
    first = len(lines) + 2  # title, the lines, a blank row
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        sheet_name = _sheet_name(title)
        out.to_excel(writer, index=False, sheet_name=sheet_name, startrow=first)
        book, sheet = writer.book, writer.sheets[sheet_name]
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, inert(title), book.add_format({"bold": True, "font_size": 14}))
        for row, (label, value) in enumerate(lines, start=1):
            sheet.write_string(row, 0, inert(label), bold)
            sheet.write_string(row, 1, inert(value))
        for position, column in enumerate(out.columns):
            number_format = spec.formats.get(str(column))
            width = min(60, max(10, len(str(column)) + 2))
            sheet.set_column(position, position, width, book.add_format({"num_format": number_format})
                             if number_format else None)
        sheet.freeze_panes(first + 1, 0)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ ."""
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip() or "data"
