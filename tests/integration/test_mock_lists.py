"""Lists: pagination boundaries, filters, sorting and search, each checked against data the test walks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Mock
from tests.integration.helpers import (
    all_records,
    assert_error_envelope,
    assert_ordered,
    field_errors,
    list_page,
)
from tests.integration.pages import PAGES, dig

MAIN = {"revorbit": "/deals", "olympus": "/contacts", "concord": "/deals", "ysuite": "/deals"}
ID = {"revorbit": "id", "olympus": "id", "concord": "id", "ysuite": "deal_id"}


def test_default_page_size(make_mock: Callable[..., Mock], dialect: str) -> None:
    mock = make_mock(dialect, records=30)  # more than every default (25 is the largest)
    page = PAGES[mock.dialect]
    items, total, _ = list_page(mock, MAIN[mock.dialect])
    assert total == 30
    assert len(items) == page.default_size


def test_first_page_is_reported_one_based(mock: Mock) -> None:
    page = PAGES[mock.dialect]
    _, _, body = list_page(mock, MAIN[mock.dialect], **{page.page_param: page.first_page})
    assert dig(body, page.page) == 1  # YSUITE: pageIndex 0 -> current_page 1 (YS4)


def test_pages_are_disjoint_and_cover_the_collection(mock: Mock) -> None:
    page = PAGES[mock.dialect]
    path = MAIN[mock.dialect]
    everything = all_records(mock, path)
    size = 7
    seen: list[Any] = []
    number = page.first_page
    expected_pages = math.ceil(len(everything) / size)
    for _ in range(expected_pages):
        items, total, body = list_page(mock, path, **{page.page_param: number, page.size_param: size})
        assert total == len(everything)
        assert dig(body, page.page) == number - page.first_page + 1
        assert len(items) <= size
        seen.extend(r[ID[mock.dialect]] for r in items)
        number += 1
    assert len(seen) == len(set(seen)) == len(everything)
    assert set(seen) == {r[ID[mock.dialect]] for r in everything}
    past, total, _ = list_page(mock, path, **{page.page_param: number, page.size_param: size})
    assert past == [] and total == len(everything)


def test_last_page_fields(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    _, total, body = list_page(mock, "/deals", per_page=7)
    assert body["last_page"] == math.ceil(total / 7) and body["per_page"] == 7  # 000: pagination metadata
    mock = make_mock("ysuite")
    _, total, body = list_page(mock, "/deals", pageSize=7)
    assert body["data"]["total_pages"] == math.ceil(total / 7)  # 004
    mock = make_mock("concord")
    _, total, body = list_page(mock, "/deals", per_page=7)
    assert body["meta"]["last_page"] == math.ceil(total / 7) and body["meta"]["per_page"] == 7


@pytest.mark.parametrize("size", [1, 100])
def test_size_one_and_at_the_maximum(mock: Mock, size: int) -> None:
    page = PAGES[mock.dialect]
    items, total, _ = list_page(mock, MAIN[mock.dialect], **{page.size_param: size})
    assert len(items) == min(size, total)


@pytest.mark.parametrize("size", ["101", "0", "-1", "abc"])
def test_size_outside_the_range_is_a_validation_error(mock: Mock, size: str) -> None:
    page = PAGES[mock.dialect]
    response = mock.get(MAIN[mock.dialect], query_string={page.size_param: size})
    assert_error_envelope(mock, response, page.validation_status)
    assert page.size_param in field_errors(mock, response)


def test_page_before_the_first_is_a_validation_error(mock: Mock) -> None:
    page = PAGES[mock.dialect]
    response = mock.get(MAIN[mock.dialect], query_string={page.page_param: page.first_page - 1})
    assert_error_envelope(mock, response, page.validation_status)


# filters, sorting and search, per API, with the parameters the pages document ----------------------

def test_revorbit_stage_filter_and_value_sort(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    everything = all_records(mock, "/deals")
    stage = everything[0]["stage_id"]
    filtered = all_records(mock, "/deals", stage_id=stage)  # 001: stage_id filter
    assert filtered and all(d["stage_id"] == stage for d in filtered)
    assert len(filtered) == sum(1 for d in everything if d["stage_id"] == stage)
    several = sorted({d["stage_id"] for d in everything})[:2]
    csv = all_records(mock, "/deals", stage_ids=",".join(map(str, several)))  # 001: stage_ids CSV
    assert len(csv) == sum(1 for d in everything if d["stage_id"] in several)
    ordered = all_records(mock, "/deals", sort_by="value", sort_dir="DESC")  # 001: sort_by/sort_dir
    assert_ordered([d["value"] for d in ordered], descending=True)
    won = all_records(mock, "/deals", won="1")  # 001: won "0"/"1"
    assert len(won) == sum(1 for d in everything if d["is_won"])


def test_revorbit_default_sort_is_by_title(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    names = [d["name"] for d in all_records(mock, "/deals")]  # 001: sort_by default title, ASC
    assert names == sorted(names, key=str.casefold)


def test_revorbit_date_range_on_the_chosen_field(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    everything = all_records(mock, "/deals")
    dates = sorted(d["created_at"][:10] for d in everything)
    low, high = dates[len(dates) // 4], dates[3 * len(dates) // 4]
    within = all_records(mock, "/deals", date_field="created_at", date_from=low, date_to=high)
    assert len(within) == sum(1 for d in everything if low <= d["created_at"][:10] <= high)


def test_search_finds_by_name_and_is_literal(mock: Mock) -> None:
    params = {"revorbit": "search", "olympus": "search", "concord": "q", "ysuite": "search"}[mock.dialect]
    name_field = {"revorbit": "name", "olympus": "name", "concord": "name", "ysuite": "deal_name"}[mock.dialect]
    path = MAIN[mock.dialect]
    everything = all_records(mock, path)
    word = everything[3][name_field].split()[0]
    found = all_records(mock, path, **{params: word.upper()})
    assert everything[3][ID[mock.dialect]] in [r[ID[mock.dialect]] for r in found]
    assert all(word.lower() in str(r).lower() for r in found)
    # % and _ are literal characters, never LIKE wildcards (which would match every record)
    assert all("%" in str(r) for r in all_records(mock, path, **{params: "%"}))
    assert all("_" in str(r) for r in all_records(mock, path, **{params: "_"}))
    assert all_records(mock, path, **{params: "zzz%_'\"--;"}) == []


def test_olympus_contact_filters(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("olympus")
    everything = all_records(mock, "/contacts")
    status = everything[0]["status"]
    filtered = all_records(mock, "/contacts", status=status)  # 002: status filter
    assert len(filtered) == sum(1 for c in everything if c["status"] == status)


def test_olympus_deal_filters(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("olympus")
    everything = mock.get("/deals").get_json()["data"]
    stage = everything[0]["stage"]
    by_stage = mock.get("/deals", query_string={"stage": stage}).get_json()["data"]  # 002: stage filter
    assert len(by_stage) == sum(1 for d in everything if d["stage"] == stage)
    valued = sorted(d["value"] for d in everything if d.get("value") is not None)
    pivot = valued[len(valued) // 2]
    rich = mock.get("/deals", query_string={"min_value": pivot}).get_json()["data"]  # 002: min_value
    assert len(rich) == sum(1 for v in valued if v >= pivot)


def test_concord_order_parameter(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("concord")
    ordered = all_records(mock, "/deals", order="created_at|desc")  # 003 / CC6
    assert_ordered([d["created_at"] for d in ordered], descending=True)
    ascending = all_records(mock, "/deals", order="amount")
    assert_ordered([d["amount"] for d in ascending])


def test_ysuite_sort_and_filters(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("ysuite")
    ordered = all_records(mock, "/deals", sortBy="deal_amount", sortOrder="desc")  # 004: sortBy/sortOrder
    assert_ordered([d["deal_amount"] for d in ordered], descending=True)
    everything = all_records(mock, "/deals")
    pipeline = everything[0]["pipeline_id"]
    by_pipeline = all_records(mock, "/deals", pipeline_id=pipeline)  # 004: pipeline_id filter
    assert len(by_pipeline) == sum(1 for d in everything if d["pipeline_id"] == pipeline)


def test_unknown_sort_key_is_a_validation_error(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    response = mock.get("/deals", query_string={"sort_by": "drop table"})
    assert_error_envelope(mock, response, 422)
    assert "sort_by" in field_errors(mock, response)
