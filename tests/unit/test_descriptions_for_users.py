"""The prose of the documents is written for the API's users: every description, summary and title
(info, servers, tags, operations, webhooks, parameters, request bodies, responses, headers, links,
security schemes, schemas and their properties, examples) is free of the notes this project keeps for
itself. Those live in `x-source`, `x-decisions`, `x-mock-notes` and YAML comments
(docs/dialect-block.md).

Each pattern below is a kind of note the documents carried before issue 14, named by what it gives away.
"""

from __future__ import annotations

import re

import pytest

from tests.document_nodes import texts

DIALECTS = ("revorbit", "olympus", "concord", "ysuite")

INTERNAL_NOTES: dict[str, re.Pattern[str]] = {
    # the project's capture of a vendor page: 001_7c240bb9e72bce7c.txt
    "a seed file name": re.compile(r"\b\d{3}_[0-9a-f]{16}\b"),
    "a seed page": re.compile(r"\bseed(?:s|ed)?\b", re.IGNORECASE),
    # dialects.md section 3 and its ids (RO1..RO21, OC1..OC19, CC1..CC16, YS1..YS15, X1..X12)
    "a decision": re.compile(r"\bdecisions?\b", re.IGNORECASE),
    "a decision id": re.compile(r"\b(?:RO|OC|CC|YS)\d{1,2}\b|\bX(?:1[0-2]|[1-9])\b"),
    "dialects.md": re.compile(r"\bdialects(?:\.md)?\b|\bdialect reference\b", re.IGNORECASE),
    # where a shape came from, rather than what it is
    "inferred": re.compile(r"\binfer(?:s|red|ring)?\b", re.IGNORECASE),
    "designed": re.compile(r"\bdesigned\b", re.IGNORECASE),
    "a page file": re.compile(r"\b[a-z_]+\.html\b", re.IGNORECASE),
    "a provenance mark": re.compile(r"\[[DSK]\]"),
    "the page": re.compile(r"\bthe (?:vendor'?s? )?pages?\b(?!\s+(?:number|size|index|metadata))", re.IGNORECASE),
    "illustrative": re.compile(r"\billustrative\b", re.IGNORECASE),
    # the tools around the API (a server's own name, `crm-mock serve`, is fine: users run it)
    "the mock": re.compile(r"\bthe mock\b|\bmock server\b|\bfixtures?\b", re.IGNORECASE),
    "the suite": re.compile(r"\b(?:the|conformance|test) suite\b|\bconformance\b", re.IGNORECASE),
    "a suite verdict": re.compile(r"\blenient(?:ly)?\b|\bstrict(?:ly)?\b", re.IGNORECASE),
}


def notes_in(text: str) -> list[str]:
    found = []
    for name, pattern in INTERNAL_NOTES.items():
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 30), match.end() + 30
            found.append(f"{name}: ...{text[start:end]!r}...")
    return found


@pytest.mark.parametrize("dialect", DIALECTS)
def test_descriptions_summaries_and_titles_carry_no_internal_notes(dialect: str) -> None:
    checked = list(texts(dialect))
    problems = [f"{pointer}: {note}" for pointer, text in checked for note in notes_in(text)]
    assert len(checked) > 100, f"{dialect}: only {len(checked)} texts found; the walk misses the document"
    assert not problems, f"{dialect}: {len(problems)} internal note(s) in user-facing text:\n" + "\n".join(problems)


@pytest.mark.parametrize(("text", "kind"), [
    ("Deal created (Decision RO4).", "a decision"),
    ("lenient alternative status (X6)", "a decision id"),
    ("The shape is inferred from 001_7c240bb9e72bce7c.txt", "a seed file name"),
    ("Example from the vendor page", "the page"),
    ("the mock rejects values above 100", "the mock"),
    ("see dialects.md section 4", "dialects.md"),
    ("contacts.html via dialects.md 1A", "a page file"),
])
def test_each_kind_of_note_is_recognised(text: str, kind: str) -> None:
    assert any(note.startswith(kind + ":") for note in notes_in(text)), notes_in(text)


@pytest.mark.parametrize("text", [
    "The page number to retrieve results for (1-based). Example: ?page=2",
    "List envelope; the page metadata sits next to the records under `data`.",
    "Local development server (`crm-mock serve --dialect ysuite`)",
    "YSUITE External API (CRM subset)",
    "Answers 201 Created (some deployments answer 200).",
])
def test_user_facing_wording_passes(text: str) -> None:
    assert notes_in(text) == []
