"""Small helpers the mock tests share; none of them calls the code under test beyond HTTP."""

from __future__ import annotations

from typing import Any

from tests.conftest import Mock
from tests.integration.pages import PAGES, dig


def list_page(mock: Mock, path: str, **params: Any) -> tuple[list[dict[str, Any]], int, Any]:
    response = mock.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = PAGES[mock.dialect]
    body = response.get_json()
    return dig(body, page.items), dig(body, page.total), body


def all_records(mock: Mock, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every record of a list, walking pages of the maximum size."""
    page = PAGES[mock.dialect]
    out: list[dict[str, Any]] = []
    number = page.first_page
    while True:
        items, total, _ = list_page(mock, path, **{page.page_param: number, page.size_param: page.max_size}, **params)
        out.extend(items)
        if not items or len(out) >= total:
            return out
        number += 1


def resolve(mock: Mock, body: dict[str, Any]) -> dict[str, Any]:
    """Fill placeholders: `$business` is an existing YSUITE Business contact (contact_type 2, YS11)."""
    out = dict(body)
    for key, value in body.items():
        if value == "$business":
            contacts = all_records(mock, "/contacts")
            business = [c for c in contacts if c.get("contact_type") == 2] or contacts
            out[key] = business[0]["cstid"]
    return out


def record_of(mock: Mock, response: Any) -> dict[str, Any]:
    body = response.get_json()
    record = dig(body, PAGES[mock.dialect].record)
    assert isinstance(record, dict), body
    return record


def field_errors(mock: Mock, response: Any) -> dict[str, Any]:
    body = response.get_json()
    errors = dig(body, PAGES[mock.dialect].field_errors)
    assert isinstance(errors, dict), body
    return errors


def assert_error_envelope(mock: Mock, response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("message"), str) and body["message"], body
    if PAGES[mock.dialect].error_success_false:
        assert body.get("success") is False, body
    return dict(body)


def assert_ordered(values: list[Any], descending: bool = False) -> None:
    """Non-null values in order; nulls (absent values) grouped at one end, either end."""
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=descending), values
    nulls = [i for i, v in enumerate(values) if v is None]
    if nulls:
        at_start = nulls == list(range(len(nulls)))
        at_end = nulls == list(range(len(values) - len(nulls), len(values)))
        assert at_start or at_end, values
