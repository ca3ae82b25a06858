"""Where things live and the one configuration file, resolved at call time (tests override via env)."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_ROOT / "data" / "warehouse" / "pmo.duckdb"
DEFAULT_CONFIG = PROJECT_ROOT / "pmo.toml"


def db_path() -> Path:
    """The warehouse file: `PMO_DB` if set, else data/warehouse/pmo.duckdb."""
    return Path(os.environ.get("PMO_DB") or DEFAULT_DB)


def config_path() -> Path:
    return Path(os.environ.get("PMO_CONFIG") or DEFAULT_CONFIG)


def config() -> dict[str, Any]:
    """The parsed configuration file (re-read when the file changes)."""
    path = config_path()
    return _load_config(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)  # keyed by (path, mtime): an edited file is read again
def _load_config(path: Path, _mtime: int) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)
