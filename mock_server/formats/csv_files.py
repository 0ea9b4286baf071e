"""CSV files as the APIs exchange them: an upload read into its header and rows, each row's cells by column, and
rows written as a download. Which columns an API wants, and how it words a refusal, is the API's own."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from flask import Response

from mock_server.validation import ValidRequest

Problem = Literal["encoding", "syntax"]


class UnreadableCsv(ValueError):
    """An uploaded file that is no UTF-8 CSV text: `problem` says how (each API words its own refusal from it),
    `detail` is the decoder's or the csv module's own account."""

    def __init__(self, problem: Problem, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


def uploaded_text(req: ValidRequest, field: str = "file") -> str | None:
    """The text of the file uploaded as `field`, UTF-8 with its byte order mark dropped; None without one."""
    upload = req.files.get(field)
    if upload is None:
        return None
    raw: bytes = upload.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableCsv("encoding", str(exc)) from None


class CsvText:
    """A CSV text read row by row: first its header, then the rest. Reading stops at the first malformed row,
    so an API that judges the header first refuses a bad header before a row further down that cannot be read."""

    def __init__(self, text: str) -> None:
        self._reader = csv.reader(io.StringIO(text, newline=""))

    def header(self) -> list[str]:
        """The first row, each name stripped; [] for an empty text."""
        return [name.strip() for name in self._next() or []]

    def rows(self) -> list[list[str]]:
        """The rows not read yet; a blank line is an empty row."""
        rows = []
        while (row := self._next()) is not None:
            rows.append(row)
        return rows

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader, None)
        except csv.Error as exc:
            raise UnreadableCsv("syntax", str(exc)) from None


def rows_by_column(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[dict[str, str]]:
    """Each row as {column: cell}, the way csv.DictReader reads it: a blank line is no row, a short row lacks the
    columns it has no cell for, cells past the header are dropped, and a column named twice holds its last cell."""
    for row in rows:
        if not row:
            continue
        cells = dict(zip(header, row, strict=False))
        for missing in header[len(row):]:
            cells.pop(missing, None)
        yield cells


def rows_by_mapping(header: Sequence[str], rows: Iterable[Sequence[str]],
                    mapping: Mapping[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(number, {field: stripped cell of the column `mapping` names for it}) for each row with a cell that is not
    blank. Numbers count every row after the header from 1, blank ones too, as a spreadsheet shows them; a column
    named twice is read from its first place; a short row's missing cells are ""."""
    position = {column: index for index, column in reversed(list(enumerate(header)))}
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        yield number, {field: (row[position[column]].strip() if position[column] < len(row) else "")
                       for field, column in mapping.items()}


def columns_named_like(fields: Iterable[str], header: Sequence[str]) -> dict[str, str]:
    """For each field a column named like it, ignoring case and punctuation ("Owner ID" for owner_id); of two such
    columns the later one."""
    by_key = {re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_"): column for column in header}
    return {field: by_key[field] for field in fields if field in by_key}


def csv_download(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """Rows as a text/csv attachment named `filename`; None is an empty cell, booleans are true and false."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v) for v in row])
    return Response(out.getvalue(), status=200, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
