"""The dashboard stays up while `pmo ingest` runs in another process, and the next page load shows the new numbers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from browser_support import chromium, dashboard_server, metric_value, open_page, requires_chromium, wait_until_ready

from contract.sources import SOURCES, alias_index, normalise_header

pytestmark = [pytest.mark.browser, requires_chromium]


def extra_project(demo_files: Path, folder: Path) -> Path:
    """A projects export with one more active project, copied from an active demo project."""
    export = next(p for p in sorted(demo_files.iterdir()) if p.stem.startswith("projects"))
    projects = pd.read_excel(export, engine="calamine") if export.suffix == ".xlsx" else pd.read_csv(export)
    aliases = alias_index(SOURCES["projects"])
    projects.columns = [aliases.get(normalise_header(c), c) for c in projects.columns]
    row = projects[projects["status"].str.lower() == "active"].head(1).copy()
    row["project_id"], row["project_name"] = "LIVE-001", "Added while the dashboard runs"
    for column in row.select_dtypes("datetime").columns:
        row[column] = row[column].dt.strftime("%Y-%m-%d")
    path = folder / "projects_live.csv"
    row.to_csv(path, index=False)
    return path


def test_a_load_in_another_process_shows_on_the_next_page_load(demo_db: Path, demo_files: Path,
                                                               tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"  # a private copy: this test writes to it
    warehouse.mkdir()
    shutil.copy2(demo_db, warehouse / demo_db.name)
    shutil.copytree(demo_db.with_name(demo_db.name + ".published"), warehouse / (demo_db.name + ".published"))
    db = warehouse / demo_db.name
    extra = extra_project(demo_files, tmp_path)

    with dashboard_server(db) as url, chromium() as browser:
        page, errors = open_page(browser, url)
        before = int(metric_value(page, "Active projects").replace(",", ""))
        load = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--db", str(db), "ingest", str(extra)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        page.reload()  # while the load runs: the dashboard keeps answering from the published snapshot
        wait_until_ready(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        output, _ = load.communicate(timeout=300)
        assert load.returncode == 0, output
        page.reload()
        wait_until_ready(page)
        assert int(metric_value(page, "Active projects").replace(",", "")) == before + 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not errors, errors
