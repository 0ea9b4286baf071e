"""The mock's answers are written by orjson (mock_server/responses.py), and its stored records written and read
back by it (mock_server/store/documents.py): the same JSON as the standard library's, with the edges it handles
differently kept as before."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from mock_server.responses import dumps
from mock_server.store.documents import dumps as stored_text
from mock_server.store.documents import loads


def strict(text: bytes) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_an_answer_reads_back_as_the_body_it_was_written_from() -> None:
    body = {"data": [{"id": 1, "name": "Zoë & Ünal", "value": 12.5, "won": False, "closed_at": None,
                      "tags": ["a", "b"], "risk": {"risk_score": 40, "risk_factors": []}}], "total": 1}
    assert strict(dumps(body)) == body


@pytest.mark.parametrize(("overflowed", "written"), [
    (math.inf, sys.float_info.max), (-math.inf, -sys.float_info.max), (math.nan, 0.0)])
def test_a_float_that_overflowed_saturates_instead_of_becoming_null(overflowed: float, written: float) -> None:
    """orjson alone writes inf and NaN as null, which a schema's number refuses; the mock saturates them, deep in
    the body too, beside the nulls a body holds anyway."""
    body = {"data": [{"id": 1, "closed_at": None, "summary": {"total": overflowed}}], "meta": [None, overflowed]}
    answer = strict(dumps(body))
    assert answer == {"data": [{"id": 1, "closed_at": None, "summary": {"total": written}}], "meta": [None, written]}


def test_an_integer_past_64_bits_is_written_exactly() -> None:
    huge = 10**30 + 7  # orjson refuses it: the standard library writes it
    assert strict(dumps({"total": huge})) == {"total": huge}


def test_stored_records_read_back_whatever_their_numbers() -> None:
    assert loads('{"id": 3, "name": "x", "value": 1.25, "tags": null}') == {"id": 3, "name": "x", "value": 1.25,
                                                                           "tags": None}
    assert loads('{"total": 100000000000000000000000000000}') == {"total": 1e29}  # the same JSON number
    assert loads('{"total": 1e400}') == {"total": math.inf}  # past the double: as the standard library reads it


@pytest.mark.parametrize("dialect", ["revorbit", "olympus", "concord", "ysuite"])
def test_a_stored_record_is_the_standard_librarys_json_but_for_the_spaces(dialect: str) -> None:
    """store/documents.dumps writes what the store keeps: every seeded record of the golden files reads back as
    itself, and is json.dumps' text once the spaces after ',' and ':' outside strings are left out."""
    golden = Path(__file__).resolve().parents[1] / "data" / "seeded" / f"{dialect}.json"
    for rows in json.loads(golden.read_text(encoding="utf-8"))["seeded"].values():
        for record in rows:
            text = stored_text(record)
            assert isinstance(text, str)
            assert strict(text.encode()) == record
            assert text == json.dumps(record, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("record", [{"total": math.inf, "note": None}, {"total": 10**30 + 7}])
def test_a_stored_record_orjson_cannot_write_is_written_as_before(record: dict[str, object]) -> None:
    """A non-finite float (which orjson writes as null) and an integer past 64 bits: the standard library's text,
    as the store wrote every record before orjson."""
    assert stored_text(record) == json.dumps(record)
