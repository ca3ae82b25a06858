"""MS Project XML (MSPDI: root element `Project` in the http://schemas.microsoft.com/project
namespace) -> one `Schedule`, staged by `formats.schedule`.

What is read, and how:
- project_id: the project's <Name> without a file extension (MS Project writes the file name there),
  else <Title>, else the file name's stem; project_name: <Title>, else <Name>.
- data date: <StatusDate>; else --as-of; else <CurrentDate> (the date the file was current).
- start / finish: <StartDate> / <FinishDate>. budget: the project summary task's (UID 0) baseline
  cost, else its cost; currency: <CurrencyCode>, else the symbol (only £ and € are unambiguous).
- milestones: tasks with <Milestone>1 that are not summaries or null tasks; milestone_id = <UID>
  (stable while tasks are inserted, moved and renumbered; WBS and ID are not); forecast =
  <ActualFinish>, else <Finish>; the file's own baseline = <Baseline> number 0 <Finish>.
- percent complete: the project summary task's <PercentComplete> (MS Project's duration-weighted
  % of the whole project); without a summary task, sum(duration - remaining) / sum(duration) over
  the leaf tasks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

from contract.batch import InputError
from pipelines.formats.schedule import Milestone, Schedule

NS = "http://schemas.microsoft.com/project"
_Q = {"p": NS}
_DURATION = re.compile(r"^-?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
                       r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_SYMBOLS = {"£": "GBP", "€": "EUR"}


def is_mspdi(head: bytes) -> bool:
    """Cheap sniff of a file's first bytes: is the root element an MS Project `Project`?"""
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", "", _text(head), flags=re.DOTALL)
    root = re.match(r"<(?:[\w.-]+:)?Project\b([^>]*)>", text.lstrip("\ufeff \t\r\n"))
    return bool(root and NS in root.group(1))


def declares_dtd(head: bytes) -> bool:
    """Does the XML declare a document type (an inline or external DTD)? Such files are refused: a DTD is how
    entity expansion ("billion laughs") and external fetches get in, and no schedule export needs one."""
    return bool(re.search(r"<!DOCTYPE", re.sub(r"<!--.*?-->", "", _text(head), flags=re.DOTALL), re.IGNORECASE))


def _text(head: bytes) -> str:
    return head.decode("utf-16", errors="ignore") if head.startswith((b"\xff\xfe", b"\xfe\xff")) \
        else head.decode("utf-8", errors="ignore")


def schedules(path: Path, *, as_of: date | None = None) -> list[Schedule]:
    name = path.name
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise InputError(name, "xml_malformed", f"not well-formed XML: {err}", row=err.position[0]) from None
    if root.tag != f"{{{NS}}}Project":
        raise InputError(name, "mspdi_root", "the root element is not an MS Project <Project>", row=1)

    def text(element: ET.Element, tag: str) -> str:
        return (element.findtext(f"p:{tag}", default="", namespaces=_Q) or "").strip()

    tasks = root.findall("p:Tasks/p:Task", _Q)
    summary = next((t for t in tasks if text(t, "UID") == "0" or text(t, "OutlineLevel") == "0"), None)
    milestones, done, planned = [], 0.0, 0.0
    for ordinal, task in enumerate(tasks, start=1):
        if text(task, "IsNull") == "1" or task is summary:
            continue
        is_summary = text(task, "Summary") == "1"
        if text(task, "Milestone") == "1" and not is_summary:
            uid = text(task, "UID")
            if not uid:
                raise InputError(name, "mspdi_value", "milestone task without a UID", row=ordinal, column="Task.UID")
            actual = _date(name, ordinal, "Task.ActualFinish", text(task, "ActualFinish"))
            finish = actual or _date(name, ordinal, "Task.Finish", text(task, "Finish"))
            own = next((_date(name, ordinal, "Task.Baseline.Finish", text(b, "Finish"))
                        for b in task.findall("p:Baseline", _Q) if text(b, "Number") in ("", "0")), None)
            milestones.append(Milestone(uid, text(task, "Name") or f"Task {uid}", finish, actual, own, ordinal))
        elif not is_summary:
            duration = _hours(name, ordinal, "Task.Duration", text(task, "Duration"))
            remaining = _hours(name, ordinal, "Task.RemainingDuration", text(task, "RemainingDuration"))
            if duration > 0:
                planned += duration
                done += min(max(duration - remaining, 0.0), duration)

    if summary is not None and text(summary, "PercentComplete"):
        percent: float | None = _number(name, 0, "Task.PercentComplete", text(summary, "PercentComplete"))
        basis = "% complete of the MS Project summary task (duration-weighted)"
    else:
        percent = round(100 * done / planned, 2) if planned else None
        basis = "duration % complete of the MS Project leaf tasks"
    budget = 0.0
    if summary is not None:
        baseline_cost = next((text(b, "Cost") for b in summary.findall("p:Baseline", _Q)
                              if text(b, "Number") in ("", "0") and text(b, "Cost")), "")
        budget = _number(name, 0, "Task.Cost", baseline_cost or text(summary, "Cost") or "0")
    project_name = text(root, "Name")
    project_id = re.sub(r"\.(mpp|mpx|xml|mpt)$", "", project_name, flags=re.IGNORECASE) or text(root, "Title") \
        or path.stem
    data_date = _date(name, 0, "StatusDate", text(root, "StatusDate")) or as_of \
        or _date(name, 0, "CurrentDate", text(root, "CurrentDate"))
    if data_date is None:
        raise InputError(name, "mspdi_value", "no <StatusDate> or <CurrentDate> and no --as-of given",
                         column="StatusDate")
    currency = text(root, "CurrencyCode") or _SYMBOLS.get(text(root, "CurrencySymbol"))
    return [Schedule(
        kind="MSPDI",
        project_id=project_id,
        project_name=text(root, "Title") or project_name or path.stem,
        data_date=data_date,
        start=_date(name, 0, "StartDate", text(root, "StartDate")),
        finish=_date(name, 0, "FinishDate", text(root, "FinishDate")),
        budget=round(budget, 2),
        currency=currency if budget else None,
        percent_complete=percent,
        percent_basis=basis,
        milestones=milestones,
        row=1,
    )]


def _date(file: str, row: int, column: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise InputError(file, "mspdi_value", f"{value[:40]!r} is not an MSPDI date-time", row=row or None,
                         column=column) from None


def _hours(file: str, row: int, column: str, value: str) -> float:
    """An xsd:duration such as PT400H0M0S -> hours (days count 24 h: only ratios are used)."""
    if not value:
        return 0.0
    match = _DURATION.match(value)
    if not match:
        raise InputError(file, "mspdi_value", f"{value[:40]!r} is not a duration", row=row or None, column=column)
    years, months, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return (years * 365 + months * 30 + days) * 24 + hours + minutes / 60 + seconds / 3600


def _number(file: str, row: int, column: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise InputError(file, "mspdi_value", f"{value[:40]!r} is not a number", row=row or None,
                         column=column) from None
