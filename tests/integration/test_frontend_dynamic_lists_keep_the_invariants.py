"""`Prefer: dynamic=true` on every list operation of every API, for several seeds and page requests, still
obeys the API's own invariants: the page fields of the dialect's pagination block agree with the items and
with each other (the page asked for is at most the last page, the item count at most the page size and
what the total leaves for this page), enum fields take their enum's values, amounts are not negative, and
the body validates against the operation's response schema.

The page arithmetic is written here from what the fields mean, not read from the mock: `total` records in
pages of `size` leave `total - (page - 1) * size` (at most `size`, at least 0) for page `page`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from crmspec import dotted
from crmspec.model import Operation
from tests.conftest import DIALECTS, Mock, load_api
from tests.integration.frontend import url_of

MONEY = ("value", "amount", "price", "cost", "budget", "revenue", "total", "subtotal", "balance", "fee",
         "discount", "tax", "usd", "eur", "gbp")


def tokens(name: str) -> list[str]:
    """`dealAmount` / `deal_amount` -> ["deal", "amount"]."""
    return [w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if w]


def list_operations(dialect: str) -> list[Operation]:
    api = load_api(dialect)
    return [op for op in api.operations if op.action == "list" and api.dialect.envelope_for(op, "list").page_fields]


def money(path: str) -> bool:
    """An amount of money, by its name: `value`, `deal_amount`, `pipeline_summary.total_value`, `unit_price`."""
    words = tokens(path.rsplit(".", 1)[-1])
    return any(w in MONEY for w in words) and not any(w in ("rate", "percent", "count", "id") for w in words)


def numbers(value: Any, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from numbers(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, float(value)


def enums(schema: dict[str, Any]) -> dict[str, list[Any]]:
    """The record schema's enum properties (top level, and in `anyOf`/`oneOf` branches)."""
    found: dict[str, list[Any]] = {}
    for name, sub in (schema.get("properties") or {}).items():
        for branch in [sub, *(sub.get("anyOf") or []), *(sub.get("oneOf") or [])]:
            if isinstance(branch, dict) and "enum" in branch:
                found.setdefault(name, []).extend(branch["enum"])
    return found


def page_request(dialect: str, page: int | None, size: int | None) -> dict[str, str]:
    pagination = load_api(dialect).dialect.pagination
    query = {}
    if page is not None:
        query[pagination.page_param] = str(pagination.first_page + page)
    if size is not None:
        query[pagination.size_param] = str(size)
    return query


def check_page(mock: Mock, operation: Operation, body: dict[str, Any], query: dict[str, str]) -> None:
    dialect = mock.api.dialect
    envelope = dialect.envelope_for(operation, "list")
    pagination = dialect.pagination
    fields = {key: dotted.get(body, path) for key, path in envelope.page_fields.items()}
    items = dotted.get(body, envelope.items or "data")
    assert isinstance(items, list)
    asked = int(query.get(pagination.size_param, pagination.default_size))
    size = fields.get("size", asked)
    assert size == asked, (fields, query)  # the page size asked for (else the default) is the one answered
    total, page = fields["total"], fields["page"]
    first = pagination.reported_first_page
    assert page >= first and total >= 0, fields
    left = total - (page - first) * size
    assert len(items) == max(0, min(size, left)), (fields, len(items))
    pages = math.ceil(total / size)
    if "last_page" in fields:
        assert fields["last_page"] == max(pages, 1), fields
    if "total_pages" in fields:
        assert fields["total_pages"] == pages, fields
    assert page <= max(pages, 1), fields  # current_page <= last_page
    if pagination.page_param in query:
        assert page == int(query[pagination.page_param]) - pagination.first_page + first or not items, (fields, query)


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=8, derandomize=True, deadline=None, database=None, phases=[Phase.generate])
@given(seed=st.integers(0, 2**31 - 1), page=st.one_of(st.none(), st.integers(0, 4)),
       size=st.one_of(st.none(), st.integers(1, 100)))
def test_dynamic_list_pages_keep_the_api_invariants(dialect: str, seed: int, page: int | None,
                                                   size: int | None) -> None:
    mock = Mock(dialect, seed=seed, records=1)
    query = page_request(dialect, page, size)
    for operation in list_operations(dialect):
        schema = operation.raw["responses"]["200"]["content"]["application/json"]["schema"]
        record_enums = enums(mock.api.dialect.resources[operation.resource].schema)
        envelope = mock.api.dialect.envelope_for(operation, "list")
        for _ in range(3):
            response = mock.client.get(url_of(operation), headers={**mock.headers, "Prefer": "dynamic=true"},
                                       query_string=query)
            assert response.status_code == 200 and response.headers["X-Mock-Source"] == "schema"
            body = response.get_json()
            assert not list(jsonschema.Draft202012Validator(schema).iter_errors(body)), operation
            check_page(mock, operation, body, query)
            for item in dotted.get(body, envelope.items or "data"):
                for name, allowed in record_enums.items():
                    assert name not in item or item[name] in allowed, (operation, name, item[name])
            negative = [(path, n) for path, n in numbers(body) if money(path) and n < 0]
            assert not negative, (operation, negative)
