"""What every chart shares: the RAG palette and the label function type."""

from __future__ import annotations

from collections.abc import Callable

Tr = Callable[..., str]  # i18n.t, passed in by the page so charts stay free of streamlit

RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}
RAGS = tuple(RAG_COLOURS)
