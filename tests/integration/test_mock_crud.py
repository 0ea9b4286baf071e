"""Stateful CRUD on every API: create, read, update, list, delete, then not found."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Mock
from tests.integration.helpers import all_records, assert_error_envelope, record_of, resolve
from tests.integration.pages import PAGES

CASES = [(d, r) for d, page in PAGES.items() for r in page.resources]


@pytest.mark.parametrize(("dialect", "resource"), CASES)
def test_round_trip(make_mock: Callable[..., Mock], dialect: str, resource: str) -> None:
    mock = make_mock(dialect)
    page = PAGES[dialect]
    spec = page.resources[resource]
    path, id_field = spec["path"], spec["id"]
    body = resolve(mock, spec["create"])

    created = mock.post(path, json=body)
    assert created.status_code == page.create_status, created.get_data(as_text=True)
    new_id = record_of(mock, created)[id_field]
    if dialect == "olympus":  # 002: opaque prefixed string ids such as contact_001
        assert isinstance(new_id, str) and new_id.startswith("contact_")
    else:
        assert isinstance(new_id, int) and not isinstance(new_id, bool)

    read = mock.get(f"{path}/{new_id}")
    assert read.status_code == 200
    stored = record_of(mock, read)
    for key, value in body.items():
        assert stored[key] == value, key
    if "created_at" in stored:
        assert stored["created_at"]

    update = resolve(mock, spec["update"])
    updated = mock.put(f"{path}/{new_id}", json=update)
    assert updated.status_code == 200, updated.get_data(as_text=True)
    again = record_of(mock, mock.get(f"{path}/{new_id}"))
    for key, value in update.items():
        assert again[key] == value, key

    listed = [r[id_field] for r in all_records(mock, path)]
    assert listed.count(new_id) == 1

    deleted = mock.delete(f"{path}/{new_id}")
    assert deleted.status_code == page.delete_status
    if page.delete_status == 204:
        assert deleted.get_data() == b""
    assert_error_envelope(mock, mock.get(f"{path}/{new_id}"), page.not_found_status)
    assert new_id not in [r[id_field] for r in all_records(mock, path)]


@pytest.mark.parametrize(("dialect", "resource"), CASES)
def test_ids_are_new_and_unique(make_mock: Callable[..., Mock], dialect: str, resource: str) -> None:
    mock = make_mock(dialect)
    spec = PAGES[dialect].resources[resource]
    before = {r[spec["id"]] for r in all_records(mock, spec["path"])}
    made = []
    for n in range(3):
        body = resolve(mock, spec["create"])
        if "email" in body:  # emails are unique per contact (002 duplicate_contact, CC16)
            body["email"] = f"n{n}.{body['email']}"
        made.append(record_of(mock, mock.post(spec["path"], json=body))[spec["id"]])
    assert len(set(made)) == 3
    assert not before & set(made)


@pytest.mark.parametrize("dialect", list(PAGES))
def test_unknown_id_is_not_found_in_the_api_envelope(make_mock: Callable[..., Mock], dialect: str) -> None:
    mock = make_mock(dialect)
    page = PAGES[dialect]
    resource = next(iter(page.resources.values()))
    missing = "contact_999999" if dialect == "olympus" else 999999
    for method in ("get", "delete"):
        response = getattr(mock, method)(f"{resource['path']}/{missing}")
        assert_error_envelope(mock, response, page.not_found_status)
    body = resolve(mock, resource["update"])
    assert_error_envelope(mock, mock.put(f"{resource['path']}/{missing}", json=body), page.not_found_status)


def test_olympus_not_found_carries_the_crm_code(make_mock: Callable[..., Mock]) -> None:
    # 002 "Error Responses": 404 contact_not_found
    mock = make_mock("olympus")
    body = assert_error_envelope(mock, mock.get("/contacts/contact_999999"), 404)
    assert body["code"] == "contact_not_found"


def test_unknown_path_and_method_answer_in_the_envelope(mock: Mock) -> None:
    page = PAGES[mock.dialect]
    response = mock.get("/no-such-resource")
    assert_error_envelope(mock, response, 404)
    resource = next(iter(page.resources.values()))
    response = mock.client.patch(mock.url(resource["path"]), headers=mock.headers)
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert "GET" in response.headers.get("Allow", "")
