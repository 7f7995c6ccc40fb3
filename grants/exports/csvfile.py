"""Writing CSV files that are safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is run as a formula by Excel, LibreOffice and Google Sheets: a
name typed into a form could then fetch a URL or run a command on the reader's machine ("CSV
injection"). Such text cells get a leading apostrophe, which spreadsheets show as plain text.
Numbers (ints and Decimals) are ours, never typed by a person, and are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask import Response

from grants.views import download

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | Decimal:
    """One cell: numbers as they are, ``None`` as empty, text defused if it could run as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The whole file as text (RFC 4180: comma-separated, CRLF line ends, quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def csv_download(text: str, filename: str) -> Response:
    return download(text, filename, "text/csv")
