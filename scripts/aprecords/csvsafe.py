"""CSV the tool writes is safe to open in a spreadsheet (no cell is run as a formula).

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or
``@`` (and, in some, a tab or carriage return) as a formula: a pupil's name typed as
``=HYPERLINK(...)`` would become a link that sends what the sheet holds elsewhere, or worse.
Following OWASP's advice on CSV injection, every cell is written in double quotes (so a
separator or quote inside a value never starts a new cell, whatever separator the reader's
spreadsheet expects) and a text cell that begins with one of those characters is given a
leading apostrophe, which makes spreadsheets show it as text. Values in ``keep`` (the
register's own mark codes: ``-`` is "no session") are written as they are, so a filled
template still imports unchanged; a lone ``-`` is no formula.

Every CSV writer of the package goes through :func:`writer` or :func:`dict_writer`.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TextIO

RISKY = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet read a cell as a formula when they come first."""


def neutral(value: Any, keep: Collection[str] = ()) -> str:
    """``value`` as the text of one cell, with a leading apostrophe when it would be read as
    a formula (``None`` is an empty cell; values in ``keep`` are left as they are)."""
    text = "" if value is None else str(value)
    if text.startswith(RISKY) and text not in keep:
        return "'" + text
    return text


class Writer:
    """``csv.writer`` with every cell quoted and neutralised (:func:`neutral`)."""

    def __init__(self, out: TextIO, keep: Collection[str] = ()) -> None:
        self._writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        self.keep = frozenset(keep)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutral(value, self.keep) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter(Writer):
    """``csv.DictWriter`` with every cell quoted and neutralised (missing keys: empty)."""

    def __init__(self, out: TextIO, fieldnames: Iterable[str], keep: Collection[str] = ()):
        super().__init__(out, keep)
        self.fieldnames = list(fieldnames)

    def writeheader(self) -> None:
        self.writerow(self.fieldnames)

    def writerow_dict(self, row: Mapping[str, Any]) -> None:
        self.writerow([row.get(name) for name in self.fieldnames])

    def writerows_dict(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow_dict(row)


def writer(out: TextIO, keep: Collection[str] = ()) -> Writer:
    """A CSV writer whose cells no spreadsheet runs as formulas."""
    return Writer(out, keep)


def dict_writer(out: TextIO, fieldnames: Iterable[str], keep: Collection[str] = ()) -> DictWriter:
    """A CSV dict writer whose cells no spreadsheet runs as formulas."""
    return DictWriter(out, fieldnames, keep)
