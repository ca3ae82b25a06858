"""Files uploaded in the browser go through the same gate as the CLI: saved under data/uploads/<timestamp>/,
then `pmo ingest --json` runs in a separate process (great-expectations never loads into the Streamlit process,
and a crash there cannot take the dashboard down). The next data_version() then shows the new snapshot."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from pipelines import settings
from pipelines.readers import EXCEL_FILES, PARQUET_FILES, TEXT_FILES

# what `pmo ingest` reads: the readers' tables, plus P6 XER and MS Project XML schedules
EXTENSIONS = tuple(sorted(s.lstrip(".") for s in (*TEXT_FILES, *EXCEL_FILES, *PARQUET_FILES, ".xer", ".xml")))


class Upload(Protocol):
    name: str

    def getvalue(self) -> bytes: ...


@dataclass
class IngestRun:
    folder: Path
    returncode: int
    results: list[dict] = field(default_factory=list)  # one per file and source, as `pmo ingest --json` prints
    output: str = ""  # everything the command printed (shown when there is no JSON)


def uploads_dir() -> Path:
    return Path(os.environ.get("PMO_UPLOADS") or settings.PROJECT_ROOT / "data" / "uploads")


def save(files: Sequence[Upload]) -> Path:
    """Write the uploads into a new timestamped folder, keeping only each file's base name."""
    folder = uploads_dir() / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder.mkdir(parents=True)
    for upload in files:
        (folder / Path(upload.name).name).write_bytes(upload.getvalue())
    return folder


def ingest(folder: Path, *, source: str | None, as_of: date | None, strict: bool, baseline: bool) -> IngestRun:
    """Run `pmo ingest --json` on the saved files in a subprocess and collect its report."""
    command = [sys.executable, "-m", "pipelines.cli", "ingest", *map(str, sorted(folder.iterdir())), "--json"]
    if source:
        command += ["--source", source]
    if as_of:
        command += ["--as-of", as_of.isoformat()]
    command += ["--strict"] * strict + ["--baseline"] * baseline
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), cwd=settings.PROJECT_ROOT)
    output = (done.stdout + done.stderr).strip()
    return IngestRun(folder, done.returncode, _json_report(done.stdout), output)


def _json_report(stdout: str) -> list[dict]:
    """The JSON list `--json` prints (after any progress text); empty when there is none."""
    start = re.search(r"^\[", stdout, re.MULTILINE)
    try:
        report = json.loads(stdout[start.start():]) if start else []
    except json.JSONDecodeError:
        return []
    return report if isinstance(report, list) else []
