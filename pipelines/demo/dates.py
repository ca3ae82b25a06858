"""The demo's calendar: a fixed 'today', month arithmetic, working days and the seeded random streams.

Months are handled as absolute month numbers (`year * 12 + month - 1`) so that "three months later" is `m + 3`.
Nothing here reads the clock: the demo portfolio is always as it stood on TODAY.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import numpy as np

TODAY = date(2026, 10, 31)  # the demo's fixed "today" (a Saturday: the last working day is Fri 30 Oct)


def month_of(d: date) -> int:
    return d.year * 12 + d.month - 1


M0 = month_of(date(2024, 11, 1))  # first month of history
M_TODAY = month_of(TODAY)  # 2026-10, the last (complete) month
HISTORY_MONTHS = tuple(range(M0, M_TODAY + 1))  # 24 months, 2024-11 .. 2026-10
RECENT_MONTHS = HISTORY_MONTHS[-6:]  # written one file per month; the earlier ones go to one backfill file

# Public holidays of the demo company (a generic Western European calendar).
HOLIDAYS = frozenset(date.fromisoformat(d) for d in (
    "2024-12-25", "2024-12-26", "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29",
    "2025-12-25", "2025-12-26", "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
))


def first_day(m: int) -> date:
    return date(m // 12, m % 12 + 1, 1)


def last_day(m: int) -> date:
    return first_day(m + 1) - timedelta(days=1)


def days_in(m: int) -> int:
    return (first_day(m + 1) - first_day(m)).days


def period(m: int) -> str:
    """'YYYY-MM' of an absolute month."""
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def date_at(x: float) -> date:
    """The calendar day reached after `x` months, counted on absolute months (m.0 = end of month m-1)."""
    m = int(np.floor(x))
    return first_day(m) + timedelta(days=round((x - m) * days_in(m)) - 1)


def is_workday(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def workday_on_or_before(d: date) -> date:
    while not is_workday(d):
        d -= timedelta(days=1)
    return d


def workday_on_or_after(d: date) -> date:
    while not is_workday(d):
        d += timedelta(days=1)
    return d


def first_workday(m: int) -> date:
    return workday_on_or_after(first_day(m))


def last_workday(m: int) -> date:
    return workday_on_or_before(min(last_day(m), TODAY))


def workdays(start: date, end: date) -> np.ndarray:
    """Working days start..end inclusive, as datetime64[D]."""
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (3)
    holidays = np.array(sorted(HOLIDAYS), dtype="datetime64[D]")
    return days[(weekday < 5) & ~np.isin(days, holidays)]


def random_workday(rng: np.random.Generator, m: int, *, not_before: date | None = None,
                   not_after: date | None = None) -> date:
    """A working day of month m within the optional bounds (clamped to the bounds when none fits)."""
    lo = max(first_day(m), not_before or first_day(m))
    hi = min(last_day(m), not_after or last_day(m), TODAY)
    if lo > hi:
        return min(hi, TODAY)
    days = workdays(lo, hi)
    if days.size == 0:
        return hi
    return days[int(rng.integers(days.size))].astype(date)


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """An independent random stream per purpose, so that changing one part leaves the others as they were."""
    return np.random.default_rng([seed, *(zlib.crc32(str(k).encode()) for k in keys)])


def iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()
