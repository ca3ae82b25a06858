"""Shared fixtures: a real warehouse in a temp folder, built by the real pipeline.

`demo_db` is built once per test run by `pmo demo` (shared by the xdist workers through a file lock)
and must be treated as read-only; tests that load more data use `warehouse_db`, an empty warehouse
of their own.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from pipelines.cli import main as pmo

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "samples"


@contextmanager
def warehouse_at(db: Path) -> Iterator[Path]:
    """The one way a test points `pmo` and the dashboard at a warehouse: PMO_DB is `db` inside the block, and as
    it was after it (module fixtures use it directly, tests through `use_warehouse`)."""
    previous = os.environ.get("PMO_DB")
    os.environ["PMO_DB"] = str(db)
    try:
        yield db
    finally:
        if previous is None:
            os.environ.pop("PMO_DB", None)
        else:
            os.environ["PMO_DB"] = previous


@pytest.fixture
def use_warehouse() -> Iterator[Callable[[Path], Path]]:
    """`use_warehouse(db)`: PMO_DB is `db` until the test ends."""
    with ExitStack() as stack:
        yield lambda db: stack.enter_context(warehouse_at(db))


@pytest.fixture
def warehouse_db(tmp_path: Path, use_warehouse: Callable[[Path], Path]) -> Path:
    """PMO_DB pointing at a fresh, not yet created warehouse in this test's temp folder."""
    return use_warehouse(tmp_path / "warehouse" / "pmo.duckdb")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portfolio loaded by `pmo demo`; PMO_DB points at it for the whole session."""
    run_root = tmp_path_factory.getbasetemp()  # pytest-N/ of this run; xdist workers get pytest-N/popen-gwK/
    shared = (run_root.parent if os.environ.get("PYTEST_XDIST_WORKER") else run_root) / "demo-warehouse"
    shared.mkdir(exist_ok=True)
    db = shared / "pmo.duckdb"
    with (shared / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "READY").exists():
            shutil.rmtree(shared / "files", ignore_errors=True)
            os.environ["PMO_DB"] = str(db)
            assert pmo(["demo", "--out", str(shared / "files")]) == 0, "pmo demo failed"
            (shared / "READY").touch()
    os.environ["PMO_DB"] = str(db)
    return db


@pytest.fixture(scope="session")
def demo_files(demo_db: Path) -> Path:
    """The folder of files `pmo demo` generated (read-only)."""
    return demo_db.parent / "files"


@pytest.fixture
def samples() -> Path:
    """The real third-party exports beside the project; skipped cleanly in a clone without them."""
    if not SAMPLES.is_dir():
        pytest.skip(f"real sample exports not found at {SAMPLES} (they live beside the project, not in it)")
    return SAMPLES


@pytest.fixture
def edited_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], None]:
    """`edit({old: new, ...})`: PMO_CONFIG becomes a copy of pmo.toml with each `old` text replaced by `new`. An
    `old` the file does not hold exactly once fails the test: an edit that changed nothing would test nothing."""
    def edit(replacements: dict[str, str]) -> None:
        text = (REPO / "pmo.toml").read_text(encoding="utf-8")
        for old, new in replacements.items():
            assert text.count(old) == 1, f"pmo.toml holds {old!r} {text.count(old)} times, not once"
            text = text.replace(old, new)
        config = tmp_path / "edited-pmo.toml"
        config.write_text(text, encoding="utf-8")
        monkeypatch.setenv("PMO_CONFIG", str(config))

    return edit
