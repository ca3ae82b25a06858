"""Building blocks every page shares: header, the "load data first" state, KPI tiles, downloadable tables,
RAG badges and locale-aware number and date formats (NULL is always "n/a", never 0 and never green)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, db, tables
from dashboard.charts.common import RAG_COLOURS as RAG_HEX
from dashboard.charts.common import finish, with_currency
from dashboard.i18n import language, t

LOAD_DATA_PAGE = "app_pages/load_data.py"
PROJECT_PAGE = "app_pages/project_detail.py"
RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red", "grey": "gray"}  # Streamlit colour names
WRAPPED_ROW_PX = 72  # Streamlit wraps a cell's text only in rows taller than 4 rem: three lines of text
SCREEN_ROWS = 200  # rows a table sends to the browser, its first (put the worst first); its downloads hold every row
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~:$]")
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|mailto|www)(?=\\[:.])|@")  # after _MARKDOWN_SPECIAL's escapes


@dataclass(frozen=True)
class Tile:
    """One KPI tile, ready for ui.kpi(); `unknown_reason` makes it grey "unknown"."""

    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    unknown_reason: str | None = None
    delta_color: str = "normal"  # "inverse" when a rise is bad, "off" when neutral
    delta_description: str | None = None  # e.g. "vs Sep 2026"
    caption: str | None = None  # context under the value that is not a change (e.g. "12 of 15 completed")


def md(value: object) -> str:
    """A data value made inert for Markdown (links, images, colour directives, HTML-looking text shown as typed).
    Streamlit's Markdown also links bare URLs and e-mail addresses found in the text after escapes are read; an
    invisible word joiner after their scheme, www or @ keeps them text."""
    return _AUTOLINK.sub("\\g<0>\u2060", _MARKDOWN_SPECIAL.sub(r"\\\g<0>", str(value)))


# --- layout --------------------------------------------------------------------------------------

def page_header(title_key: str, caption_key: str | None = None, *, about: Sequence[tuple[str, str]] = (),
                **fmt: Any) -> None:
    """The page's title (and caption); `about` (the month, the filters: Filters.about()) heads every download."""
    st.title(t(title_key))
    tables.HEADING.set(tables.Heading(t(title_key), tuple(about)))
    if caption_key:
        st.caption(t(caption_key, **fmt))


def require_data(*tables: str) -> bool:
    """False (after showing the "load data first" state) when nothing is published yet or a table the page
    needs is missing or empty; `dim_project` when no tables are named."""
    present = db.tables()
    missing = [name for name in tables or ("dim_project",) if not present.get(name)]
    if present and not missing:
        return True
    with st.container(border=True):
        st.subheader(t("ui.empty_title"))
        st.write(t("ui.empty_body") if not present else t("ui.empty_tables", tables=", ".join(missing)))
        st.page_link(LOAD_DATA_PAGE, label=t("ui.go_load"), icon=":material/upload_file:")
    return False


def kpi(label: str, value: str, *, delta: str | None = None, help: str | None = None,
        unknown_reason: str | None = None, delta_color: str = "normal", delta_description: str | None = None,
        caption: str | None = None) -> None:
    """One KPI tile; with `unknown_reason` it shows grey "unknown" and the reason one click away. `delta` is a
    change (arrow and colour); context that is not a change goes in `caption`."""
    with st.container(border=True, height="stretch"):
        if unknown_reason is None:
            unchanged = bool(delta) and delta.startswith("±")  # type: ignore[union-attr]
            st.metric(label, value, delta=delta, help=help, delta_description=delta_description,
                      delta_color="off" if unchanged else delta_color,  # type: ignore[arg-type]
                      delta_arrow="off" if unchanged else "auto")
        else:
            st.metric(label, t("ui.unknown"), help=help)
            with st.popover(t("ui.why_unknown"), type="tertiary", icon=":material/help:"):
                st.caption(md(unknown_reason))
        if caption:
            st.caption(caption)


def tile(one: Tile) -> None:
    kpi(one.label, one.value, delta=one.delta, help=one.help, unknown_reason=one.unknown_reason,
        delta_color=one.delta_color, delta_description=one.delta_description, caption=one.caption)


TILES_PER_ROW = 5  # more tiles than this wrap into balanced rows (6 -> 3 + 3): labels and values stay whole


def kpis(tiles: list[Tile]) -> None:
    """KPI tiles in a row, or in balanced rows of at most TILES_PER_ROW."""
    rows = -(-len(tiles) // TILES_PER_ROW)
    per_row = -(-len(tiles) // max(rows, 1))
    for start in range(0, len(tiles), per_row):
        row = tiles[start:start + per_row]
        for column, one in zip(st.columns(per_row), row, strict=False):
            with column:
                tile(one)


def rag_counts(label: str, counts: dict[str, int], *, help: str | None = None) -> None:
    """A tile with the number of projects per RAG, each number in its RAG colour (grey = unknown)."""
    with st.container(border=True, height="stretch"):
        st.markdown(label, help=help)
        for column, (rag, colour) in zip(st.columns(len(RAG_COLOURS)), RAG_COLOURS.items(), strict=True):
            column.markdown(f"### :{colour}[{counts.get(rag, 0):,}]\n:{colour}[{t(f'rag.{rag}')}]")


def rag_chip(rag: str | None) -> str:
    """Markdown for an inline RAG badge (the words come from the catalogue, never from data)."""
    rag = rag if rag in RAG_COLOURS else "grey"
    return f":{RAG_COLOURS[rag]}-badge[{t(f'rag.{rag}')}]"


def rag_text(rag: str | None) -> str:
    """'red' -> 'Red' / '红'; grey or missing -> 'Unknown'."""
    return t(f"rag.{rag if rag in RAG_COLOURS else 'grey'}")


def _rag_styled(df: pd.DataFrame, columns: list[str]) -> Any:
    """The frame with its RAG columns shown as coloured words; codes ('red') and words ('Red') alike."""
    words = {code: rag_text(code) for code in RAG_COLOURS}
    codes = {word: code for code, word in words.items()} | {code: code for code in RAG_COLOURS}

    def style(value: object) -> str:
        return f"color: {RAG_HEX[codes.get(value, 'grey')]}; font-weight: 600"  # type: ignore[call-overload]

    return (df.style.format(lambda v: words.get(v, v), subset=columns, na_rep=words["grey"])  # type: ignore[call-overload]
            .map(style, subset=columns))


def open_project(project_id: str) -> None:
    """Switch to Project detail for `project_id`, keeping the filters of the URL."""
    params = {key: st.query_params.get_all(key) for key in st.query_params if key != "project"}
    st.switch_page(PROJECT_PAGE, query_params={**params, "project": project_id})


# --- charts --------------------------------------------------------------------------------------

def chart(fig: Any, *, key: str, **options: Any) -> Any:
    """st.plotly_chart of a figure finished for the screen: its data as text, ticks for the reader's language."""
    return st.plotly_chart(finish(fig, language()), key=key, **options)


# --- tables and downloads ------------------------------------------------------------------------

def table(df: pd.DataFrame, *, key: str, file_stem: str, column_config: dict | None = None,
          column_order: list[str] | None = None, selectable: bool = False,
          missing: str | None = None, wrap: bool = False, empty: str | None = None) -> list[int]:
    """st.dataframe plus CSV and XLSX downloads (built on click, formula-injection neutralised).

    Headers are translated where the catalogue knows the column (t("col.<name>")), codes of a closed vocabulary
    (status, kind, document type …) and the marts' reasons read as words, RAG columns (`rag`, `*_rag`) show
    coloured words, missing values read "n/a" (or `missing`) and numbers read by their column's kind (tables.py:
    shares and percentages as 86.2%, money in its currency). `column_order` puts those columns first (the
    decisive metric beside the name). The screen shows the first SCREEN_ROWS rows (put the worst first) and says how
    many there are.
    The downloads keep every row, with the same headers and words, numbers as numbers, and the page's month and
    filters above the table (XLSX). With `selectable`, a click selects one row and its position is returned; with
    `wrap`, long text (reasons, causes, commentary) wraps over three lines instead of being cut off."""
    if df.empty:  # `empty`: what no rows means here, when it is not the filters
        st.caption(empty or t("ui.no_rows"))
        return []
    shown = tables.display_frame(df.head(SCREEN_ROWS))
    shares = [c for c in shown.columns if str(c) in tables.SHARE_COLUMNS]
    if shares:  # a share reads as a percentage: 0.862 -> 86.2 shown "86.2%"
        shown = shown.assign(**{str(c): pd.to_numeric(shown[c]) * 100 for c in shares})
    rags = [c for c in shown.columns if tables.is_rag(c)]
    if rags:  # a missing RAG reads "Unknown" (grey), like every other unknown RAG, not "n/a"
        shown = shown.assign(**{str(c): shown[c].astype(object).where(shown[c].notna(), "grey") for c in rags})
    order = [*column_order, *(c for c in df.columns if c not in column_order)] if column_order else None
    event = st.dataframe(_rag_styled(shown, rags) if rags else shown, key=key, column_order=order,
                         column_config={**_column_config(df), **(column_config or {})}, hide_index=True,
                         placeholder=missing or t("ui.na"), on_select="rerun" if selectable else "ignore",
                         selection_mode="single-row", row_height=WRAPPED_ROW_PX if wrap else None)
    if len(df) > SCREEN_ROWS:
        st.caption(t("ui.rows_capped", shown=fmt_int(SCREEN_ROWS), total=fmt_int(len(df))))
    if auth.may("analyst"):  # row-level tables leave the dashboard with analysts and admins only
        spec = tables.export(df)
        downloads = st.container(horizontal=True)
        downloads.download_button(t("ui.download_csv"), lambda: tables.to_csv(df, spec), f"{file_stem}.csv",
                                  "text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:",
                                  type="tertiary")
        downloads.download_button(t("ui.download_xlsx"), lambda: tables.to_xlsx(df, spec), f"{file_stem}.xlsx",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  key=f"{key}_xlsx", on_click="ignore", icon=":material/download:", type="tertiary")
    return list(event.selection.rows) if selectable else []  # type: ignore[union-attr]


def _column_config(df: pd.DataFrame) -> dict[str, Any]:
    """Translated headers; dates, timestamps and numbers formatted by their kind for the reader's language."""
    zh, currency = language() == "zh", tables.currency_of(df)
    config: dict[str, Any] = {}
    for column in df.columns:
        name, known = str(column), t(f"col.{column}")
        label = None if known == f"col.{column}" else known
        if pd.api.types.is_datetime64_any_dtype(df[column]):
            if tables.is_date_only(df[column]):
                config[name] = st.column_config.DateColumn(label, format="YYYY年M月D日" if zh else "D MMM YYYY")
            else:
                config[name] = st.column_config.DatetimeColumn(
                    label, format="YYYY年M月D日 HH:mm" if zh else "D MMM YYYY, HH:mm")
        elif name in tables.RATIO_COLUMNS:
            config[name] = st.column_config.NumberColumn(label, format="%.2f")
        elif name in tables.SHARE_COLUMNS or name in tables.PERCENT_COLUMNS:
            config[name] = st.column_config.NumberColumn(label, format="%.1f%%")
        elif name in tables.MONEY_COLUMNS:
            config[name] = st.column_config.NumberColumn(label, format=tables.money_format(currency))
        elif name in tables.HOURS_COLUMNS:
            config[name] = st.column_config.NumberColumn(label, format="%,.1f")
        elif name in tables.WHOLE_COLUMNS:
            config[name] = st.column_config.NumberColumn(label, format="%,.0f")
        elif pd.api.types.is_float_dtype(df[column]):
            config[name] = st.column_config.NumberColumn(label, format="localized")
        elif label:
            config[name] = label
    return config


# --- formats -------------------------------------------------------------------------------------

def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


def is_known(x: Any) -> bool:
    """A value, not NULL / NaN / NaT."""
    return not _missing(x)


def fmt_money(x: Any, currency: str | None = None) -> str:
    """Compact amount with its currency, at least three significant digits so amounts 1-2 % apart never read the
    same: en €2.45 M / €108.1 M / €980.0 k (an ISO code without a symbol follows: 12.0 M CHF); zh €1.08 亿 /
    €245.0 万 / €7,557 万 (a whole number of 万 from a thousand on, so the tile keeps its width)."""
    if _missing(x):
        return t("ui.na")
    value = float(x)
    # (unit size, its name, below this many units show `below` decimals, else `above`)
    steps = (((1e8, "亿", math.inf, 2, 2), (1e4, "万", 1000, 1, 0)) if language() == "zh"
             else ((1e9, "bn", 10, 2, 1), (1e6, "M", 10, 2, 1), (1e3, "k", 10, 2, 1)))
    text = next((f"{value / size:,.{below if abs(value) < cut * size else above}f} {unit}"
                 for size, unit, cut, below, above in steps if abs(value) >= size), f"{value:,.0f}")
    return with_currency(text, currency)


def one_currency(currencies: Any) -> tuple[str | None, str | None]:
    """(the currency, None) when a group's amounts are in one currency (or none is known); (None, the reason a
    sum of them is unknown) when they mix currencies, which are never added silently."""
    found = [str(c) for c in (currencies if currencies is not None else [])]
    if len(found) > 1:
        return None, t("ui.mixed_currencies", currencies=", ".join(found))
    return (found[0] if found else None), None


def change(now: Any, before: Any, pattern: str, *, points: bool = False) -> str | None:
    """A month-over-month change for a tile's delta, e.g. '+0.03' (pattern "{:+.2f}"), '+1.2 pp' for a share
    with `points` (pattern "{:+.1%}"); None when either side is unknown; '±0.00' when nothing moved at the
    shown precision (ui.kpi then shows it grey, without an arrow)."""
    if _missing(now) or _missing(before):
        return None
    text = pattern.format(now - before)
    text = "±" + text[1:] if not any(ch in "123456789" for ch in text) else text
    return text.replace("%", " pp") if points else text


def fmt_int(x: Any) -> str:
    return t("ui.na") if _missing(x) else f"{int(x):,}"


def fmt_pct(x: Any, digits: int = 1) -> str:
    """A share 0..1 as a percentage, 86.2% like every table's (tables.py); `digits=0` only for a configured
    threshold written as configured (above 100%)."""
    return t("ui.na") if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def fmt_ratio(x: Any) -> str:
    return t("ui.na") if _missing(x) else f"{float(x):.2f}"


def fmt_dates(values: pd.Series) -> pd.Series:
    """A column of dates as 31 Oct 2026 / 2026年10月31日 (one language lookup; each distinct date formatted once)."""
    pattern, dates = _date_pattern(), pd.to_datetime(values)
    text = {d: d.strftime(pattern) for d in dates.dropna().unique()}
    return dates.map(text).fillna(t("ui.na")).astype("str")


def _date_pattern() -> str:
    return "%Y年%-m月%-d日" if language() == "zh" else "%-d %b %Y"


def month_label(period: str) -> str:
    """'2026-10' -> 'Oct 2026' / '2026年10月'."""
    if not period:
        return t("ui.na")
    year, month = map(int, period.split("-"))
    return f"{year}年{month}月" if language() == "zh" else date(year, month, 1).strftime("%b %Y")
