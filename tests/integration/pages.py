"""What the tests expect of each API, written from the seed pages and dialects.md, not from the code.

Each entry names where it comes from. The tests read responses through these literal paths, so a
mock that drifted from the pages fails even if it agreed with its own document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    base: str
    items: tuple[str, ...]                 # where a list page's items sit
    total: tuple[str, ...]
    page: tuple[str, ...]                  # the page number as the response reports it
    page_param: str
    size_param: str
    first_page: int                        # the first page as the request sends it
    default_size: int
    max_size: int
    create_status: int
    delete_status: int
    not_found_status: int
    validation_status: int
    malformed_status: int                  # a body that is not JSON at all
    record: tuple[str, ...]                # where a single record sits ("" path = bare)
    field_errors: tuple[str, ...]
    field_error_is_list: bool
    error_success_false: bool
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)


def dig(body: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        body = body[part]
    return body


PAGES: dict[str, Page] = {
    # 000: {data, current_page, last_page, per_page, total}; per_page 25, max 100; 201 Created; errors
    # {success:false, message, errors:{field:"msg"}}; 001: single deal {success, data}; RO2/RO5 decisions.
    "revorbit": Page(
        base="/api", items=("data",), total=("total",), page=("current_page",), page_param="page",
        size_param="per_page", first_page=1, default_size=25, max_size=100, create_status=201,
        delete_status=200, not_found_status=404, validation_status=422, record=("data",),
        malformed_status=400,  # 000's status table: "400 Bad Request - Invalid input"
        field_errors=("errors",), field_error_is_list=False, error_success_false=True,
        resources={
            # 001: name and stage_id are Required; stage "Proposal" is one of the page's stages
            "deals": {"path": "/deals", "id": "id", "create": {"name": "Zeta Rollout", "stage_id": 3, "value": 1200},
                      "update": {"name": "Zeta Rollout II", "stage_id": 3, "value": 1500}, "required": "name",
                      "name_field": "name"},
            "contacts": {"path": "/contacts", "id": "id",
                         "create": {"name": "Ada Lovelace", "email": "ada@example.org"},
                         "update": {"name": "Ada King", "email": "ada@example.org"}, "required": "name",
                         "name_field": "name"},
        },
    ),
    # 002: contacts list {data, pagination:{page, limit, total}}; bare single objects; prefixed string ids;
    # platform errors (OC4/OC5): validation 400 with details.
    "olympus": Page(
        base="/api/v1/crm", items=("data",), total=("pagination", "total"), page=("pagination", "page"),
        page_param="page", size_param="limit", first_page=1, default_size=20, max_size=100, create_status=201,
        delete_status=204, not_found_status=404, validation_status=400, record=(), field_errors=("details",),
        malformed_status=400,  # the platform error page: invalid input is 400 (OC5)
        field_error_is_list=True, error_success_false=False,
        resources={
            "contacts": {"path": "/contacts", "id": "id",
                         "create": {"name": "Jane Doe", "email": "jane.doe@example.org", "type": "lead"},
                         "update": {"name": "Jane Roe", "email": "jane.doe@example.org", "type": "lead"},
                         "required": "name", "name_field": "name"},
        },
    ),
    # 003 + CC1: list {data, links, meta{current_page, per_page, total, last_page}}; bare single; 201; 204;
    # 422 {message, errors{field:[..]}}; per_page default 15.
    "concord": Page(
        base="/api", items=("data",), total=("meta", "total"), page=("meta", "current_page"), page_param="page",
        size_param="per_page", first_page=1, default_size=15, max_size=100, create_status=201, delete_status=204,
        not_found_status=404, validation_status=422, record=(), field_errors=("errors",), field_error_is_list=True,
        error_success_false=False,
        # 003 documents no answer to a body that is not JSON; Laravel's framework answer to one is 400
        malformed_status=400,
        resources={
            "deals": {"path": "/deals", "id": "id", "create": {"name": "Zeta Rollout", "stage_id": 1, "amount": 900},
                      "update": {"name": "Zeta Rollout II", "stage_id": 1}, "required": "name", "name_field": "name"},
            "contacts": {"path": "/contacts", "id": "id", "create": {"first_name": "Ada", "last_name": "Lovelace",
                                                                     "email": "ada.lovelace@example.org"},
                         "update": {"first_name": "Ada", "last_name": "King"}, "required": "first_name",
                         "name_field": "first_name"},
        },
    ),
    # 004: list {success, data:{data, current_page, total_records, total_pages}}; pageIndex zero-based,
    # pageSize 10/100; create 200 {deal_id, deal_name}; not found 400 (errors page); 422 errors{f:[..]}.
    "ysuite": Page(
        base="/v1", items=("data", "data"), total=("data", "total_records"), page=("data", "current_page"),
        page_param="pageIndex", size_param="pageSize", first_page=0, default_size=10, max_size=100,
        create_status=200, delete_status=200, not_found_status=400, validation_status=422, record=("data",),
        malformed_status=400,  # 004's statuses: 400 for a request the API refuses outside field validation
        field_errors=("errors",), field_error_is_list=True, error_success_false=True,
        resources={
            "deals": {"path": "/deals", "id": "deal_id",
                      "create": {"deal_name": "Acme Corp — Enterprise License", "pipeline_id": 1, "cstid": "$business"},
                      "update": {"deal_name": "Acme Corp — Renewal", "pipeline_id": 1, "cstid": "$business"},
                      "required": "deal_name", "name_field": "deal_name"},
        },
    ),
}
