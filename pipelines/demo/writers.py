"""Byte-for-byte reproducible CSV and XLSX writers (no clock, fixed workbook dates, stable row order)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from pipelines.demo.dates import TODAY

WORKBOOK_DATE = datetime(TODAY.year, TODAY.month, TODAY.day, 18, 0, 0)  # stamped as created and modified


def _text_dates(frame: pd.DataFrame, fmt: str = "%Y-%m-%d") -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.strftime(fmt)
        elif values.dtype == object and values.map(lambda v: isinstance(v, date)).any():
            out[col] = values.map(lambda v: v.strftime(fmt) if isinstance(v, date) else v)
    return out


def write_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8", sep: str = ",",
              date_format: str = "%Y-%m-%d", header: list[str] | None = None) -> Path:
    """CSV with ISO dates (or `date_format`), blanks for missing values, '\\n' line ends."""
    _text_dates(frame, date_format).to_csv(path, index=False, sep=sep, encoding=encoding, lineterminator="\n",
                                           header=header or True, float_format="%.10g")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, *, sheet: str, header: list[str]) -> Path:
    """One-sheet workbook with real date, number and boolean cells, as an export from a PM tool looks."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                               "default_date_format": "yyyy-mm-dd"})
    workbook.set_properties({"created": WORKBOOK_DATE, "author": "PMO", "company": "Demo Corp"})
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    ws = workbook.add_worksheet(sheet)
    ws.freeze_panes(1, 0)
    for c, name in enumerate(header):
        ws.write_string(0, c, name, bold)
        ws.set_column(c, c, max(12, len(name) + 2))
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or (
                    isinstance(value, str) and not value):
                continue
            if isinstance(value, (bool, np.bool_)):
                ws.write_boolean(r, c, bool(value))
            elif isinstance(value, (datetime, date, np.datetime64)):
                day = pd.Timestamp(value).date()
                ws.write_datetime(r, c, datetime(day.year, day.month, day.day), dates)
            elif isinstance(value, (int, float, np.integer, np.floating)):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, str(value))
    workbook.close()
    return path
