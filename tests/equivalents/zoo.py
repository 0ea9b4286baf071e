"""The equivalents zoo, the mirror of the mutant zoo: changes to the mock that the pages ALLOW.

Each variant is a behaviour a server written from the vendor's pages could have, one the mock does not
choose, and names the statement (a page's words, or a dialects.md section 3 decision) that allows it.
The suite must certify the mock at `--level standard` under each variant alone and under all of one
API's variants at once: a variant that fails the suite is a false positive of a check, to fix in the
check, never in the variant. Every variant is applied consistently (a "create answers 200" variant
changes every create of its API), and tests/equivalents/test_variants_change_behaviour.py proves each
one really changes what the mock answers.

Composition. `apply` wraps the app's WSGI callable (or swaps a store hook), so the variant applied last
sees the request first and the answer last. Each API's variants are listed in the order `all_at_once`
applies them, innermost first:
  1. the store's sort order and document transforms (they change the mock itself);
  2. request rewrites and answers built from several requests to the mock (they read the mock's own
     shapes, so nothing may have reshaped them yet);
  3. status changes (they recognise an error by the mock's own codes, before any code is rewritten);
  4. field edits inside bodies (timestamps, nulls, extra fields, error details and codes), before
  5. envelope changes that move those fields (a `data` wrapper, a nested error, a moved page block, an
     empty 204), so an edit never misses a record that a wrapper hid;
  6. answers that replace the mock's (a page past the end, operations not implemented), outermost.
One exception: Concord's `select=` projection runs after the nulls (it drops the unselected fields they
add) and before the extra fields (so every item still carries one). Within a step, variants touch
different answers or commute. test_variants_change_behaviour.py replays each variant's probe on the
all-at-once app to prove that no variant undoes another (a probe another variant makes moot, a 204
delete where every delete is not implemented, is skipped there with the reason).
"""

from __future__ import annotations

import copy
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from crmspec import dotted
from crmspec.model import Operation
from crmspec.schemas import flatten
from mock_server.app import mock_of
from mock_server.errors import MethodNotAllowed, NotFound, RouteNotFound, ValidationFailed
from tests.equivalents.pieces import (
    Compare,
    action,
    admitted,
    error_answer,
    every,
    is_error,
    on_operation_json,
    on_operations,
    operation_of,
    optional_properties,
    page_blocks,
    records_of,
    sorted_by_store,
    strings,
    timestamps,
)
from tests.mutants.documents import without_page_maximum
from tests.mutants.middleware import Request, Response, Send, intercept, on_response, restatus

APIS = ("revorbit", "olympus", "concord", "ysuite")
EXTRA_FIELD = "vendor_extension"   # in no document: an undocumented field (X1)


@dataclass(frozen=True)
class Variant:
    name: str
    dialect: str
    allowed_by: str                             # the page statement or section 3 decision that allows it
    apply: Callable[[Flask], None]              # installs the change on the mock's app
    records: int = 15
    document: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # the MOCK's document only

    def __post_init__(self) -> None:
        if self.dialect not in APIS:
            raise ValueError(f"{self.name}: unknown API {self.dialect!r}")


def all_at_once(dialect: str, variants: tuple[Variant, ...]) -> Variant:
    """One variant made of all of `dialect`'s, applied in the zoo's order (see the module docstring)."""
    mine = tuple(v for v in variants if v.dialect == dialect)
    documents = [v.document for v in mine if v.document is not None]

    def apply(app: Flask) -> None:
        for variant in mine:
            variant.apply(app)

    def document(original: dict[str, Any]) -> dict[str, Any]:
        for transform in documents:
            original = transform(original)
        return original

    return Variant(f"{dialect}_all_at_once", dialect, "every allowance of the variants above, together", apply,
                   max(v.records for v in mine), document if documents else None)


# operations the pages never define ------------------------------------------------------------------
def _inferred_not_implemented(app: Flask) -> None:
    """404 on every path whose operations are all `x-source: inferred`, 405 for an inferred method on a
    path that also has page-sourced ones, read from the document. The login operation stays: the suite
    signs in through it (RO19 'Login: strict'; OC19 'the JWT path is the documented one')."""
    mock = mock_of(app)
    login = mock.api.dialect.auth.login_operation
    by_path: dict[str, list[Operation]] = {}
    for op in mock.api.operations:
        by_path.setdefault(op.full_path, []).append(op)

    def handler(request: Request, send: Send) -> Response:
        path = mock.routes.resolve(request.path)
        ops = by_path.get(path or "", [])
        if request.method == "OPTIONS" or not ops or any(op.action == login for op in ops):
            return send(request)
        documented = sorted(op.method.upper() for op in ops if op.source != "inferred")
        if not documented:
            return error_answer(app, RouteNotFound("The requested URL was not found on this server."))
        op = operation_of(app, request)
        if op is not None and op.source == "inferred":
            return error_answer(app, MethodNotAllowed("The method is not allowed for the requested URL.",
                                                      headers={"Allow": ", ".join(documented)}))
        return send(request)

    intercept(app, "* /**", handler)


# pages, page sizes and order -------------------------------------------------------------------------
def _clamped_page_window(negative_page: bool) -> Callable[[Flask], None]:
    """A page size above the maximum is served at the maximum (and, if `negative_page`, a page index
    below the first page is the first page) instead of being refused."""
    def apply(app: Flask) -> None:
        pag = mock_of(app).api.dialect.pagination

        def edit(request: Request) -> None:
            size = request.query.get(pag.size_param, "")
            if size.lstrip("-").isdigit() and int(size) > pag.max_size:
                request.query[pag.size_param] = str(pag.max_size)
            page = request.query.get(pag.page_param, "")
            if negative_page and page.lstrip("-").isdigit() and int(page) < pag.first_page:
                request.query[pag.page_param] = str(pag.first_page)

        def handler(request: Request, send: Send, op: Operation) -> Response:
            edit(request)
            return send(request)

        on_operations(app, action("list"), handler)

    return apply


def _past_the_end_not_found(app: Flask) -> None:
    """A page after the last one answers 404 in the API's error envelope instead of an empty page."""
    dialect = mock_of(app).api.dialect

    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        payload = response.json()
        fields = dialect.envelope_for(op).page_fields
        page, last = dotted.get(payload, fields.get("page")), dotted.get(payload, fields.get("last_page"))
        if response.status == 200 and isinstance(page, int) and isinstance(last, int) and page > last:
            return error_answer(app, NotFound(f"Page {page} does not exist: the last page is {last}."))
        return response

    on_operations(app, action("list"), handler)


def _code_points(a: Any, b: Any) -> int:
    """PostgreSQL's "C" collation (MySQL's utf8mb4_bin): text by code point, 'Zeta' before 'alpha';
    NULLs where SQLite puts them (smallest), so this changes the collation only."""
    if a is None or b is None:
        return (a is not None) - (b is not None)
    return (a > b) - (a < b)


def _folded(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _accent_and_case_insensitive(a: Any, b: Any) -> int:
    """MySQL's default utf8mb4_0900_ai_ci, Laravel's usual database: 'émile' sorts with 'Emile', before
    'Zoë'; NULLs smallest, as MySQL and SQLite both put them."""
    if a is None or b is None:
        return (a is not None) - (b is not None)
    fa, fb = _folded(a), _folded(b)
    return (fa > fb) - (fa < fb)


def _nulls_largest(a: Any, b: Any) -> int:
    """PostgreSQL's default: NULL sorts after every value (last ascending, first descending). Every
    non-null pair compares equal, so the order the store already gave them stays."""
    return (a is None) - (b is None)


def _collation(compare: Compare) -> Callable[[Flask], None]:
    return lambda app: sorted_by_store(app, compare)


def _sort_ignored(app: Flask) -> None:
    """sortBy/sortOrder are not honoured: lists come in the server's own order."""
    def edit(request: Request, send: Send, op: Operation) -> Response:
        if op.sort is not None:
            request.query.pop(op.sort.param, None)
            if op.sort.dir_param:
                request.query.pop(op.sort.dir_param, None)
        return send(request)

    on_operations(app, action("list"), edit)


def _unpaginated(*paths: str) -> Callable[[Flask], None]:
    """These lists ignore page and page size: one answer with every matching record, no page block."""
    def apply(app: Flask) -> None:
        mock = mock_of(app)
        pag = mock.api.dialect.pagination

        def handler(request: Request, send: Send, op: Operation) -> Response:
            asked = {k: v for k, v in request.query.items() if k not in (pag.page_param, pag.size_param)}
            items: list[Any] = []
            page = pag.first_page
            while True:
                response = send(request.copy(query={**asked, pag.page_param: str(page),
                                                    pag.size_param: str(pag.max_size)}))
                found = records_of(mock.api.dialect, op, response.json()) if response.status == 200 else None
                if found is None or response.status != 200:
                    return response
                items.extend(found)
                total = dotted.get(response.json(), mock.api.dialect.envelope_for(op).page_fields.get("total"))
                if not found or not isinstance(total, int) or len(items) >= total:
                    break
                page += 1
            response.set_json({"data": items})
            return response

        on_operations(app, lambda op: op.action == "list" and op.path in paths, handler)

    return apply


# statuses ---------------------------------------------------------------------------------------------
def _restatus(pick: Callable[[Operation], bool], old: int, new: int) -> Callable[[Flask], None]:
    edit = restatus(old, new)

    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        edit(request, response)
        return response

    return lambda app: on_operations(app, pick, handler)


def _deleted_without_content(app: Flask) -> None:
    """Deletes answer 204 No Content instead of 200 with a message."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        if response.status == 200:
            response.status, response.body = 204, b""
            response.headers.pop("Content-Type", None)
        return response

    on_operations(app, action("delete"), handler)


def _deleted_with_body(body: Callable[[str], dict[str, Any]]) -> Callable[[Flask], None]:
    """Deletes answer 200 with a small JSON body instead of 204 No Content."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        if response.status == 204:
            response.status = 200
            response.set_json(body(request.path.rsplit("/", 1)[-1]))
        return response

    return lambda app: on_operations(app, action("delete"), handler)


def _error_code_swap(status: int, code: str, new_status: int, new_error: str) -> Callable[[Flask], None]:
    """Olympus: an error answered `status` with the CRM `code` answers `new_status` with the platform
    error `new_error` instead (the CRM code is kept)."""
    def apply(app: Flask) -> None:
        conv = mock_of(app).api.dialect.errors

        def edit(request: Request, response: Response) -> None:
            payload = response.json()
            if response.status == status and isinstance(payload, dict) and dotted.get(payload, conv.code) == code:
                response.status = new_status
                dotted.put(payload, str(conv.error), new_error)
                response.set_json(payload)

        on_response(app, "* /**", edit)

    return apply


def _validation_status(new: int) -> Callable[[Flask], None]:
    """Validation errors answer `new` instead of the API's preferred status. Where the API has error codes
    (Olympus), only the generic VALIDATION_ERROR moves: a CRM-coded refusal keeps its status (OC4: 'Strict
    HTTP status: ... 400 invalid stage')."""
    def apply(app: Flask) -> None:
        conv = mock_of(app).api.dialect.errors
        code = conv.codes.get("validation")

        def edit(request: Request, response: Response) -> None:
            payload = response.json()
            if response.status != conv.status("validation") or not isinstance(payload, dict):
                return
            if code is None or dotted.get(payload, str(conv.error)) == dotted.get(payload, str(conv.code)) == code:
                response.status = new

        on_response(app, "* /**", edit)

    return apply


# fields inside bodies -----------------------------------------------------------------------------------
def _timestamps(change: Callable[[Any], str]) -> Callable[[Flask], None]:
    return lambda app: on_operation_json(app, every, lambda payload, op: strings(payload, timestamps(change)))


def _without_fraction(found: Any) -> str:
    return str(found.group(1)) + (found.group(3) or "")


def _laravel_microseconds(found: Any) -> str:
    return str(found.group(1)) + (found.group(2) or ".000000") + (found.group(3) or "")


def _naive(found: Any) -> str:
    return str(found.group(1)) + (found.group(2) or "")


def _nulls_for_absent(app: Flask) -> None:
    """Every optional field of a record that the mock leaves out is sent as null."""
    dialect = mock_of(app).api.dialect

    def edit(payload: Any, op: Operation) -> None:
        for record in records_of(dialect, op, payload):
            for name in optional_properties(dialect, op.resource):
                record.setdefault(name, None)

    on_operation_json(app, every, edit)


def _absent_for_nulls(app: Flask) -> None:
    """Every optional field of a record that the mock sends as null is left out."""
    dialect = mock_of(app).api.dialect

    def edit(payload: Any, op: Operation) -> None:
        for record in records_of(dialect, op, payload):
            for name in optional_properties(dialect, op.resource):
                if name in record and record[name] is None:
                    del record[name]

    on_operation_json(app, every, edit)


def _extra_fields(app: Flask) -> None:
    """An undocumented field on every body, every record and every page block, errors included."""
    dialect = mock_of(app).api.dialect

    def edit(payload: Any, op: Operation) -> None:
        for holder in [payload, *records_of(dialect, op, payload), *page_blocks(dialect, op, payload)]:
            if isinstance(holder, dict):
                holder[EXTRA_FIELD] = "an undocumented field"

    on_operation_json(app, every, edit, statuses=lambda status: status < 500)


def _weights_as_text(payload: Any) -> Any:
    """Revenue Orbit risk factors: a numeric weight sent as a numeric string ("25")."""
    if isinstance(payload, dict):
        factors = payload.get("risk_factors")
        for factor in factors if isinstance(factors, list) else []:
            if isinstance(factor, dict) and isinstance(factor.get("weight"), int | float):
                factor["weight"] = f"{factor['weight']:g}"
        for value in payload.values():
            _weights_as_text(value)
    elif isinstance(payload, list):
        for value in payload:
            _weights_as_text(value)
    return payload


def _field_errors(style: Callable[[Any], Any]) -> Callable[[Flask], None]:
    """Each field error's messages in another style (a list of strings, or one string)."""
    def apply(app: Flask) -> None:
        path = str(mock_of(app).api.dialect.errors.field_errors)

        def edit(payload: Any, op: Operation) -> None:
            errors = dotted.get(payload, path)
            if isinstance(errors, dict):
                dotted.put(payload, path, {name: style(value) for name, value in errors.items()})

        on_operation_json(app, every, edit, statuses=is_error)

    return apply


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _as_text(value: Any) -> Any:
    return " ".join(str(v) for v in value) if isinstance(value, list) else value


def _platform_codes(app: Flask) -> None:
    """Olympus errors carry the platform's UPPER_CASE code in `code` too, as the platform's error page
    writes them ({error: "NOT_FOUND", code: "NOT_FOUND"}), not the CRM page's contact_not_found."""
    conv = mock_of(app).api.dialect.errors

    def edit(payload: Any, op: Operation) -> None:
        platform = dotted.get(payload, str(conv.error))
        if isinstance(payload, dict) and isinstance(platform, str):
            dotted.put(payload, str(conv.code), platform)

    on_operation_json(app, every, edit, statuses=is_error)


def _message_in_error(app: Flask) -> None:
    """Concord 401/403 bodies say {"error": "..."} instead of {"message": "..."} (Sanctum's access-api gate)."""
    def edit(payload: Any, op: Operation) -> Any:
        if isinstance(payload, dict) and isinstance(payload.get("message"), str):
            return {"error": payload["message"], **{k: v for k, v in payload.items() if k != "message"}}
        return payload

    on_operation_json(app, every, edit, statuses=lambda status: status in (401, 403))


# envelopes ---------------------------------------------------------------------------------------------
def _success_on_lists(app: Flask) -> None:
    on_operation_json(app, action("list"), lambda payload, op: {"success": True, **payload}
                      if isinstance(payload, dict) else payload)


def _update_without_data(app: Flask) -> None:
    def edit(payload: Any, op: Operation) -> None:
        if isinstance(payload, dict):
            payload.pop("data", None)

    on_operation_json(app, action("update"), edit)


def _data_wrapper(app: Flask) -> None:
    """Every answer that is one record (read, create, update, and the actions answering the record they
    changed) wrapped in {"data": {...}}, as Laravel's JsonResource does unless an app calls
    withoutWrapping(). Lists, bare-array searches and bodies that are no record (a score) stay as they are."""
    resources = mock_of(app).api.dialect.resources

    def edit(payload: Any, op: Operation) -> Any:
        resource = resources.get(op.resource)
        if resource is not None and isinstance(payload, dict) and resource.id_field in payload:
            return {"data": payload}
        return payload

    on_operation_json(app, lambda op: op.action not in ("list", "collection"), edit)


def _page_block_per_page(app: Flask) -> None:
    """Olympus's SDK block: {page, per_page, total, total_pages} instead of the page's {page, limit, total}."""
    def edit(payload: Any, op: Operation) -> None:
        block = payload.get("pagination") if isinstance(payload, dict) else None
        if isinstance(block, dict) and isinstance(block.get("limit"), int) and isinstance(block.get("total"), int):
            block["per_page"] = block.pop("limit")
            block["total_pages"] = math.ceil(block["total"] / block["per_page"]) if block["per_page"] else 0

    on_operation_json(app, action("list"), edit)


def _page_fields_at_top_level(app: Flask) -> None:
    """No pagination block: its fields sit beside `data`, as the SDK's generic model also reads them."""
    def edit(payload: Any, op: Operation) -> None:
        block = payload.pop("pagination", None) if isinstance(payload, dict) else None
        for key, value in (block or {}).items():
            payload.setdefault(key, value)

    on_operation_json(app, action("list"), edit)


def _nested_error(app: Flask) -> None:
    """Olympus errors as the platform SDK parses them: {"error": {"code", "message", "details",
    "request_id"}} instead of flat keys."""
    moved = ("message", "details", "request_id", "timestamp")

    def edit(payload: Any, op: Operation) -> Any:
        if not isinstance(payload, dict):
            return payload
        inner = {"code": payload.get("code") or payload.get("error")}
        inner.update({key: payload[key] for key in moved if key in payload})
        rest = {k: v for k, v in payload.items() if k not in (*moved, "code", "error")}
        return {"error": inner, **rest}

    on_operation_json(app, every, edit, statuses=is_error)


def _projection(app: Flask) -> None:
    """Concord `select=a;b`: list and search items carry exactly the fields asked for."""
    dialect = mock_of(app).api.dialect

    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        wanted = [f.strip() for f in request.query.get("select", "").split(";") if f.strip()]
        payload = response.json()
        if response.status != 200 or not wanted or payload is None:
            return response
        for record in records_of(dialect, op, payload):
            for key in [k for k in record if k not in wanted]:
                del record[key]
        response.set_json(payload)
        return response

    on_operations(app, action("list", "collection"), handler)


# Concord's rules, answered another allowed way ------------------------------------------------------------
def _current(send: Send, request: Request) -> dict[str, Any] | None:
    """The record an update names, as a read of the same URL answers it (bare, or in a data wrapper)."""
    read = send(request.copy(method="GET", body=b"", query={}))
    payload = read.json()
    if read.status != 200 or not isinstance(payload, dict):
        return None
    inner = payload.get("data")
    return inner if set(payload) == {"data"} and isinstance(inner, dict) else payload


def _required_on_update(op: Operation) -> list[str]:
    content = (op.raw.get("requestBody") or {}).get("content") or {}
    schema = flatten(dict((content.get("application/json") or {}).get("schema") or {}))
    return list(dict.fromkeys([*op.required_on_update, *(schema.get("required") or [])]))


def _omitted_fields_kept(app: Flask) -> None:
    """A deal update may leave out name and stage_id: they keep their values (Concord's `filled` rule);
    an empty name is still refused."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        body = request.json()
        missing = [f for f in _required_on_update(op) if isinstance(body, dict) and f not in body]
        current = _current(send, request) if missing else None
        if current is not None and isinstance(body, dict):
            request.set_json({**{f: current[f] for f in missing if f in current}, **body})
        return send(request)

    on_operations(app, lambda op: op.resource == "deals" and op.action == "update", handler)


def _amount_with_products_refused(app: Flask) -> None:
    """A deal update that sends `amount` while the deal has products is refused with 422 errors.amount
    (Laravel's `prohibited`), instead of the amount being silently ignored."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        body = request.json()
        current = _current(send, request) if isinstance(body, dict) and "amount" in body else None
        products = dotted.get(current, "billable.products") if current else None
        if isinstance(products, list) and products:
            return error_answer(app, ValidationFailed("The amount field is prohibited when the deal has products.",
                                                      field_errors={"amount": ["The amount field is prohibited."]}))
        return send(request)

    on_operations(app, lambda op: op.resource == "deals" and op.action == "update", handler)


def _status_lock_as_validation(app: Flask) -> None:
    """A won deal set to lost (or back) without reopening is refused with 422 errors.status, not 409."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        payload = response.json()
        if response.status != 409 or not isinstance(payload, dict):
            return response
        message = str(payload.get("message") or "The deal must be reopened first.")
        return error_answer(app, ValidationFailed(message, field_errors={"status": [message]}))

    on_operations(app, lambda op: op.resource == "deals" and op.action in ("update", "change_status"), handler)


def _associations_without_keys_refused(app: Flask) -> None:
    """An associations call naming no resource ('Make sure to provide at least one resource') is 422."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        content = (op.raw.get("requestBody") or {}).get("content") or {}
        keys = set(flatten(dict((content.get("application/json") or {}).get("schema") or {})).get("properties") or {})
        body = request.json()
        if isinstance(body, dict) and not keys & set(body) and admitted(app, request, op):
            return error_answer(app, ValidationFailed("Provide at least one resource to associate.", field_errors={
                key: [f"The {key} field is required when none of the others is present."] for key in sorted(keys)}))
        return send(request)

    on_operations(app, lambda op: op.action.endswith("_associations"), handler)


# document transforms (the MOCK's document; the suite keeps the original) ---------------------------------
def _dialect_errors(**statuses: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def transform(document: dict[str, Any]) -> dict[str, Any]:
        changed = copy.deepcopy(document)
        changed["x-crm-dialect"]["errors"]["statuses"].update(statuses)
        return changed

    return transform


def _contact_email_optional(document: dict[str, Any]) -> dict[str, Any]:
    """POST /contacts no longer requires email (only an empty body stays a 4xx, OC7)."""
    changed = copy.deepcopy(document)
    schema = changed["paths"]["/contacts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    ref = schema.get("$ref", "")
    if ref:
        schema = changed["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    if "email" not in schema.get("required", []):
        raise ValueError("POST /contacts does not require email: the variant would change nothing")
    schema["required"] = [f for f in schema["required"] if f != "email"]
    return changed


def _unchanged(app: Flask) -> None:
    """The change is all in the document the mock is built from."""


ZOO: tuple[Variant, ...] = (
    # Revenue Orbit -------------------------------------------------------------------------------
    Variant("ro_sort_by_code_point", "revorbit",
            "001 sort_by/sort_dir state no collation (issue 13: 'the pages state no collation'): a PostgreSQL "
            "'C' collation orders text by code point, case-sensitively", _collation(_code_points)),
    Variant("ro_nulls_sorted_last", "revorbit",
            "001 sort_by/sort_dir say nothing of NULLs: PostgreSQL sorts them last ascending, first descending",
            _collation(_nulls_largest)),
    Variant("ro_per_page_clamped", "revorbit",
            "RO11 Lenient: either 4xx, or 2xx with per_page <= 100 and len(data) <= 100 (000 'Maximum per_page "
            "is 100' does not say how it is enforced)", _clamped_page_window(negative_page=False)),
    Variant("ro_create_200", "revorbit",
            "RO4: 'Accept 200/201; require success:true and data.id' (X6: create 200/201 where undocumented)",
            _restatus(action("create"), 201, 200)),
    Variant("ro_validation_400", "revorbit",
            "RO2: 'Accept 422 (preferred) or 400; body must be {success:false, message, errors}' (000 lists "
            "both 400 'Invalid input' and 422)", _validation_status(400)),
    Variant("ro_timestamps_without_fraction", "revorbit",
            "X3 Lenient: 'any RFC 3339 / ISO 8601, fractional seconds optional'",
            _timestamps(_without_fraction)),
    Variant("ro_risk_weight_as_text", "revorbit",
            "RO7: 'weight is a number, with numeric strings accepted leniently' (001 shows \"...\" and 25)",
            lambda app: on_operation_json(app, every, lambda payload, op: _weights_as_text(payload))),
    Variant("ro_field_errors_as_lists", "revorbit",
            "RO3 Lenient: errors[field] is 'string or array of strings' (Laravel's arrays)",
            _field_errors(_as_list)),
    Variant("ro_absent_for_nulls", "revorbit",
            "X2 Lenient: 'treat null and absent alike' (none of the docs specifies)", _absent_for_nulls),
    Variant("ro_extra_fields", "revorbit",
            "X1 Lenient on extra response fields: 'None of the four claims its examples are complete'",
            _extra_fields),
    Variant("ro_success_on_lists", "revorbit",
            "RO1 Lenient on paginated lists: 'success optional, must be true if present' (000: 'Successful "
            "responses include a success: true field')", _success_on_lists),
    Variant("ro_update_without_data", "revorbit",
            "RO5: 'Update: 200 with success:true, data optional'", _update_without_data),
    Variant("ro_delete_204", "revorbit",
            "RO5: 'Delete: 200 or 204' (X6: delete 200/204 where undocumented)", _deleted_without_content),
    Variant("ro_past_end_404", "revorbit",
            "RO12 Lenient: page > last_page is '2xx with empty data, or 404'", _past_the_end_not_found),
    Variant("ro_inferred_not_implemented", "revorbit",
            "x-source: inferred: the pages never define these operations (issue 13: 'A vendor is free not to "
            "have an endpoint this project invented'); login stays (RO19)", _inferred_not_implemented),
    # Olympus -------------------------------------------------------------------------------------
    Variant("oc_contact_without_email_accepted", "olympus",
            "OC7: 'Only an example body is given, with no required markers'; 'Negative test: empty body -> "
            "400/422' is the only strict refusal", _unchanged, document=_contact_email_optional),
    Variant("oc_unpaginated_activities_and_tasks", "olympus",
            "002 lists page/limit for GET /contacts only; GET /activities and GET /tasks document filters, "
            "no paging (OC3: 'Don't assert defaults or a max')", _unpaginated("/activities", "/tasks")),
    Variant("oc_validation_422", "olympus",
            "OC5: 'Accept 400 (preferred) or 422'", _validation_status(422)),
    Variant("oc_duplicate_contact_409", "olympus",
            "OC6: duplicate contact 'Accept 400 or 409' (platform 409 CONFLICT)",
            _error_code_swap(400, "duplicate_contact", 409, "CONFLICT")),
    Variant("oc_merge_into_itself_400", "olympus",
            "OC13: 'Merging a contact into itself or an unknown id -> 409/400/404 (lenient code)'",
            _error_code_swap(409, "merge_conflict", 400, "BAD_REQUEST")),
    Variant("oc_create_200", "olympus",
            "X6 Lenient: 'create 200/201' (002 documents no success codes; OC2 create 'lenient on wrapping')",
            _restatus(action("create"), 201, 200)),
    Variant("oc_details_as_text", "olympus",
            "OC5: 'field details in details or error.details are optional' and OC4 'body shapes don't [agree]': "
            "the platform page's details map gives no value type", _field_errors(_as_text)),
    Variant("oc_platform_error_codes", "olympus",
            "OC4: 'Accept the CRM code or the generic platform code (contact_not_found ~ NOT_FOUND)'",
            _platform_codes),
    Variant("oc_absent_for_nulls", "olympus",
            "X2 Lenient: 'treat null and absent alike'", _absent_for_nulls),
    Variant("oc_extra_fields", "olympus",
            "X1 Lenient on extra response fields", _extra_fields),
    Variant("oc_data_wrapper", "olympus",
            "OC2: 'Single: strict bare object with id (string); also accept {data:{...}} leniently. Create/update: "
            "lenient on wrapping'", _data_wrapper),
    Variant("oc_pagination_per_page", "olympus",
            "OC3: 'If present, page and total must be ints, with limit or per_page' (the SDK's {page, per_page, "
            "total, total_pages})", _page_block_per_page),
    Variant("oc_page_fields_at_top_level", "olympus",
            "OC3: 'a pagination object is optional (warn if missing)'; the SDK reads the page keys at the top "
            "level too (dialects.md 1B [K])", _page_fields_at_top_level),
    Variant("oc_nested_error", "olympus",
            "OC4: 'Extract the code from body.code -> body.error.code -> body.error'; the SDK parses a nested "
            "{error:{code, message, request_id}} (dialects.md 1B [K]); OC5 'details or error.details'",
            _nested_error),
    Variant("oc_delete_200", "olympus",
            "X6 Lenient: 'delete 200/204' (002 documents no success codes)",
            _deleted_with_body(lambda record_id: {"id": record_id, "deleted": True})),
    Variant("cc_sort_accent_and_case_insensitive", "concord",
            "003 order=created_at|desc states no collation (issue 13); Laravel on MySQL sorts with "
            "utf8mb4_0900_ai_ci", _collation(_accent_and_case_insensitive)),
    Variant("cc_per_page_not_clamped", "concord",
            "CC4: 'no clamp in source'; 'The documented max is not enforced'; 'don't test >100'",
            _unchanged, document=without_page_maximum),
    Variant("cc_omitted_name_kept", "concord",
            "CC2: 'source uses filled' (an omitted name or stage_id keeps its value); 'Don't test \"omitted "
            "name -> 422\"'", _omitted_fields_kept),
    Variant("cc_amount_with_products_422", "concord",
            "CC3: 'Lenient: 200 (source behaviour, field silently ignored) or 422'",
            _amount_with_products_refused),
    Variant("cc_status_lock_422", "concord",
            "CC9: 'a won deal -> lost without reopening does not change status (accept 409 or 422)'",
            _status_lock_as_validation),
    Variant("cc_associations_without_keys_422", "concord",
            "CC7: associations with no resource keys: 'Lenient: accept 2xx or 422'",
            _associations_without_keys_refused),
    Variant("cc_timestamps_with_microseconds", "concord",
            "X3 Lenient: 'any RFC 3339 / ISO 8601' (Laravel serialises 2026-01-15T09:30:00.000000Z)",
            _timestamps(_laravel_microseconds)),
    Variant("cc_message_in_error", "concord",
            "CC11: '401/403 bodies differ (message vs error); the error extractor reads message, falling back "
            "to error'", _message_in_error),
    Variant("cc_absent_for_nulls", "concord",
            "X2 Lenient: 'treat null and absent alike'", _absent_for_nulls),
    Variant("cc_select_projection", "concord",
            "003 select: 'Select only the provided fields' (CC6: select lenient, 2xx)", _projection),
    Variant("cc_extra_fields", "concord",
            "X1 Lenient on extra response fields (CC1: the record also has UI keys)", _extra_fields),
    Variant("cc_data_wrapper", "concord",
            "CC1: 'also accept a data wrapper leniently because unwrapping is an app-level setting'",
            _data_wrapper),
    Variant("cc_delete_200", "concord",
            "CC1: 'Delete: 204 (strict, with 200 accepted leniently for white-label forks)'",
            _deleted_with_body(lambda record_id: {"message": "Record deleted."})),
    Variant("cc_inferred_not_implemented", "concord",
            "x-source: inferred: the pages never define these operations (issue 13: Concord contacts, companies, "
            "activities, GET /deals/{id}/billable)", _inferred_not_implemented),
    # YSUITE --------------------------------------------------------------------------------------
    Variant("ys_not_found_404", "ysuite",
            "YS2: 'Accept 400 (documented) or 404 (lenient); require success:false + message'",
            _unchanged, document=_dialect_errors(not_found=404, not_found_alternatives=[400])),
    Variant("ys_page_window_clamped", "ysuite",
            "YS4: 'pageSize>100 or a negative pageIndex -> lenient (clamp or 4xx)'",
            _clamped_page_window(negative_page=True)),
    Variant("ys_sort_by_ignored", "ysuite",
            "YS13: 'sortBy values undocumented': 'assert 2xx (strict) and ordering only as a warning'",
            _sort_ignored),
    Variant("ys_create_201", "ysuite",
            "YS3: create 'Accept 200 (preferred) or 201'", _restatus(action("create"), 200, 201)),
    Variant("ys_naive_timestamps", "ysuite",
            "X3 Lenient: 'naive allowed for YSUITE' (2026-07-15T10:00:00)", _timestamps(_naive)),
    Variant("ys_nulls_for_absent", "ysuite",
            "X2 Lenient: 'treat null and absent alike'", _nulls_for_absent),
    Variant("ys_extra_fields", "ysuite",
            "X1 Lenient on extra response fields (YS8 'lenient on other keys')", _extra_fields),
    Variant("ys_inferred_not_implemented", "ysuite",
            "x-source: inferred: the pages never define these operations (issue 13: YSUITE contacts and tasks "
            "are on the vendor's other pages only)", _inferred_not_implemented),
)

BY_NAME = {v.name: v for v in ZOO}
COMBINED = {api: all_at_once(api, ZOO) for api in APIS}
