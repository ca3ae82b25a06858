"""The UI text catalogue: one file per language, `dashboard/locales/<lang>.json`, loaded once.

Each file is a flat JSON object of "key": "text" (the format translation tools read as key-value JSON);
{placeholders} use Python's format syntax and must match across languages. Keys are grouped by prefix: page.*
titles, ov.* overview, col.* column headers, why.* the marts' reasons (matched back by dashboard.i18n.reasons),
and one prefix per closed vocabulary (status.*, chg.type.*, src.* …, see dashboard.i18n.CODE_COLUMNS). This module
is pure data, free of streamlit, so chart builders can default to English through `english()`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = {"en": "English", "zh": "简体中文"}
TEXT: dict[str, dict[str, str]] = {
    lang: json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8")) for lang in LANGUAGES}


def english(key: str, **fmt: Any) -> str:
    """English text for `key` (the key itself when unknown), formatted with `fmt`."""
    text = TEXT["en"].get(key, key)
    return text.format(**fmt) if fmt else text


def value_label(tr: Callable[..., str], prefix: str, value: object) -> str:
    """Label of a data value (stage, document type …): the catalogue's text for `prefix.value` when there is one,
    else the value as it came (data values are open vocabularies)."""
    key = f"{prefix}.{value}"
    text = tr(key)
    return str(value) if text == key else text
