"""UI text in English and Simplified Chinese: `t(key)` in the language chosen in the sidebar (URL `lang=`).

The text itself is in the catalogue files (dashboard/catalogue.py, dashboard/locales/*.json). Data values are
never translated, except the codes of a closed vocabulary (CODE_COLUMNS: status, kind, document type …) and the
marts' reasons (reasons()). An unknown key comes back as the key itself, so a missing string is visible, never a
crash.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import streamlit as st

from dashboard.catalogue import LANGUAGES, TEXT

LANG_KEY = "lang"  # the language switch's widget key and URL query parameter

EN, ZH = TEXT["en"], TEXT["zh"]


# Column -> catalogue prefix of its closed vocabulary (contract/sources.py `allowed`, mart bands and states):
# tables show (and download) t(f"{prefix}.{code}") for a known code, the value as loaded otherwise.
CODE_COLUMNS = {
    "status": "status", "decision": "chg.decision", "kind": "iss.kind", "document_type": "doc.type",
    "state": "doc.state", "lifecycle_stage": "stage", "band": "risk.band", "band_before": "risk.band",
    "band_after": "risk.band", "priority": "priority", "result": "result", "severity": "severity",
    "allocation": "res.allocation", "change": "risk.change", "last_status": "status", "change_type": "chg.type",
    "source": "src", "category": "cat", "approval_status": "doc.approval", "band_change": "risk.change",
    "level": "evm.level",
}


def code_label(column: str, code: object) -> str:
    """The word for a code of `column`'s closed vocabulary, or the value as it came."""
    prefix = CODE_COLUMNS.get(column)
    key = f"{prefix}.{code}"
    return TEXT[language()].get(key) or TEXT["en"].get(key) or str(code) if prefix else str(code)


def language() -> str:
    """The sidebar's language; on a session's first run, before the switch renders, the URL's `lang=`."""
    lang = st.session_state.get(LANG_KEY) or st.query_params.get(LANG_KEY)
    return lang if lang in LANGUAGES else "en"


def t(key: str, **fmt: Any) -> str:
    """Text for `key` in the current language (English, then the key itself, when missing)."""
    text = TEXT[language()].get(key) or TEXT["en"].get(key, key)
    return text.format(**fmt) if fmt else text



def reasons(text: Any) -> Any:
    """A mart's reason text ("no budget plan (BAC unknown); status report stale (64 days old)") in the reader's
    language: each part the catalogue's why.* entries know is translated, anything else is kept as written."""
    if not isinstance(text, str) or language() == "en":
        return text
    return "；".join(_reason(part) for part in text.split("; "))


def _reason(part: str) -> str:
    for key, pattern in _reason_patterns():
        if found := pattern.fullmatch(part):
            return t(key, **found.groupdict())
    return part


@cache
def _reason_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each why.* entry's English words as a pattern, its {placeholders} as named groups."""
    return tuple((key, re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(text))))
                 for key, text in TEXT["en"].items() if key.startswith("why."))
