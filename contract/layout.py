"""Where the warehouse's other files live, beside it: the published snapshots the dashboard reads (and the
pointer to the current one) and the frozen months. The writer (pipelines.warehouse, pipelines.freeze) and the
readers (dashboard.db) find them here."""

from __future__ import annotations

from pathlib import Path


def published_dir(path: Path) -> Path:
    return path.with_name(path.name + ".published")


def current_snapshot(path: Path) -> tuple[int, Path] | None:
    """(version, file) of the newest published snapshot, or None before the first build."""
    pointer = published_dir(path) / "CURRENT"
    try:
        version = int(pointer.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return version, published_dir(path) / f"v{version}.duckdb"


def frozen_dir(db: Path) -> Path:
    """The frozen months' files of the warehouse `db`."""
    return db.with_name(db.name + ".frozen")
