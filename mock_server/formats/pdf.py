"""PDF documents, written by fpdf2: one US Letter page of Helvetica text lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# On a US Letter page (612 x 792 pt): an inch from the left edge, the first baseline 52 pt below the top edge
LEFT, FIRST_BASELINE = 72, 52
LEADING = 12  # added to a line's font size to set it below the previous one


def printable(text: str) -> str:
    """The text as Helvetica can show it: control characters as spaces, a character outside Latin-1 as "?"."""
    clean = "".join(ch if ch >= " " else " " for ch in text)
    return clean.encode("latin-1", "replace").decode("latin-1")


def text_page(lines: Sequence[tuple[int, str]], created: dt.datetime) -> bytes:
    """A one-page PDF of (font size, text) lines from the top left, each a line below the previous one.

    `created` is its CreationDate, so the same lines on the same date give the same bytes. Its content is not
    compressed, so its text can be found in the bytes as written (by a test, or a grep)."""
    from fpdf import FPDF  # here, not at the top: importing fpdf2 takes ~0.25 s, a third of the mock's start-up

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_compression(False)
    pdf.set_creation_date(created)
    pdf.add_page()
    baseline = FIRST_BASELINE
    for index, (size, text) in enumerate(lines):
        if index:
            baseline += size + LEADING
        pdf.set_font("Helvetica", size=size)
        pdf.text(LEFT, baseline, printable(text))
    return bytes(pdf.output())
