"""Cells for spreadsheets (CSV and XLSX exports of the API and the portal)."""

from __future__ import annotations

# A spreadsheet runs a cell that begins with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """`cell` as text a spreadsheet shows and never runs."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
