"""Checks on sales rows before any figure is computed from them.

The engine refuses rather than repairs: a negative quantity or a sale dated after today is a
mistake in the import, and a trend computed over it would be quietly wrong. The error names the
column and the first offending row (counted from 0, in the order of the frame the caller
passed) so the importing page can point at the line of the file.
"""

from __future__ import annotations

import datetime as dt

import polars as pl


class SalesDataError(ValueError):
    """Sales rows a person can fix; `column` and `row` (from 0, or None) say where.

    A ValueError rather than `clusterbrain.errors.DomainError` so the engine stays importable on
    its own; the app's services translate it into a field error.
    """

    def __init__(self, message: str, column: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.row = row


def check_sales(
    rows: pl.DataFrame,
    required: tuple[str, ...],
    numeric: tuple[str, ...],
    today: dt.date,
    date_column: str = "date",
) -> pl.DataFrame:
    """Return `rows` with the date column as pl.Date, or raise SalesDataError."""
    missing = [c for c in required if c not in rows.columns]
    if missing:
        raise SalesDataError(
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            column=missing[0],
        )
    dtype = rows.schema[date_column]
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        rows = rows.with_columns(pl.col(date_column).dt.date())
    elif dtype != pl.Date:
        raise SalesDataError(
            f"column {date_column}: dates expected, got {dtype}", column=date_column
        )
    for name in numeric:
        if not rows.schema[name].is_numeric():
            raise SalesDataError(
                f"column {name}: numbers expected, got {rows.schema[name]}", column=name
            )
    with_index = rows.select(*dict.fromkeys((*required, *numeric))).with_row_index("__row")
    for name in required:
        first = with_index.filter(pl.col(name).is_null()).select("__row").head(1)
        if first.height:
            row = int(first.item())
            raise SalesDataError(f"row {row}: {name} is empty", column=name, row=row)
    for name in numeric:
        wrong = pl.col(name) < 0
        if rows.schema[name].is_float():
            wrong = wrong | pl.col(name).is_nan() | pl.col(name).is_infinite()
        bad = with_index.filter(wrong).head(1)
        if bad.height:
            row = int(bad["__row"][0])
            raise SalesDataError(
                f"row {row}: {name} must be a finite number not below 0 (got {bad[name][0]})",
                column=name,
                row=row,
            )
    late = with_index.filter(pl.col(date_column) > today).head(1)
    if late.height:
        row = int(late["__row"][0])
        raise SalesDataError(
            f"row {row}: {date_column} {late[date_column][0]} is after today ({today})",
            column=date_column,
            row=row,
        )
    return rows
