"""Prism's Prefer switches: code=, example=, dynamic=, with the __code/__example/__dynamic query fallback.

Expected bodies are read from the document the mock serves; a steered request still needs a credential
and never writes state.
"""

from __future__ import annotations

from collections.abc import Callable

import jsonschema
import pytest

from tests.conftest import Mock
from tests.integration.frontend import documented_examples, main_resource, read_operation, url_of
from tests.integration.helpers import all_records, assert_error_envelope, record_of, resolve


def test_prefer_code_answers_with_the_documented_example(mock: Mock) -> None:
    operation = read_operation(mock)
    first_name, first = next(iter(documented_examples(operation, 401).items()))
    response = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": "code=401"})
    assert response.status_code == 401
    assert response.get_json() == first, first_name
    assert response.headers["X-Mock-Source"] == "example"
    assert response.headers["Preference-Applied"] == "code=401"
    by_query = mock.client.get(url_of(operation) + "?__code=401", headers=mock.headers)
    assert (by_query.status_code, by_query.get_json()) == (401, first)


def test_prefer_example_names_any_documented_example(mock: Mock) -> None:
    operation = read_operation(mock)
    # the last named example of the operation, so it is never the one chosen by default
    choices = [(int(code), name, value)
               for code, spec in operation.raw["responses"].items()
               for name, value in documented_examples(operation, int(code)).items() if "content" in spec]
    status, name, value = choices[-1]
    response = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": f"example={name}"})
    assert (response.status_code, response.get_json()) == (status, value)
    by_query = mock.client.get(url_of(operation), headers=mock.headers, query_string={"__example": name})
    assert (by_query.status_code, by_query.get_json()) == (status, value)
    both = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": f"code={status}, example={name}"})
    assert (both.status_code, both.get_json()) == (status, value)


def test_prefer_dynamic_generates_a_body_from_the_schema_not_the_state(mock: Mock) -> None:
    operation = read_operation(mock)
    resource = main_resource(mock)
    record_id = all_records(mock, resource["path"])[0][resource["id"]]
    path = url_of(operation, record_id)
    stored = record_of(mock, mock.client.get(path, headers=mock.headers))
    schema = operation.raw["responses"]["200"]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(schema)
    bodies = []
    for headers, query in (({"Prefer": "dynamic=true"}, {}), ({}, {"__dynamic": "true"})):
        response = mock.client.get(path, headers={**mock.headers, **headers}, query_string=query)
        assert response.status_code == 200
        assert response.headers["X-Mock-Source"] == "schema"
        assert not list(validator.iter_errors(response.get_json()))
        bodies.append(response.get_json())
    assert bodies[0] != bodies[1]  # fresh data each time
    assert record_of(mock, mock.client.get(path, headers=mock.headers)) == stored  # the state is untouched


def test_an_error_code_with_dynamic_is_the_api_error_envelope(mock: Mock) -> None:
    operation = read_operation(mock)
    description = operation.raw["responses"]["401"]["description"].strip().splitlines()[0]
    response = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": "code=401, dynamic=true"})
    body = assert_error_envelope(mock, response, 401)
    assert body["message"] == description
    assert response.headers["X-Mock-Source"] == "error"
    if mock.dialect == "olympus":  # the platform's machine code rides along (OC4)
        assert body["code"] == "UNAUTHORIZED"


def test_unknown_code_or_example_is_422_naming_what_is_available(mock: Mock) -> None:
    operation = read_operation(mock)
    documented = [code for code in operation.raw["responses"] if code.isdigit()]
    response = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": "code=418"})
    body = assert_error_envelope(mock, response, 422)
    assert "418" in body["message"] and all(code in body["message"] for code in documented)

    names = [name for code in documented for name in documented_examples(operation, int(code))]
    response = mock.client.get(url_of(operation), headers=mock.headers, query_string={"__example": "no-such"})
    body = assert_error_envelope(mock, response, 422)
    assert "no-such" in body["message"] and all(name in body["message"] for name in names)

    for bad in ("code=abc", "dynamic=maybe", "delay=soon"):
        response = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": bad})
        assert bad.split("=")[1] in assert_error_envelope(mock, response, 422)["message"]


def test_steering_does_not_bypass_auth(mock: Mock) -> None:
    operation = read_operation(mock)
    for query in ({"__code": "200"}, {"__example": next(iter(documented_examples(operation, 200)))}):
        response = mock.client.get(url_of(operation), query_string=query)
        assert_error_envelope(mock, response, 401)
    expired = mock.headers_for(expired=True) if mock.dialect != "ysuite" else {"x-ysuite-access-key": "x"}
    response = mock.client.get(url_of(operation), headers={**expired, "Prefer": "code=200"})
    assert_error_envelope(mock, response, 401)


def test_a_steered_create_writes_nothing(make_mock: Callable[..., Mock]) -> None:
    for dialect in ("revorbit", "ysuite"):
        mock = make_mock(dialect)
        resource = main_resource(mock)
        operation = mock.api.find(resource["path"].strip("/"), "create")
        assert operation is not None
        success = min(int(c) for c in operation.raw["responses"] if c.isdigit() and int(c) < 300)
        before = all_records(mock, resource["path"])
        response = mock.post(resource["path"], json=resolve(mock, resource["create"]),
                             headers={**mock.headers, "Prefer": f"code={success}"})
        assert response.status_code == success
        examples = list(documented_examples(operation, success).values())
        if examples:
            assert response.get_json() == examples[0]
        else:  # Revenue Orbit's lenient 200 has no example: a body generated from its schema
            schema = operation.raw["responses"][str(success)]["content"]["application/json"]["schema"]
            assert not list(jsonschema.Draft202012Validator(schema).iter_errors(response.get_json()))
        assert all_records(mock, resource["path"]) == before


@pytest.mark.parametrize("header", ["return=minimal", "respond-async, wait=5"])
def test_other_preferences_are_ignored(make_mock: Callable[..., Mock], header: str) -> None:
    mock = make_mock("concord")
    response = mock.get("/deals", headers={**mock.headers, "Prefer": header})
    assert response.status_code == 200 and "X-Mock-Source" not in response.headers
