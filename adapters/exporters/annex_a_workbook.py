"""The Annex A workbook: one sheet per list, and its check against the data map."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from adapters.exporters import annex_a_spec as spec

Row = dict[str, Any]


def write_workbook(lists: dict[str, list[Row]], out: Path) -> None:
    """One sheet per list, headings in the first row, dates as dd/mm/yyyy date cells."""
    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    for name, headings in spec.LISTS.items():
        sheet = book.create_sheet(name)
        sheet.append(headings)
        for row in lists.get(name, []):
            unknown = set(row) - set(headings)
            if unknown:  # a column the data map does not have: a bug here, never written
                raise ValueError(f"{name}: no such column in the data map: {sorted(unknown)}")
            sheet.append([row.get(h) for h in headings])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)


def check_workbook(path: Path) -> list[str]:
    """Problems with a workbook against the data map: headings, codes, blanks, dates."""
    problems: list[str] = []
    book = load_workbook(path, read_only=True)
    for name, headings in spec.LISTS.items():
        if name not in book.sheetnames:
            problems.append(f"{name}: sheet missing")
            continue
        rows = list(book[name].iter_rows(values_only=True))
        if not rows or list(rows[0]) != headings:
            problems.append(f"{name}: headings differ from the data map")
            continue
        for number, values in enumerate(rows[1:], start=2):
            for heading, value in zip(headings, values, strict=True):
                where = f"{name} row {number} {heading!r}"
                if value is None or value == "":
                    if heading in spec.NOT_BLANK[name]:
                        problems.append(f"{where}: blank, the data map says it cannot be")
                    continue
                codes = spec.CATEGORIES.get(heading)
                if codes is not None and value not in codes:
                    problems.append(f"{where}: {value!r} is not one of the data map's codes")
                if heading.startswith(spec.DATE_WORDS) and not hasattr(value, "year"):
                    problems.append(f"{where}: not a date")
    book.close()
    return problems
