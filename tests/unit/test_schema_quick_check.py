"""SCH-001's quick check (jsonschema-rs) must never let through a body jsonschema refuses: on the mock's own
list pages of every API, and on each of them with one field of one record given a value of another type or a
malformed date, both validators give the same answer."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from conformance import normalise
from conformance.checks.schema import _quick, _validator
from tests.conftest import DIALECTS, Mock

WRONG: dict[type, list[Any]] = {str: [12345, "not-a-date"], int: ["seven"], float: ["1.5e3x"], bool: ["yes"],
                                dict: [[1]], list: ["[]"]}


def variants(page: Any, items: list[dict[str, Any]], path: list[Any]) -> Iterator[Any]:
    """The page as it is, then with each field of its first record changed once."""
    yield page
    if not items:
        return
    for name, value in items[0].items():
        for wrong in WRONG.get(type(value), [{"a": 1}]):
            changed = copy.deepcopy(page)
            record = changed
            for step in path:
                record = record[step]
            record[0][name] = wrong
            yield changed


def items_path(page: Any, items: list[dict[str, Any]]) -> list[Any]:
    """Where the record list sits in the page (the dialect's items path), as steps."""
    if page is items:
        return []
    for key, value in page.items():
        if value is items:
            return [key]
        if isinstance(value, dict):
            for inner, deeper in value.items():
                if deeper is items:
                    return [key, inner]
    raise AssertionError("no items list in the page")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_quick_check_agrees_with_jsonschema_on_pages_and_broken_records(dialect: str) -> None:
    mock = Mock(dialect)
    compared = refused = 0
    for op in mock.api.operations:
        if op.method.upper() != "GET" or op.action != "list" or op.path_params:
            continue
        answer = mock.get(op.path)
        if answer.status_code != 200 or not answer.is_json:
            continue
        slow, quick = _validator(op, 200, False), _quick(op, 200, False)
        assert slow is not None and quick is not None, str(op)
        page = normalise.unwrapped(mock.api.dialect, op, answer.get_json())
        items = normalise.items(mock.api.dialect, op, page)
        if not isinstance(items, list):
            continue
        for body in variants(page, items, items_path(page, items)):
            expected = slow.is_valid(body)
            assert quick.is_valid(body) == expected, (str(op), body if not items else "a changed record")
            compared += 1
            refused += not expected
    assert compared > 20 and refused > 5, (compared, refused)  # both answers were exercised
