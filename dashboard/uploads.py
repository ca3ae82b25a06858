"""Files uploaded in the browser go through the same gate as the CLI: saved under <db>.uploads/<timestamp>/,
then `pmo ingest --json` runs in a separate process (great-expectations never loads into the Streamlit process,
and a crash there cannot take the dashboard down): a fork of one warm worker (pipelines/worker.py), which has
imported great-expectations once. The next data_version() then shows the new snapshot.

Each file is stored under its name plus a tag of its content's sha256 (timesheets.csv ->
timesheets.upload-kfajblcp.csv): two people's different files of the same name are two loads, never one
replacing the other as a "corrected export" of the same name (pipelines/ingest.py rule 2). Upload folders older
than [uploads] keep_days are deleted when the next upload is saved, and an upload that would take the folder over
[uploads] max_total_bytes is refused (pmo.toml)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from contract import settings
from contract.files import ACCEPTED

# what `pmo ingest` reads: the readers' tables, plus P6 XER and MS Project XML schedules
EXTENSIONS = tuple(sorted(s.lstrip(".") for s in ACCEPTED))


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
    """`<db>.uploads/` beside the warehouse the dashboard serves (like its .published and .frozen folders)."""
    db = settings.db_path()
    return db.with_name(db.name + ".uploads")


class UploadRefused(Exception):
    """An upload over a size limit; nothing of it was saved. `file` names the file over max_file_bytes, None when
    the whole upload would take the folder over max_total_bytes."""

    def __init__(self, used: int, incoming: int, cap: int, file: str | None = None):
        self.used, self.incoming, self.cap, self.file = used, incoming, cap, file
        super().__init__(f"{file or 'the upload'}: {incoming:,} bytes, over the limit of {cap:,}")


def save(files: Sequence[Upload], now: datetime | None = None) -> Path:
    """Write the uploads into a new timestamped folder, each under its base name tagged with its content hash,
    after deleting upload folders older than [uploads] keep_days."""
    limits, now = settings.config()["uploads"], now or datetime.now()
    root = uploads_dir()
    clean(root, now - timedelta(days=int(limits["keep_days"])))
    for upload in files:
        if (size := len(upload.getvalue())) > int(limits["max_file_bytes"]):
            raise UploadRefused(0, size, int(limits["max_file_bytes"]), Path(upload.name).name)
    incoming = sum(len(upload.getvalue()) for upload in files)
    used = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) if root.is_dir() else 0
    if used + incoming > int(limits["max_total_bytes"]):
        raise UploadRefused(used, incoming, int(limits["max_total_bytes"]))
    folder = root / now.strftime(FOLDER_TIME)
    folder.mkdir(parents=True)
    for upload in files:
        data = upload.getvalue()
        (folder / stored_name(upload.name, data)).write_bytes(data)
    return folder


FOLDER_TIME = "%Y%m%d-%H%M%S-%f"
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")  # no digits: never read as a date in the name


def stored_name(name: str, data: bytes) -> str:
    """'timesheets_2026-10-31.csv' -> 'timesheets_2026-10-31.upload-kfajblcp.csv' (the base name only)."""
    base = Path(Path(name).name)
    tag = hashlib.sha256(data).hexdigest()[:8].translate(_DIGITS_AS_LETTERS)
    return f"{base.stem}.upload-{tag}{base.suffix}"


def original_name(stored: str) -> str:
    """The name the file had when it was uploaded."""
    return re.sub(r"\.upload-[a-p]{8}(?=\.[^.]*$|$)", "", stored)


def clean(root: Path, before: datetime) -> list[Path]:
    """Delete the upload folders saved before `before` (their loads stay in the load log, with each file's
    sha256); returns them."""
    gone = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            saved = datetime.strptime(folder.name, FOLDER_TIME)
        except ValueError:  # not an upload folder: never ours to delete
            continue
        if saved < before:
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder)
    return gone


def ingest(folder: Path, *, source: str | None, as_of: date | None, strict: bool, baseline: bool) -> IngestRun:
    """Run `pmo ingest --json` on the saved files in the warm worker and collect its report."""
    argv = ["--db", str(settings.db_path()), "ingest", *map(str, sorted(folder.iterdir())), "--json"]
    if source:
        argv += ["--source", source]
    if as_of:
        argv += ["--as-of", as_of.isoformat()]
    argv += ["--strict"] * strict + ["--baseline"] * baseline
    done = WORKER.run(argv)
    output = without_paths((done["stdout"] + done["stderr"]).strip())  # shown in the browser: no server paths
    return IngestRun(folder, int(done["returncode"]), _json_report(done["stdout"]), output)


class Worker:
    """The dashboard process's one `python -m pipelines.worker`, started on first use and again when it is gone;
    one command at a time (a load waits for the warehouse's writer lock anyway)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def run(self, argv: list[str]) -> dict:
        """`pmo <argv>` in a fork of the worker, with this process's environment: returncode, stdout, stderr."""
        job = json.dumps({"argv": argv, "env": dict(os.environ)}) + "\n"
        with self.lock:
            for _attempt in range(2):  # a worker that died (killed, out of memory) is started again once
                if self.process is None or self.process.poll() is not None:
                    self.process = subprocess.Popen([sys.executable, "-m", "pipelines.worker"], text=True,
                                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                    cwd=settings.PROJECT_ROOT, env=os.environ.copy())
                try:
                    self.process.stdin.write(job)  # type: ignore[union-attr]
                    self.process.stdin.flush()  # type: ignore[union-attr]
                    if reply := self.process.stdout.readline():  # type: ignore[union-attr]
                        return json.loads(reply)
                except (BrokenPipeError, ValueError):  # gone, or it wrote something that is not its answer
                    pass
                self.process.kill()
                self.process = None
        return {"returncode": 1, "stdout": "", "stderr": "the loading process stopped unexpectedly; try again"}


WORKER = Worker()


_SERVER_PATH = re.compile(r"(?<![\w.~])/(?:[^\s/'\"`:,;]+/)+([^\s/'\"`:,;]*)")


def without_paths(text: str) -> str:
    """`text` with every absolute path cut to its last part (/srv/pmo/data/uploads/x/a.csv -> a.csv)."""
    return _SERVER_PATH.sub(r"\1", text)


def _json_report(stdout: str) -> list[dict]:
    """The JSON list `--json` prints (after any progress text); empty when there is none."""
    start = re.search(r"^\[", stdout, re.MULTILINE)
    try:
        report = json.loads(stdout[start.start():]) if start else []
    except json.JSONDecodeError:
        return []
    return report if isinstance(report, list) else []
