"""What every chart shares: the RAG palette, the label function type and `finish`, which every figure passes
through on its way to the screen (ui.chart) and into the review pack: its data made text, its ticks localised."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

import numpy as np
import plotly.graph_objects as go

Tr = Callable[..., str]  # i18n.t, passed in by the page so charts stay free of streamlit

RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}
RAGS = tuple(RAG_COLOURS)
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CNY": "¥", "JPY": "¥"}

# Chinese date ticks by zoom level (plotly picks the stop whose dtick range holds the tick spacing, in ms).
_DAY, _MONTH = 86_400_000, "M1"
ZH_DATE_TICKS = (
    {"dtickrange": [None, _DAY], "value": "%-m月%-d日 %H:%M"},
    {"dtickrange": [_DAY, _MONTH], "value": "%-m月%-d日\n%Y年"},
    {"dtickrange": [_MONTH, "M12"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
)


def with_currency(text: str, currency: str | None) -> str:
    """'108.1 M' -> '€108.1 M' / '108.1 M CHF' (a code without a symbol follows the amount)."""
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    return f"{symbol}{text}" if symbol else f"{text} {currency}" if currency else text


def money_axis(currency: str | None) -> dict[str, str]:
    """Axis settings that put the currency's symbol on every tick (€2M); none for a code without a symbol (the
    axis title names it) or mixed currencies."""
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    return {"tickprefix": symbol} if symbol else {}


def second_axis(fig: go.Figure, title: str, **axis: object) -> None:
    """The right-hand y axis of a make_subplots(secondary_y) figure, readable on its own: round ticks from 0 (plotly
    otherwise syncs them to the left axis's grid: 57, 342, 628 …), its whole title, and the legend above the plot
    so it never covers the axis's labels."""
    fig.update_yaxes(title_text=title, secondary_y=True, tickmode="auto", nticks=6, rangemode="tozero",
                     showgrid=False, tickformat=",~r", **axis)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
                      margin={"t": 90})


def threshold_note(text: str, colour: str = "#616161") -> dict[str, object]:
    """add_hline / add_vline arguments that label a threshold line with what it means."""
    return {"annotation_text": text, "annotation_font": {"size": 11, "color": colour}}


def legend_keys(fig: go.Figure, colours: dict[str, str]) -> None:
    """Legend entries (name -> colour square) for colours a trace does not name itself (a heatmap's states, a
    scatter coloured per point)."""
    for name, colour in colours.items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                                 marker={"symbol": "square", "size": 12, "color": colour}))


def finish(fig: go.Figure, lang: str) -> go.Figure:
    """The figure as shown: data strings as text (`as_text`), ticks for the reader's language (`localise`)."""
    return localise(as_text(fig), lang)


# Trace attributes that carry data values into what plotly draws (ticks, labels, legend, hover).
_DATA_ATTRIBUTES = ("x", "y", "z", "text", "hovertext", "customdata", "labels", "parents", "ids", "name",
                    "legendgroup")


def as_text(fig: go.Figure) -> go.Figure:
    """In place: every string value a trace carries is HTML-escaped, so a project called
    '<a href="…">X</a>' is drawn as those characters, never as a link or styled text (plotly renders a subset of
    HTML in labels, ticks, legends and hover, and decodes &lt; &gt; &amp; back to the characters). Templates
    (hovertemplate, texttemplate) are the chart's own and refer to the data by %{…}, never by interpolation;
    titles, axis titles and annotations are escaped whole."""
    for trace in fig.data:
        for attribute in _DATA_ATTRIBUTES:
            value = getattr(trace, attribute, None) if attribute in trace else None
            if value is not None:
                trace[attribute] = _escaped(value)
    axes = [fig.layout[n] for n in fig.layout.to_plotly_json() if n.startswith(("xaxis", "yaxis"))]
    for axis in axes:  # an axis's own list of categories must match its (escaped) values
        for attribute in ("categoryarray", "ticktext"):
            if axis[attribute] is not None:
                axis[attribute] = _escaped(axis[attribute])
    # titles and notes may name a project too; the chart's own text holds no markup (i18n has none)
    for item in (fig.layout.title, fig.layout.title.subtitle, fig.layout.legend.title, *fig.layout.annotations,
                 *(a.title for a in axes)):
        if isinstance(item.text, str):
            item.text = html.escape(item.text, quote=False)
    return fig


def _escaped(value: object) -> object:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OU":
        return np.vectorize(_escaped, otypes=[object])(value) if value.size else value
    if isinstance(value, (tuple, list)):
        return type(value)(_escaped(v) for v in value)
    return value


def localise(fig: go.Figure, lang: str) -> go.Figure:
    """The figure with ticks for the reader's language, in place. Chinese: date axes read 2026年1月 (plotly's own
    ticks are English month names), numbers are written out with thousands separators (plotly's 2M / 3k are
    not read in Chinese, where the tiles use 万 / 亿). English keeps plotly's defaults."""
    if lang != "zh":
        return fig
    dates = _date_axes(fig)
    for name in sorted(dates | {n for n in fig.layout.to_plotly_json() if n.startswith(("xaxis", "yaxis"))}):
        axis = fig.layout[name]
        if name in dates or axis.type == "date":
            axis.update(tickformatstops=list(ZH_DATE_TICKS))
        elif axis.type not in ("category", "multicategory", "log"):
            axis.update(exponentformat="none", separatethousands=True)
    return fig


def _date_axes(fig: go.Figure) -> set[str]:
    """Layout names ('xaxis', 'yaxis2' …) of the axes some trace puts dates on."""
    found = set()
    for trace in fig.data:
        for letter in ("x", "y"):
            values = getattr(trace, letter, None)
            if values is not None and _is_dates(values):
                anchor = getattr(trace, f"{letter}axis", None) or letter  # 'x', 'x2' …
                found.add(f"{letter}axis{anchor[1:]}")
    return found


def _is_dates(values: object) -> bool:
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return True
    first = next((v for v in values if v is not None), None) if isinstance(values, (tuple, list, np.ndarray)) else None
    return isinstance(first, (date, np.datetime64))  # datetime and pd.Timestamp are dates too
