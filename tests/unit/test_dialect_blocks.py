"""Each document's parsed x-crm-dialect block (`crmspec.load(name).dialect`) holds the conventions the
vendor pages state. Every expected value is a literal copied from a seed page or from a decision of
dialects.md section 3; each row of CHECKS names where it comes from (shown when it fails).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

import crmspec
from crmspec import Api

Check = tuple[str, Callable[[Api], Any], Any, str]

SEEDS = {
    "revorbit": ("000_c16d5e80f2014639.txt", "001_7c240bb9e72bce7c.txt"),
    "olympus": ("002_1a2f25535e4c4a17.txt",),
    "concord": ("003_78770e749b03a975.txt",),
    "ysuite": ("004_b912df0f414c6405.txt",),
}

# Seed 002, overview table "Required Roles".
OLYMPUS_CRM_ROLES = {
    "marketing",
    "sales",
    "manager",
    "restaurant_manager",
    "tenant_admin",
    "platform_admin",
    "system_admin",
    "super_admin",
}

# dialects.md 1B Role model [K]: the platform's other roles, which the CRM does not accept (OC15).
OLYMPUS_PLATFORM_ROLES = {
    "platform_operator",
    "tenant_owner",
    "supervisor",
    "staff",
    "user",
    "bartender",
    "driver",
    "app_admin",
    "app_user",
    "device",
}


def _operation_roles(api: Api) -> set[frozenset[str]]:
    """The distinct role sets the secured operations accept."""
    return {frozenset(op.roles or ()) for op in api.operations if op.secured}


def _walk(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(value, dict):
            if part not in value:
                raise LookupError(f"no {part!r} in {sorted(value)}")
            value = value[part]
        else:
            value = getattr(value, part)
    return value


def _d(dotted: str) -> Callable[[Api], Any]:
    """A value of the parsed dialect (crmspec.model.Dialect), by attribute / dict key path."""
    return lambda api: _walk(api.dialect, dotted)


def _has(dotted: str, member: Any) -> Callable[[Api], Any]:
    return lambda api: member in _walk(api.dialect, dotted)


def _in(dotted: str, allowed: Any) -> Callable[[Api], Any]:
    return lambda api: _walk(api.dialect, dotted) in allowed


def _superset(dotted: str, members: set[str]) -> Callable[[Api], Any]:
    return lambda api: members <= set(_walk(api.dialect, dotted))


def _subset_except(dotted: str, known: set[str], allowed: set[str]) -> Callable[[Api], Any]:
    """Whether the members of a list outside `known` all belong to `allowed`."""
    return lambda api: set(_walk(api.dialect, dotted)) - known <= allowed


def _op(resource: str, action: str, dotted: str) -> Callable[[Api], Any]:
    """A value of the effective envelope (the dialect's entry merged with the operation's override) of
    the operation marked x-crm-operation {resource, action}."""

    def get(api: Api) -> Any:
        op = api.find(resource, action)
        if op is None:
            raise LookupError(f"no operation marked x-crm-operation {resource}/{action}")
        if op.envelope is None:
            raise LookupError(f"{op} has no envelope")
        return _walk(op.envelope, dotted)

    return get


def _deals_list_paginated(api: Api) -> bool:
    """Whether GET /deals's envelope reads any page field from a `pagination` block."""
    for op in api.operations:
        if op.method == "get" and op.path == "/deals" and op.envelope is not None:
            return any(str(v).startswith("pagination") for v in op.envelope.page_fields.values())
    raise LookupError("no GET /deals operation")


def _login(api: Api) -> Any:
    """(METHOD, full path) of the operation x-crm-dialect.auth.login_operation names, or None."""
    name = api.dialect.auth.login_operation
    if name is None:
        return None
    op = api.operation(name)
    return (op.method.upper(), op.full_path)


# (label, how to read the value, the literal the pages give, where it comes from)
CHECKS: dict[str, list[Check]] = {
    "revorbit": [
        ("base_path", _d("base_path"), "/api", "000: Base URL https://crm.revorbit.com/api"),
        ("page_param", _d("pagination.page_param"), "page", "000 Pagination; 001 query table"),
        ("size_param", _d("pagination.size_param"), "per_page", "000 Pagination; 001 query table"),
        ("first_page", _d("pagination.first_page"), 1, '001: page "Default: 1"'),
        ("reported_first_page", _d("pagination.reported_first_page"), 1, "001 list example: current_page 1"),
        ("default_size", _d("pagination.default_size"), 25, '001: per_page "Default: 25"'),
        ("max_size", _d("pagination.max_size"), 100, '000: "Maximum per_page is 100"'),
        ("list.items", _d("envelopes.list.items"), "data", "000 Pagination example: data:[...]"),
        ("list.page", _d("envelopes.list.page_fields.page"), "current_page", "000 Pagination example"),
        ("list.last_page", _d("envelopes.list.page_fields.last_page"), "last_page", "000 Pagination example"),
        ("list.size", _d("envelopes.list.page_fields.size"), "per_page", "000 Pagination example"),
        ("list.total", _d("envelopes.list.page_fields.total"), "total", "000 Pagination example"),
        ("list.success", _d("envelopes.list.success"), "optional", "RO1: optional on paginated lists"),
        ("item.data", _d("envelopes.item.data"), "data", "001 GET /deals/{id}: {success, data}"),
        ("item.success", _d("envelopes.item.success"), True, "001 GET /deals/{id}; RO1 strict"),
        ("collection.data", _d("envelopes.collection.data"), "data", "001 GET /deals/stages"),
        ("collection.success", _d("envelopes.collection.success"), True, "001 GET /deals/stages; RO1"),
        ("create.status", _d("envelopes.create.status"), 201, '000 status table "201 Created"; RO4'),
        ("create.accepts_200", _has("envelopes.create.statuses", 200), True, "RO4: accept 200/201"),
        ("errors.success", _d("errors.success"), False, "000 error example: success:false"),
        ("errors.message", _d("errors.message"), "message", "000 error example"),
        ("errors.field_errors", _d("errors.field_errors"), "errors", "000 error example"),
        ("errors.field_error_style", _d("errors.field_error_style"), "string", "000 error example; RO3"),
        ("status.validation", _d("errors.statuses.validation"), 422, '000 table "422 Validation Error"; RO2'),
        ("status.validation_alt", _d("errors.alternatives.validation"), (400,), "RO2: accept 422 or 400"),
        ("status.unauthorized", _d("errors.statuses.unauthorized"), 401, "000 status table"),
        ("status.forbidden", _d("errors.statuses.forbidden"), 403, "000 status table"),
        ("status.not_found", _d("errors.statuses.not_found"), 404, "000 status table"),
        ("status.rate_limited", _d("errors.statuses.rate_limited"), 429, "000 status table; Rate Limiting"),
        ("ids.type", _d("id_type"), "integer", '001 examples: "id": 10'),
        ("deals.id_field", _d("resources.deals.id_field"), "id", '001 examples: "id": 10'),
        ("auth.scheme", _d("auth.scheme"), "jwt", "000 Authentication: JWT"),
        ("auth.login", _login, ("POST", "/api/auth/login"), "dialects.md 1A Auth: POST /auth/login"),
    ],
    "olympus": [
        ("base_path", _d("base_path"), "/api/v1/crm", '002 overview "Base Path"; OC1'),
        ("ids.type", _d("id_type"), "string", '002 examples "contact_001"; X4'),
        ("contacts.id_prefix", _d("resources.contacts.id_prefix"), "contact", '002: "contact_001"'),
        ("deals.id_prefix", _d("resources.deals.id_prefix"), "deal", '002: "deal_001"'),
        ("item.data", _d("envelopes.item.data"), "", "002 Get Contact: a bare object; OC2"),
        ("item.no_success", _in("envelopes.item.success", ("absent", "optional")), True,
         "002 Get Contact: the bare object carries no success flag; OC2"),
        ("page_param", _d("pagination.page_param"), "page", "002 List Contacts query table"),
        ("size_param", _d("pagination.size_param"), "limit", "002 List Contacts query table"),
        ("contacts.list.items", _op("contacts", "list", "items"), "data", "002 List Contacts response"),
        ("contacts.list.page", _op("contacts", "list", "page_fields.page"), "pagination.page",
         "002 List Contacts response"),
        ("contacts.list.size", _op("contacts", "list", "page_fields.size"), "pagination.limit",
         "002 List Contacts response"),
        ("contacts.list.total", _op("contacts", "list", "page_fields.total"), "pagination.total",
         "002 List Contacts response"),
        ("deals.list.no_pagination", _deals_list_paginated, False,
         "002 List Deals response has no pagination block; OC3"),
        ("status.validation", _d("errors.statuses.validation"), 400, "platform errors page: 400; OC5"),
        ("codes.validation", _d("errors.codes.validation"), "VALIDATION_ERROR", "platform errors page; OC5"),
        ("status.not_found", _d("errors.statuses.not_found"), 404, "002 error table: contact_not_found"),
        ("status.conflict", _d("errors.statuses.conflict"), 409, "002 error table: 409 merge_conflict"),
        ("status.unauthorized", _d("errors.statuses.unauthorized"), 401, "1B platform errors [D]"),
        ("status.forbidden", _d("errors.statuses.forbidden"), 403, "dialects.md 1B platform errors [D]"),
        ("contacts.not_found_code", _d("resources.contacts.not_found_code"), "contact_not_found",
         "002 error table"),
        ("deals.not_found_code", _d("resources.deals.not_found_code"), "deal_not_found", "002 error table"),
        ("auth.scheme", _d("auth.scheme"), "jwt", '002 "Bearer Token"; dialects.md 1B Auth: JWT RS256'),
        # auth.roles lists every role the mock can issue (docs/dialect-block.md): the eight CRM roles of
        # 002 "Required Roles" plus, at most, non-CRM roles of the platform catalogue (1B [K]).
        ("auth.roles.crm", _superset("auth.roles", OLYMPUS_CRM_ROLES), True, '002 "Required Roles"'),
        ("auth.roles.others", _subset_except("auth.roles", OLYMPUS_CRM_ROLES, OLYMPUS_PLATFORM_ROLES), True,
         "dialects.md 1B Role model [K]: the only other roles"),
        ("operation.roles", _operation_roles, {frozenset(OLYMPUS_CRM_ROLES)},
         '002 "Required Roles": every CRM operation accepts exactly the eight'),
        ("auth.limited_role", _in("auth.limited_role", OLYMPUS_PLATFORM_ROLES), True, "OC15: a non-CRM role"),
        ("auth.default_role", _in("auth.default_role", OLYMPUS_CRM_ROLES), True, '002 "Required Roles"'),
        ("auth.role_claim", _d("auth.role_claim"), "roles", "dialects.md 1B Auth [D]: claim roles[]"),
        ("auth.lifetime", _d("auth.lifetime_seconds"), 3600, "dialects.md 1B Auth [D]: expires_in 3600"),
        ("auth.login", _login, ("POST", "/v1/auth/login"), "dialects.md 1B Auth [D]: POST /v1/auth/login"),
    ],
    "concord": [
        ("base_path", _d("base_path"), "/api", "003: https://relatecrm.example.com/api/deals"),
        ("ids.type", _d("id_type"), "integer", '003: "id (Required) integer"'),
        ("page_param", _d("pagination.page_param"), "page", "003 List Deals: ?page=2"),
        ("size_param", _d("pagination.size_param"), "per_page", "003 List Deals: ?per_page=20"),
        ("first_page", _d("pagination.first_page"), 1, "dialects.md 1C Pagination: 1-based [D]"),
        ("default_size", _d("pagination.default_size"), 15, "dialects.md 1C Pagination: defaults to 15 [D]"),
        ("max_size", _d("pagination.max_size"), 100, 'dialects.md 1C Pagination: "up to 100" [D]'),
        ("item.data", _d("envelopes.item.data"), "", "CC1: a single record is a bare object"),
        ("create.status", _d("envelopes.create.status"), 201, "CC1: Create 201"),
        ("update.status", _d("envelopes.update.status"), 200, "CC1: Update 200"),
        ("delete.status", _d("envelopes.delete.status"), 204, "CC1: Delete 204 (strict)"),
        ("delete.empty", _d("envelopes.delete.empty"), True, 'dialects.md 1C Envelopes: 204 "Empty body"'),
        ("list.items", _d("envelopes.list.items"), "data", "CC1: data[] + meta"),
        ("list.page", _d("envelopes.list.page_fields.page"), "meta.current_page", "CC1"),
        ("list.size", _d("envelopes.list.page_fields.size"), "meta.per_page", "CC1"),
        ("list.total", _d("envelopes.list.page_fields.total"), "meta.total", "CC1"),
        ("list.last_page", _d("envelopes.list.page_fields.last_page"), "meta.last_page", "CC1"),
        ("errors.success", _d("errors.success"), "absent", "1C Errors: Laravel {message, errors}"),
        ("errors.field_errors", _d("errors.field_errors"), "errors", "dialects.md 1C Errors: 422 errors{}"),
        ("errors.field_error_style", _d("errors.field_error_style"), "list",
         "dialects.md 1C Errors: errors:{field:[msg,...]}"),
        ("status.validation", _d("errors.statuses.validation"), 422, "dialects.md 1C Errors: 422; CC2, CC16"),
        ("status.not_found", _d("errors.statuses.not_found"), 404, "dialects.md 1C Errors: 404 {message}"),
        ("status.conflict", _d("errors.statuses.conflict"), 409, "dialects.md 1C Errors: 409 locks; CC9"),
        ("status.unauthorized", _d("errors.statuses.unauthorized"), 401, "dialects.md 1C Auth: 401 [D]"),
        ("status.rate_limited", _d("errors.statuses.rate_limited"), 429, "dialects.md 1C Errors: 429 [D]"),
        ("auth.scheme", _d("auth.scheme"), "token", '003 "Authorization: Bearer {token}"; Sanctum PAT'),
        ("auth.login", _login, None, "dialects.md 1C Auth: no token-issuing API is documented [D]"),
    ],
    "ysuite": [
        ("base_path", _d("base_path"), "/v1", "004: GET /v1/deals"),
        ("ids.type", _d("id_type"), "integer", '004 example: "deal_id": 7'),
        ("deals.id_field", _d("resources.deals.id_field"), "deal_id", '004: "id: The deal_id"'),
        ("contacts.id_field", _d("resources.contacts.id_field"), "cstid", "dialects.md 1D Ids: cstid"),
        ("page_param", _d("pagination.page_param"), "pageIndex", "004 query table"),
        ("first_page", _d("pagination.first_page"), 0, '004: "Zero-based page index (default 0)"'),
        ("reported_first_page", _d("pagination.reported_first_page"), 1, "004 example current_page 1; YS4"),
        ("size_param", _d("pagination.size_param"), "pageSize", "004 query table"),
        ("default_size", _d("pagination.default_size"), 10, '004: "(default 10, max 100)"'),
        ("max_size", _d("pagination.max_size"), 100, '004: "(default 10, max 100)"'),
        ("list.items", _d("envelopes.list.items"), "data.data", "004 list example: data.data[...]"),
        ("list.total", _d("envelopes.list.page_fields.total"), "data.total_records", "004 list example"),
        ("list.page", _d("envelopes.list.page_fields.page"), "data.current_page", "004 list example"),
        ("list.total_pages", _d("envelopes.list.page_fields.total_pages"), "data.total_pages",
         "004 list example"),
        ("list.success", _d("envelopes.list.success"), True, '004 list example: "success": true'),
        ("create.status", _d("envelopes.create.status"), 200, "YS3: create returns 200"),
        ("deals.create.fields", _op("deals", "create", "fields"), ("deal_id", "deal_name"),
         "004 create example: data {deal_id, deal_name}; YS7"),
        ("deals.create.message", _op("deals", "create", "message"), "Deal created successfully!",
         "004 create example"),
        ("deals.update.data", _op("deals", "update", "data"), None, "004 update example: no data; YS6"),
        ("deals.delete.data", _op("deals", "delete", "data"), None, "004 delete example: no data; YS6"),
        ("errors.success", _d("errors.success"), False, "1D Errors [D]: {success:false, message}"),
        ("errors.field_error_style", _d("errors.field_error_style"), "list",
         "dialects.md 1D Errors [D]: errors:{cstname:[...]}"),
        ("status.not_found", _d("errors.statuses.not_found"), 400, "YS2: not found is 400 (errors page)"),
        ("status.not_found_alt", _has("errors.alternatives.not_found", 404), True, "YS2: 404 accepted"),
        ("status.validation", _d("errors.statuses.validation"), 422, "dialects.md 1D Errors [D]: 422"),
        ("status.unauthorized", _d("errors.statuses.unauthorized"), 401, "1D Errors [D]: 401; YS1"),
        ("auth.scheme", _d("auth.scheme"), "key_pair", "dialects.md 1D Auth [D]: two headers, not bearer"),
        ("auth.access_header", _d("auth.access_header"), "x-ysuite-access-key", "dialects.md 1D Auth [D]"),
        ("auth.secret_header", _d("auth.secret_header"), "x-ysuite-secret-key", "dialects.md 1D Auth [D]"),
        ("auth.limited_role", _d("auth.limited_role"), None, "dialects.md 1D Auth: no user roles exposed"),
        ("auth.login", _login, None, "dialects.md 1D Auth: keys come from Settings, no login endpoint"),
    ],
}


@functools.cache
def _load(dialect: str) -> Api | crmspec.CrmSpecError:
    try:
        return crmspec.load(dialect)
    except crmspec.CrmSpecError as exc:
        return exc


def _api(dialect: str) -> Api:
    result = _load(dialect)
    if isinstance(result, crmspec.CrmSpecError):
        pytest.fail(f"{dialect}: the document does not load: {result}")
    return result


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    return bool(actual == expected)


@pytest.mark.parametrize(
    ("dialect", "label", "get", "expected", "source"),
    [pytest.param(d, *row, id=f"{d}-{row[0]}") for d, rows in CHECKS.items() for row in rows],
)
def test_dialect_value(
    dialect: str, label: str, get: Callable[[Api], Any], expected: Any, source: str
) -> None:
    api = _api(dialect)
    try:
        actual = get(api)
    except (LookupError, AttributeError) as exc:
        pytest.fail(f"{dialect} {label}: cannot read it ({exc}); the pages say {expected!r} [{source}]")
    assert _same(actual, expected), (
        f"{dialect} {label}: the document has {actual!r}, the pages say {expected!r} [{source}]"
    )


@pytest.mark.parametrize("dialect", sorted(CHECKS))
def test_dialect_id_and_sources(dialect: str) -> None:
    dialect_block = _api(dialect).dialect
    assert dialect_block.id == dialect
    # dialects.md section 0: which seed pages document which product.
    assert set(dialect_block.sources) == set(SEEDS[dialect]), f"{dialect}: sources {dialect_block.sources}"


@pytest.mark.parametrize("dialect", sorted(CHECKS))
def test_security_scheme_is_declared(dialect: str) -> None:
    api = _api(dialect)
    schemes = (api.document.get("components") or {}).get("securitySchemes") or {}
    assert api.dialect.auth.security_scheme in schemes, (
        f"{dialect}: auth.security_scheme {api.dialect.auth.security_scheme!r} not in {sorted(schemes)}"
    )


def test_ysuite_security_scheme_sends_the_two_headers() -> None:
    """1D Auth [D]: x-ysuite-access-key and x-ysuite-secret-key on every call, as apiKey headers."""
    api = _api("ysuite")
    schemes = (api.document.get("components") or {}).get("securitySchemes") or {}
    headers = {
        str(s.get("name", "")).lower()
        for s in schemes.values()
        if s.get("type") == "apiKey" and s.get("in") == "header"
    }
    wanted = {"x-ysuite-access-key", "x-ysuite-secret-key"}
    assert wanted <= headers, f"apiKey header schemes: {sorted(headers)}"
