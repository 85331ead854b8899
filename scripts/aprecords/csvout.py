"""The one way aprecords writes a CSV export: a header, then rows, ``\\n`` line ends.

Every export (census, LA notifications, register keying sheets) goes through
:func:`csv_text`, so a rule about written cells (such as neutralising text a spreadsheet
would run as a formula) is made in one place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """The rows as CSV text with a header line of ``columns`` (every row has every column)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()
