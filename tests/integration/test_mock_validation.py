"""Bad input gets the API's validation status, naming the field, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Mock
from tests.integration.helpers import all_records, assert_error_envelope, field_errors, resolve
from tests.integration.pages import PAGES

CASES = [(d, r) for d, page in PAGES.items() for r in page.resources]


@pytest.mark.parametrize(("dialect", "resource"), CASES)
def test_missing_required_field_is_named(make_mock: Callable[..., Mock], dialect: str, resource: str) -> None:
    mock = make_mock(dialect)
    page = PAGES[dialect]
    spec = page.resources[resource]
    before = len(all_records(mock, spec["path"]))
    body = resolve(mock, spec["create"])
    body.pop(spec["required"])
    response = mock.post(spec["path"], json=body)
    assert_error_envelope(mock, response, page.validation_status)
    errors = field_errors(mock, response)
    assert spec["required"] in errors
    message = errors[spec["required"]]
    if page.field_error_is_list:  # 003/004: arrays of strings; 000: a string
        assert isinstance(message, list) and all(isinstance(m, str) for m in message)
    else:
        assert isinstance(message, str)
    assert len(all_records(mock, spec["path"])) == before


@pytest.mark.parametrize(("dialect", "resource"), CASES)
def test_wrong_type_is_named(make_mock: Callable[..., Mock], dialect: str, resource: str) -> None:
    mock = make_mock(dialect)
    page = PAGES[dialect]
    spec = page.resources[resource]
    body = resolve(mock, spec["create"])
    body[spec["name_field"]] = {"not": "a string"}
    response = mock.post(spec["path"], json=body)
    assert_error_envelope(mock, response, page.validation_status)
    assert spec["name_field"] in field_errors(mock, response)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2", b"\xff\xfe"])
def test_malformed_json_is_a_client_error(mock: Mock, raw: bytes) -> None:
    spec = next(iter(PAGES[mock.dialect].resources.values()))
    response = mock.client.post(mock.url(spec["path"]), data=raw, headers={**mock.headers,
                                                                           "Content-Type": "application/json"})
    assert_error_envelope(mock, response, PAGES[mock.dialect].malformed_status)


def test_wrong_content_type_is_415(mock: Mock) -> None:
    spec = next(iter(PAGES[mock.dialect].resources.values()))
    response = mock.client.post(mock.url(spec["path"]), data="name=x", headers={**mock.headers,
                                                                                "Content-Type": "text/plain"})
    assert_error_envelope(mock, response, 415)


def test_body_that_is_not_an_object(mock: Mock) -> None:
    page = PAGES[mock.dialect]
    spec = next(iter(page.resources.values()))
    for body in ([1, 2], 7, "text"):
        response = mock.post(spec["path"], json=body)
        assert_error_envelope(mock, response, page.validation_status)


def test_unknown_enum_value(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("olympus")  # 002: stage is one of six values
    response = mock.post("/deals", json={"name": "X", "stage": "won-ish"})
    assert_error_envelope(mock, response, 400)
    assert "stage" in field_errors(mock, response)


def test_unknown_reference_is_refused(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")  # every contact_id must point at a contact
    response = mock.post("/deals", json={"name": "Orphan", "stage_id": 3, "contact_id": 987654})
    assert_error_envelope(mock, response, 422)
    assert "contact_id" in field_errors(mock, response)
    response = mock.post("/deals", json={"name": "Orphan", "stage_id": 999})
    assert "stage_id" in field_errors(mock, response)


def test_ysuite_update_requires_the_three_fields(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("ysuite")  # 004: deal_name, pipeline_id and cstid are required even on updates
    deal = all_records(mock, "/deals")[0]
    response = mock.put(f"/deals/{deal['deal_id']}", json={"deal_amount": 5})
    assert_error_envelope(mock, response, 422)
    assert {"deal_name", "pipeline_id", "cstid"} <= set(field_errors(mock, response))


def test_ysuite_deal_name_limit(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("ysuite")  # 004: deal_name max 255 chars (YS14)
    body = resolve(mock, PAGES["ysuite"].resources["deals"]["create"])
    response = mock.post("/deals", json={**body, "deal_name": "x" * 256})
    assert_error_envelope(mock, response, 422)
    assert "deal_name" in field_errors(mock, response)
