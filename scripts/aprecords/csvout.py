"""The one way aprecords writes a CSV export: a header, then rows, ``\\n`` line ends.

Every export (census, LA notifications, register keying sheets) goes through
:func:`csv_text`, which writes through :mod:`aprecords.csvsafe`: every cell quoted, and none
a spreadsheet would run as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

from aprecords import csvsafe


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """The rows as CSV text with a header line of ``columns`` (every row has every column)."""
    out = io.StringIO(newline="")
    writer = csvsafe.dict_writer(out, columns)
    writer.writeheader()
    writer.writerows_dict(rows)
    return out.getvalue()
