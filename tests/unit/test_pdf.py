"""mock_server/formats/pdf.py: a one-page PDF of text lines, read back with pypdf (not the fpdf2 that wrote it)."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from mock_server.formats.pdf import printable, text_page

LINES = [(20, "Quote Q-2026-0042"), (12, "Deal: Acme (renewal) \\ 2027"), (10, "Seats  3 x 1,234.50 = 3,703.50"),
         (14, "Total: 3,703.50")]
WRITTEN = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def placed_text(data: bytes) -> tuple[list[tuple[float, float, float, str]], PdfReader]:
    """(x, y from the bottom, font size, text) of each text run pypdf finds, and the reader."""
    reader = PdfReader(io.BytesIO(data))
    found: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((round(tm[4], 2), round(tm[5], 2), size, text.strip()))

    reader.pages[0].extract_text(visitor_text=visit)
    return found, reader


def test_each_line_is_on_the_page_from_the_top_left_in_its_size() -> None:
    data = text_page(LINES, created=WRITTEN)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    found, reader = placed_text(data)
    assert len(reader.pages) == 1
    assert [float(v) for v in reader.pages[0].mediabox] == [0, 0, 612, 792]  # US Letter
    # an inch from the left, the first baseline 52 pt below the top, each next one its size + 12 pt lower
    assert found == [(72, 740, 20, "Quote Q-2026-0042"), (72, 716, 12, "Deal: Acme (renewal) \\ 2027"),
                     (72, 694, 10, "Seats  3 x 1,234.50 = 3,703.50"), (72, 668, 14, "Total: 3,703.50")]


def test_the_same_lines_and_date_give_the_same_bytes_and_the_date_is_the_creation_date() -> None:
    first = text_page(LINES, created=WRITTEN)
    assert text_page(LINES, created=WRITTEN) == first
    later = text_page(LINES, created=WRITTEN + dt.timedelta(days=1))
    assert later != first
    assert PdfReader(io.BytesIO(first)).metadata.creation_date == WRITTEN


def test_the_text_stays_searchable_in_the_bytes() -> None:
    assert b"(Total: 3,703.50) Tj" in text_page(LINES, created=WRITTEN)


def test_what_helvetica_cannot_show_becomes_a_space_or_a_question_mark() -> None:
    assert printable("Café\tbar\n€5 ✓") == "Café bar ?5 ?"
    found, _ = placed_text(text_page([(12, "Café\t€5")], created=WRITTEN))
    assert [text for *_, text in found] == ["Café ?5"]
