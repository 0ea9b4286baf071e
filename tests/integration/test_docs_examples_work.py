"""What a user sees first in /docs works: every operation of every API, sent as Swagger UI's "Try it out"
fills it, succeeds against `crm-mock serve`'s default data (seed 42, 50 records) with the pre-filled
credential, and a list comes back non-empty and not narrowed by a pre-filled filter.

Swagger UI 5 pre-fills a parameter with its first `examples` entry, else its `example`, else its schema's
`example` or `default` (ParameterRow.setDefaultValue); this test also takes a schema's first `examples`
entry, so a later Swagger UI that shows it is covered too. A request body gets the first example of its
first media type; without one Swagger UI would invent a body from the schema, so every body must have
one. A multipart file field is uploaded with the example's text as the file (the documented sample).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.test import TestResponse

from crmspec.model import Operation
from tests.conftest import DIALECTS, Mock, load_api

DEFAULT_DATA = {"seed": 42, "records": 50}  # what `crm-mock serve` seeds without options

# Operations the seeded data cannot serve as they stand, and what stands in for the missing record.
PREPARED_BY = {("revorbit", "deleteDealNote"): "createDealNote"}  # no notes are seeded: the example adds note 1
# Operations that cannot succeed on the seeded data by design, with the answer their description documents.
REFUSED = {("revorbit", "deletePipelineStage"): 409}  # every seeded stage holds deals


def operations() -> list[Any]:
    return [pytest.param(dialect, op.operation_id, id=f"{dialect}-{op.operation_id}")
            for dialect in DIALECTS for op in load_api(dialect).operations]


@pytest.fixture(scope="module")
def mocks() -> dict[str, Mock]:
    return {dialect: Mock(dialect, **DEFAULT_DATA) for dialect in DIALECTS}


def prefilled(parameter: dict[str, Any]) -> Any:
    """The value Swagger UI shows in a parameter's field before the user types anything (None: empty)."""
    examples = parameter.get("examples") or {}
    if examples:
        return next(iter(examples.values())).get("value")
    schema = parameter.get("schema") or {}
    for value in (parameter.get("example"), schema.get("example"), (schema.get("examples") or [None])[0],
                  schema.get("default")):
        if value is not None:
            return value
    return None


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return ",".join(as_text(v) for v in value) if isinstance(value, list) else str(value)


def first_body(op: Operation) -> tuple[str, Any] | None:
    """(media type, value) of the body Swagger UI pre-fills: the first example of the first media type."""
    content = (op.raw.get("requestBody") or {}).get("content") or {}
    if not content:
        return None
    media_type, media = next(iter(content.items()))
    examples = media.get("examples") or {}
    if examples:
        return media_type, next(iter(examples.values())).get("value")
    assert "example" in media, (f"{op}: the {media_type} body has no example, so Swagger UI would invent one "
                                "from the schema")
    return media_type, media["example"]


def multipart(media: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """Form fields of a multipart example; a binary field is uploaded as a file holding the example's text."""
    properties = (media.get("schema") or {}).get("properties") or {}
    form: dict[str, Any] = {}
    for name, field in value.items():
        binary = properties.get(name, {}).get("format") == "binary"
        form[name] = (io.BytesIO(str(field).encode()), f"{name}.csv") if binary else as_text(field)
    return form


def try_it_out(mock: Mock, op: Operation, only_required: bool = False) -> TestResponse:
    """Send `op` as Swagger UI does after "Try it out" and "Execute" (every pre-filled value, or only the
    required ones)."""
    path, query, headers = op.path, {}, dict(mock.headers)
    for parameter in op.raw.get("parameters") or []:
        value = prefilled(parameter)
        if parameter.get("required"):
            assert value is not None, f"{op}: the required {parameter['in']} parameter {parameter['name']} is empty"
        if value is None or (only_required and not parameter.get("required")):
            continue
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", as_text(value))
        elif parameter["in"] == "query":
            query[parameter["name"]] = as_text(value)
        elif parameter["in"] == "header":
            headers[parameter["name"]] = as_text(value)
    request: dict[str, Any] = {"query_string": query, "headers": headers}
    body = first_body(op)
    if body is not None:
        media_type, value = body
        if media_type == "multipart/form-data":
            request["data"] = multipart(op.raw["requestBody"]["content"][media_type], value)
        else:
            request["json"] = value
    return mock.client.open(op.mount + path, method=op.method.upper(), **request)


def listed(mock: Mock, op: Operation, response: TestResponse) -> tuple[list[Any], int]:
    """The items of a list answer and how many records the list holds (its total, else its length)."""
    envelope = mock.api.dialect.envelope_for(op)
    body = response.get_json()

    def at(path: str | None) -> Any:
        node = body
        for part in (path or "").split("."):
            node = node.get(part) if part and isinstance(node, dict) else node
        return node

    items = at(envelope.items if envelope.items is not None else envelope.data)
    assert isinstance(items, list), f"{op}: no list at {envelope.items or envelope.data!r}: {body}"
    total = at(envelope.page_fields["total"]) if "total" in envelope.page_fields else len(items)
    return items, int(total)


@pytest.mark.parametrize(("dialect", "operation_id"), operations())
def test_try_it_out_with_the_prefilled_examples_succeeds(mocks: dict[str, Mock], dialect: str,
                                                          operation_id: str) -> None:
    mock = mocks[dialect]
    op = next(op for op in mock.api.operations if op.operation_id == operation_id)
    try:
        if (dialect, operation_id) in PREPARED_BY:
            prepare = next(o for o in mock.api.operations if o.operation_id == PREPARED_BY[dialect, operation_id])
            assert try_it_out(mock, prepare).status_code < 300, f"{prepare} did not prepare {op}"
        response = try_it_out(mock, op)
        expected = REFUSED.get((dialect, operation_id))
        if expected is not None:
            assert response.status_code == expected, f"{op}: {response.status_code} {response.get_data(as_text=True)}"
            return
        assert 200 <= response.status_code < 300, f"{op}: {response.status_code} {response.get_data(as_text=True)}"
        if op.action in ("list", "collection"):
            items, count = listed(mock, op, response)
            assert items, f"{op}: the pre-filled request lists nothing, though the default data has records"
            _, unfiltered = listed(mock, op, try_it_out(mock, op, only_required=True))
            assert count == unfiltered, f"{op}: the pre-filled values narrow the list from {unfiltered} to {count}"
    finally:
        if op.method != "get" or (dialect, operation_id) in PREPARED_BY:
            assert mock.client.post("/__mock/reset").status_code == 200  # the next operation sees the seed
