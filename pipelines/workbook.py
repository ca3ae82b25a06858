"""Workbooks (XLSX, XLSM, XLSB, XLS, ODS) read safely.

A workbook is a zip of XML: 2 MB on disk can be gigabytes decompressed. So before anything is decompressed its zip
directory is checked against [limits] in pmo.toml (total uncompressed bytes, and the cell count the largest
sheet's <dimension> declares). Then calamine, native code, reads the sheet in a child process with a memory
cap, which writes the cells as text to a Parquet file: a bomb that passes the directory check runs out of its own
memory, and a crash of the reader (a Rust abort) is a refused file with a message, never a dead `pmo` process.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from contract import settings
from contract.batch import InputError
from contract.sources import dedupe_headers

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_REFUSED = 3  # the child's exit code when it refuses the file; stdout holds {"rule": ..., "detail": ...}


def read_sheet(path: Path, sheet: str | None, folder: Path) -> Path:
    """`sheet` (default: the first visible) as `folder`/sheet.parquet, every cell text, the header row deduped."""
    limits = settings.config()["limits"]
    check_directory(path, int(limits["workbook_max_uncompressed_bytes"]), int(limits["workbook_max_cells"]))
    out = folder / "sheet.parquet"
    memory, seconds = int(limits["workbook_reader_memory_bytes"]), int(limits["workbook_reader_seconds"])
    command = [sys.executable, "-m", "pipelines.workbook", str(memory), str(path), sheet or "", str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise InputError(path.name, "workbook_too_large",
                         f"reading it took over {seconds} s ([limits] workbook_reader_seconds)") from None
    if done.returncode == _REFUSED:
        refused = json.loads(done.stdout)
        raise InputError(path.name, refused["rule"], refused["detail"])
    if done.returncode != 0 or not out.is_file():
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
        raise InputError(path.name, "unreadable_file", f"the workbook reader stopped ({how}) within its memory "
                         f"cap of {memory:,} bytes ([limits] workbook_reader_memory_bytes): the workbook is "
                         "damaged or too large; save it again, or as CSV")
    return out


def check_directory(path: Path, max_bytes: int, max_cells: int) -> None:
    """Refuse a zipped workbook whose directory declares more than `max_bytes` uncompressed, or a sheet of more
    than `max_cells` cells. Legacy .xls (not a zip) is bounded by the reader's memory cap alone."""
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            total = sum(m.file_size for m in members)
            if total > max_bytes:
                raise InputError(path.name, "workbook_too_large",
                                 f"it unpacks to {total:,} bytes, over the limit of {max_bytes:,} "
                                 "([limits] workbook_max_uncompressed_bytes)")
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    with book.open(member) as sheet_xml:
                        cells = _declared_cells(sheet_xml.read(4096))
                    if cells > max_cells:
                        raise InputError(path.name, "workbook_too_large",
                                         f"sheet {Path(member.filename).stem} declares {cells:,} cells, over the "
                                         f"limit of {max_cells:,} ([limits] workbook_max_cells)")
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise InputError(path.name, "unreadable_file", f"not a readable workbook ({err})") from None


def _declared_cells(head: bytes) -> int:
    """Cells of the range a sheet's <dimension ref="A1:Z300"/> declares (0 when it declares none)."""
    found = _DIMENSION.search(head)
    if not found or not found[3]:
        return 0
    return (int(found[4]) - int(found[2]) + 1) * (_column_number(found[3]) - _column_number(found[1]) + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would hold: ISO dates, integers without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_sheet(path: Path, sheet: str | None, out: Path) -> None:
    """In the child: read the sheet with calamine and write its cells as text to `out`."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import python_calamine

    try:
        with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
            if sheet is not None and sheet not in book.sheet_names:
                raise InputError(path.name, "sheet_missing",
                                 f"no sheet {sheet!r}; sheets: {', '.join(book.sheet_names)}")
            visible = [m.name for m in book.sheets_metadata if m.visible == python_calamine.SheetVisibleEnum.Visible]
            sheet = sheet or (visible or book.sheet_names)[0]
            grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
    except python_calamine.PasswordError:
        raise InputError(path.name, "unreadable_file", "the workbook is password-protected") from None
    except (python_calamine.CalamineError, ValueError) as err:
        raise InputError(path.name, "unreadable_file",
                         f"not a readable workbook ({str(err).strip().splitlines()[0]})") from None
    top = next((i for i, row in enumerate(grid) if any(_cell_text(v) for v in row)), None)
    if top is None:
        raise InputError(path.name, "empty_file", f"sheet {sheet!r} is empty")
    headers, data = dedupe_headers([_cell_text(v) or "" for v in grid[top]]), grid[top + 1:]
    pq.write_table(pa.table({h: pa.array([_cell_text(r[i]) if i < len(r) else None for r in data], pa.string())
                             for i, h in enumerate(headers)}), out)


def main(argv: list[str]) -> int:
    """The child: cap its own address space, then read. Exit 0 written, 3 refused (the reason on stdout)."""
    memory, path, sheet, out = argv
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    try:
        _write_sheet(Path(path), sheet or None, Path(out))
    except InputError as err:
        print(json.dumps({"rule": err.rule, "detail": err.detail}))
        return _REFUSED
    except MemoryError:
        print(json.dumps({"rule": "workbook_too_large", "detail": "reading it needs more memory than the cap "
                                                                  "[limits] workbook_reader_memory_bytes allows"}))
        return _REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
