"""Primavera P6 XER exports -> `Schedule`s (one per PROJECT row), staged by `formats.schedule`.

Why an own reader and not PyP6XER (installed as `xerparser`): PyP6XER decodes the file as UTF-8
with errors ignored, so the cp1252 bytes P6 writes (currency symbols, accented names) vanish
silently, and it keeps parsed objects in class-level lists shared between files. XER is simple:
tab-separated lines, `%T name` starts a table, `%F` names its fields, `%R` is one record, `%E` ends.

What is read, and how (documented for the PMO analyst in pipelines/mappings/README.md):
- project_id: PROJECT.proj_short_name without the copy markers P6 users add to baselines and
  updates (`BL-54069-B2-20250902`, `UP-54069-20251121` -> `54069`), see `stable_project_id`.
- project_name: the name of the project's root WBS node, without a trailing date stamp.
- data date (status report_date, milestones as_of_date): PROJECT.last_recalc_date, never the date
  in the file name (they differ in real exports).
- milestones: activities of type TT_Mile / TT_FinMile; milestone_id = task_code; forecast finish =
  act_end_date, else early_end_date; the file's own baseline stand-in = target_end_date (P6's
  planned finish; an XER carries no baseline, see formats.schedule for how baselines are found).
- percent complete: duration % complete of the project = sum(original - remaining duration) /
  sum(original duration) over the activities that have duration (task- and resource-dependent;
  milestones, level-of-effort and WBS-summary activities excluded), as P6 computes it for
  `CP_Drtn` projects.
- budget: sum of PROJCOST target_cost plus TASKRSRC target_cost; 0 when the schedule is not
  cost-loaded (a valid schedule: the project's BAC then comes from the register, see schedule.py).
The ERMHDR line names the person who exported the file: it is never read into anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from contract.batch import InputError
from pipelines.formats.schedule import Milestone, Schedule

MILESTONE_TYPES = {"TT_Mile", "TT_FinMile"}
NO_DURATION_TYPES = MILESTONE_TYPES | {"TT_LOE", "TT_WBS"}  # excluded from duration % complete

# Leading / trailing tokens of proj_short_name that mark a copy of the project, not the project.
_COPY_PREFIXES = {"BL", "BASE", "BASELINE", "UP", "UPD", "UPDATE", "REV", "SCH", "SCHED", "CURRENT", "CUR"}
_COPY_SUFFIX = re.compile(r"^(\d{8}|\d{6}|\d{4}[.]\d{2}[.]\d{2}|[A-Za-z]\d{1,2}|R(?:EV)?\d+)$", re.IGNORECASE)
_TRAILING_DATE = re.compile(r"[\s_-]*\(?\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}\)?\s*$")


@dataclass
class XerTable:
    name: str
    line: int  # line of the %T record
    fields: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (file line, record)


def decode(raw: bytes) -> str:
    """P6 writes the Windows code page of the exporting machine (cp1252 in practice); newer
    versions can write UTF-8. Strict UTF-8 first, then cp1252, then latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_xer(path: Path) -> dict[str, XerTable]:
    """Every table of the file, by name. Raises InputError (file, line, table) on a malformed file."""
    name = path.name
    text = decode(path.read_bytes())
    lines = text.splitlines()
    if not lines or not lines[0].startswith("ERMHDR"):
        raise InputError(name, "xer_header", "not a Primavera P6 XER export (the first line is not ERMHDR)", row=1)
    tables: dict[str, XerTable] = {}
    current: XerTable | None = None
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        kind, _, rest = line.partition("\t")
        values = rest.split("\t")
        if kind == "%T":
            current = tables.setdefault(values[0].strip(), XerTable(values[0].strip(), number))
        elif kind == "%F":
            if current is None:
                raise InputError(name, "xer_structure", "field list (%F) before any table (%T)", row=number)
            current.fields = [v.strip() for v in values]
        elif kind == "%R":
            if current is None or not current.fields:
                raise InputError(name, "xer_structure", "record (%R) before its table's field list (%F)", row=number)
            if len(values) > len(current.fields):
                raise InputError(name, "xer_structure", f"{len(values)} values for {len(current.fields)} fields",
                                 row=number, column=current.name)
            values += [""] * (len(current.fields) - len(values))
            current.rows.append((number, dict(zip(current.fields, values, strict=True))))
        elif kind == "%E":
            break
        else:
            raise InputError(name, "xer_structure", f"unknown record type {kind[:10]!r}", row=number)
    return tables


def stable_project_id(short_name: str) -> str:
    """`BL-54069-B2-20250902` and `UP-54069-20251121` -> `54069`: strip copy prefixes (BL, UP ...)
    and trailing date / revision tokens (20250902, B2, R3). A name that is nothing but such tokens
    is kept whole."""
    whole = short_name.strip()
    parts = [p for p in re.split(r"[-_\s]+", whole) if p]
    while parts and parts[0].upper() in _COPY_PREFIXES:
        parts.pop(0)
    while parts and _COPY_SUFFIX.match(parts[-1]):
        parts.pop()
    return "-".join(parts) or whole


def schedules(path: Path, *, as_of: date | None = None) -> list[Schedule]:
    """One Schedule per PROJECT record of the XER file."""
    name = path.name
    tables = read_xer(path)
    for required in ("PROJECT", "TASK"):
        if required not in tables or not tables[required].fields:
            raise InputError(name, "xer_structure", f"the export has no {required} table")
    task_fields = set(tables["TASK"].fields)
    for needed in ("proj_id", "task_code", "task_name", "task_type", "early_end_date", "act_end_date"):
        if needed not in task_fields:
            raise InputError(name, "xer_structure", "the TASK table lacks this field", row=tables["TASK"].line,
                             column=f"TASK.{needed}")
    empty = XerTable("", 0)
    wbs, costs, assignments = (tables.get(t, empty) for t in ("PROJWBS", "PROJCOST", "TASKRSRC"))
    out = []
    for line, project in tables["PROJECT"].rows:
        proj_id = project.get("proj_id", "")
        short_name = project.get("proj_short_name", "").strip()
        if not short_name:
            raise InputError(name, "xer_value", "project without a short name (Project ID)", row=line,
                             column="PROJECT.proj_short_name")
        data_date = _date(name, line, "PROJECT.last_recalc_date", project.get("last_recalc_date")) or as_of
        if data_date is None:
            raise InputError(name, "xer_value", "no data date (last_recalc_date) and no --as-of given", row=line,
                             column="PROJECT.last_recalc_date")
        tasks = [(n, t) for n, t in tables["TASK"].rows if t.get("proj_id") == proj_id]
        root = next((r for _, r in wbs.rows if r.get("proj_id") == proj_id and r.get("proj_node_flag") == "Y"), {})
        title = _TRAILING_DATE.sub("", root.get("wbs_name", "")).strip() or short_name
        milestones, starts, finishes = [], [], []
        done = planned = 0.0
        for n, t in tasks:
            start = _date(name, n, "TASK.act_start_date", t.get("act_start_date")) or \
                _date(name, n, "TASK.early_start_date", t.get("early_start_date"))
            actual = _date(name, n, "TASK.act_end_date", t.get("act_end_date"))
            finish = actual or _date(name, n, "TASK.early_end_date", t.get("early_end_date"))
            target = _date(name, n, "TASK.target_end_date", t.get("target_end_date"))
            starts += [start] if start else []
            finishes += [finish] if finish else []
            if t["task_type"] in MILESTONE_TYPES:
                milestones.append(Milestone(t["task_code"].strip(), t["task_name"].strip(), finish or target, actual,
                                            target, n))
            elif t["task_type"] not in NO_DURATION_TYPES:
                original = _number(name, n, "TASK.target_drtn_hr_cnt", t.get("target_drtn_hr_cnt"))
                remaining = _number(name, n, "TASK.remain_drtn_hr_cnt", t.get("remain_drtn_hr_cnt"))
                if original > 0:
                    planned += original
                    done += min(max(original - remaining, 0.0), original)
        scheduled_finish = _date(name, line, "PROJECT.scd_end_date", project.get("scd_end_date"))
        budget = sum(_number(name, n, f"{table}.target_cost", r.get("target_cost"))
                     for table, rows in (("PROJCOST", costs.rows), ("TASKRSRC", assignments.rows))
                     for n, r in rows if r.get("proj_id") == proj_id)
        out.append(Schedule(
            kind="P6",
            project_id=stable_project_id(short_name),
            project_name=title,
            data_date=data_date,
            start=min(starts) if starts else None,
            finish=scheduled_finish or (max(finishes) if finishes else None),
            budget=round(budget, 2),
            currency=None,
            percent_complete=round(100 * done / planned, 2) if planned else None,
            percent_basis="duration % complete of the P6 activities",
            milestones=milestones,
            row=line,
        ))
    if not out:
        raise InputError(name, "xer_structure", "the PROJECT table has no records")
    return out


def _date(file: str, line: int, column: str, text: str | None) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InputError(file, "xer_value", f"{text[:40]!r} is not a P6 date (YYYY-MM-DD HH:MM)", row=line, column=column)


def _number(file: str, line: int, column: str, text: str | None) -> float:
    text = (text or "").strip()
    if not text:
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise InputError(file, "xer_value", f"{text[:40]!r} is not a number", row=line, column=column) from None
