"""The four OpenAPI documents: they load, validate, mark every operation, declare the error statuses
their dialect uses, and carry examples that fit their schemas and the literal examples of the seed pages.

Expected values come from the seed pages (tests/data/seed_examples.yaml) and from each document's own
x-crm-dialect block (the statuses); nothing here is copied from the documents.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

import crmspec
from crmspec.loader import DOCUMENTS, DOCUMENTS_DIR

DIALECTS = ("revorbit", "olympus", "concord", "ysuite")
DATA = Path(__file__).resolve().parent.parent / "data"
SEEDS_DIR = Path(os.environ.get("CRM_SEEDS_DIR", "/work/shared/seeds"))

# The seed page(s) of each dialect (dialects.md section 0).
SEED_FILES: dict[str, tuple[str, ...]] = {
    "revorbit": ("000_c16d5e80f2014639.txt", "001_7c240bb9e72bce7c.txt"),
    "olympus": ("002_1a2f25535e4c4a17.txt",),
    "concord": ("003_78770e749b03a975.txt",),
    "ysuite": ("004_b912df0f414c6405.txt",),
}

# Seed 002, "Webhooks" table: the eight events, copied from the page.
OLYMPUS_WEBHOOKS = {
    "crm.contact_created",
    "crm.contact_updated",
    "crm.deal_created",
    "crm.deal_stage_changed",
    "crm.deal_won",
    "crm.deal_lost",
    "crm.task_due",
    "crm.score_changed",
}

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
MAX_LINES = 40


# --------------------------------------------------------------------------------------------------
# loading


@functools.cache
def _load(dialect: str) -> crmspec.Api | crmspec.CrmSpecError:
    try:
        return crmspec.load(dialect)
    except crmspec.CrmSpecError as exc:
        return exc


@pytest.fixture(params=DIALECTS)
def api(request: pytest.FixtureRequest) -> crmspec.Api:
    result = _load(request.param)
    if isinstance(result, crmspec.CrmSpecError):
        pytest.fail(f"{request.param}: the document does not load: {result}")
    return result


def _fail(title: str, problems: list[str]) -> None:
    if problems:
        shown = problems[:MAX_LINES]
        more = [f"... and {len(problems) - MAX_LINES} more"] if len(problems) > MAX_LINES else []
        pytest.fail("\n".join([f"{title} ({len(problems)}):", *(f"  {p}" for p in shown), *more]))


def _codes(operation: dict[str, Any]) -> set[str]:
    return {str(code) for code in (operation.get("responses") or {})}


def _esc(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------------------------------
# every example in a resolved document


@dataclass(frozen=True)
class Example:
    pointer: str
    value: Any
    schema: Any  # a schema (dict or bool), or None when the example has none
    context: str  # request | response | parameter | header | schema
    operation: tuple[str, str] | None  # (METHOD, path) under `paths`, else None


def _examples(document: dict[str, Any]) -> list[Example]:
    collector = _ExampleCollector()
    collector.document(document)
    return collector.found


class _ExampleCollector:
    """Every example of a document, with the schema it should satisfy and where it sits."""

    def __init__(self) -> None:
        self.found: list[Example] = []

    def schema_examples(self, schema: Any, ptr: str, ctx: str, op: Any, visiting: frozenset[int]) -> None:
        if not isinstance(schema, dict) or id(schema) in visiting:
            return
        visiting = visiting | {id(schema)}
        if "example" in schema:
            self.found.append(Example(ptr + "/example", schema["example"], schema, ctx, op))
        if isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                self.found.append(Example(f"{ptr}/examples/{i}", value, schema, ctx, op))
        for key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            for name, sub in (schema.get(key) or {}).items() if isinstance(schema.get(key), dict) else ():
                self.schema_examples(sub, f"{ptr}/{key}/{_esc(name)}", ctx, op, visiting)
        for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains",
                    "propertyNames", "unevaluatedItems", "unevaluatedProperties"):
            self.schema_examples(schema.get(key), f"{ptr}/{key}", ctx, op, visiting)
        for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
            for i, sub in enumerate(schema.get(key) or []) if isinstance(schema.get(key), list) else ():
                self.schema_examples(sub, f"{ptr}/{key}/{i}", ctx, op, visiting)

    def holder(self, obj: Any, ptr: str, ctx: str, op: Any) -> None:
        """A Media Type, Parameter or Header Object: example, examples{name: {value}}, schema."""
        if not isinstance(obj, dict):
            return
        schema = obj.get("schema")
        if "example" in obj:
            self.found.append(Example(ptr + "/example", obj["example"], schema, ctx, op))
        named = obj.get("examples")
        for name, entry in named.items() if isinstance(named, dict) else ():
            if isinstance(entry, dict) and "value" in entry:
                self.found.append(Example(f"{ptr}/examples/{_esc(name)}/value", entry["value"], schema, ctx, op))
        if schema is not None:
            self.schema_examples(schema, ptr + "/schema", ctx, op, frozenset())
        self.content(obj.get("content"), ptr + "/content", ctx, op)

    def content(self, media: Any, ptr: str, ctx: str, op: Any) -> None:
        for media_type, obj in (media or {}).items() if isinstance(media, dict) else ():
            self.holder(obj, f"{ptr}/{_esc(media_type)}", ctx, op)

    def response(self, obj: Any, ptr: str, op: Any) -> None:
        if not isinstance(obj, dict):
            return
        self.content(obj.get("content"), ptr + "/content", "response", op)
        for name, header in (obj.get("headers") or {}).items():
            self.holder(header, f"{ptr}/headers/{_esc(name)}", "header", op)

    def operation(self, obj: dict[str, Any], ptr: str, op: Any) -> None:
        for i, param in enumerate(obj.get("parameters") or []):
            self.holder(param, f"{ptr}/parameters/{i}", "parameter", op)
        body = obj.get("requestBody")
        if isinstance(body, dict):
            self.content(body.get("content"), ptr + "/requestBody/content", "request", op)
        for code, resp in (obj.get("responses") or {}).items():
            self.response(resp, f"{ptr}/responses/{_esc(code)}", op)

    def document(self, document: dict[str, Any]) -> None:
        for section in ("paths", "webhooks"):
            for route, item in (document.get(section) or {}).items():
                if isinstance(item, dict):
                    self.path_item(section, route, item)
        self.components(document.get("components") or {})

    def path_item(self, section: str, route: str, item: dict[str, Any]) -> None:
        base = f"/{section}/{_esc(route)}"
        for i, param in enumerate(item.get("parameters") or []):
            self.holder(param, f"{base}/parameters/{i}", "parameter", None)
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                key = (method.upper(), route) if section == "paths" else None
                self.operation(item[method], f"{base}/{method}", key)

    def components(self, components: dict[str, Any]) -> None:
        for name, param in (components.get("parameters") or {}).items():
            self.holder(param, f"/components/parameters/{_esc(name)}", "parameter", None)
        for name, header in (components.get("headers") or {}).items():
            self.holder(header, f"/components/headers/{_esc(name)}", "header", None)
        for name, body in (components.get("requestBodies") or {}).items():
            if isinstance(body, dict):
                self.content(body.get("content"), f"/components/requestBodies/{_esc(name)}/content", "request", None)
        for name, resp in (components.get("responses") or {}).items():
            self.response(resp, f"/components/responses/{_esc(name)}", None)
        for name, schema in (components.get("schemas") or {}).items():
            self.schema_examples(schema, f"/components/schemas/{_esc(name)}", "schema", None, frozenset())


_MISSING = object()


def _get(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return abs(actual - expected) < 1e-9
    return type(actual) is type(expected) and actual == expected


def _matches(value: Any, values: dict[str, Any]) -> bool:
    return all(_same(_get(value, path), literal) for path, literal in values.items())


# --------------------------------------------------------------------------------------------------
# load + validate


@pytest.mark.parametrize("dialect", DIALECTS)
def test_document_loads(dialect: str) -> None:
    result = _load(dialect)
    if isinstance(result, crmspec.CrmSpecError):
        pytest.fail(f"{dialect}: crmspec.load raised {type(result).__name__}: {result}")
    assert result.dialect.id == dialect
    assert result.operations, f"{dialect}: the document declares no operations"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_document_validates_with_openapi_spec_validator(dialect: str) -> None:
    path = DOCUMENTS_DIR / DOCUMENTS[dialect]
    if not path.is_file():
        pytest.fail(f"{dialect}: {path} does not exist")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(raw, dict), f"{path} is not a mapping"
    version = str(raw.get("openapi", ""))
    assert version.startswith("3.1"), f"{dialect}: openapi is {version!r}, not 3.1"
    problems = []
    for error in OpenAPIV31SpecValidator(raw, base_uri=path.as_uri()).iter_errors():
        where = "/" + "/".join(_esc(p) for p in getattr(error, "absolute_path", ()) or ())
        problems.append(f"{where}: {str(getattr(error, 'message', error)).splitlines()[0]}")
        if len(problems) >= MAX_LINES:
            break
    _fail(f"{dialect}: openapi-spec-validator errors", problems)


def _non_json(node: Any, pointer: str = "") -> list[str]:
    if isinstance(node, dict):
        out = [f"{pointer}/{key!r}: key is not a string" for key in node if not isinstance(key, str)]
        for key, value in node.items():
            out.extend(_non_json(value, f"{pointer}/{_esc(key)}"))
        return out
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _non_json(value, f"{pointer}/{i}")]
    if node is None or isinstance(node, (str, int, float, bool)):
        return []
    return [f"{pointer or '/'}: a YAML {type(node).__name__}, not a JSON value (quote it)"]


def test_document_holds_only_json_values(api: crmspec.Api) -> None:
    """YAML turns unquoted dates into date objects and `200:` into an int key; neither survives JSON."""
    _fail(f"{api.dialect.id}: values that are not JSON", _non_json(api.document))


def test_seed_files_exist() -> None:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"{SEEDS_DIR} is not available (set CRM_SEEDS_DIR)")
    listed = {name for names in SEED_FILES.values() for name in names}
    present = {p.name for p in SEEDS_DIR.glob("*.txt")}
    assert listed == present


# --------------------------------------------------------------------------------------------------
# operation marks


def test_every_operation_has_x_source_and_x_crm_operation(api: crmspec.Api) -> None:
    dialect = api.dialect.id
    seeds = set(SEED_FILES[dialect])
    other = {name for d, names in SEED_FILES.items() if d != dialect for name in names}
    problems = []
    for route, item in (api.document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = (item or {}).get(method)
            if not isinstance(op, dict):
                continue
            label = f"{method.upper()} {route}"
            if not isinstance(op.get("x-crm-operation"), dict):
                problems.append(f"{label}: no x-crm-operation")
            source = op.get("x-source")
            if source == "inferred":
                reason = op.get("x-source-reason")
                if not (isinstance(reason, str) and reason.strip()):
                    problems.append(f"{label}: x-source inferred without a non-empty x-source-reason")
                elif "\n" in reason.strip():
                    problems.append(f"{label}: x-source-reason is not one line (docs/dialect-block.md)")
            elif source in other:
                problems.append(f"{label}: x-source {source!r} is another dialect's seed page")
            elif source not in seeds:
                problems.append(f"{label}: x-source {source!r} is not one of {sorted(seeds)} nor inferred")
            elif SEEDS_DIR.is_dir() and not (SEEDS_DIR / source).is_file():
                problems.append(f"{label}: x-source {source!r} does not exist in {SEEDS_DIR}")
    _fail(f"{dialect}: operations with a bad x-source or no x-crm-operation", problems)


# --------------------------------------------------------------------------------------------------
# declared error statuses


def _status(api: crmspec.Api, kind: str) -> int:
    statuses = api.dialect.errors.statuses
    if kind not in statuses:
        pytest.fail(f"{api.dialect.id}: x-crm-dialect.errors.statuses has no integer {kind!r}")
    return statuses[kind]


def test_secured_operations_declare_401_and_rate_limit(api: crmspec.Api) -> None:
    unauthorized = _status(api, "unauthorized")
    # A dialect whose pages document no rate limit (YSUITE: 200, 400, 401, 403, 422, 500) need not
    # declare one; when x-crm-dialect names a rate_limited status, every secured operation declares it.
    rate_limited = api.dialect.errors.statuses.get("rate_limited")
    wanted = {str(unauthorized)} | ({str(rate_limited)} if rate_limited else set())
    problems = [
        f"{op} ({op.operation_id}): missing {sorted(wanted - _codes(op.raw))}"
        for op in api.operations
        if op.secured and not wanted <= _codes(op.raw)
    ]
    assert any(op.secured for op in api.operations), f"{api.dialect.id}: no operation has security"
    _fail(f"{api.dialect.id}: secured operations without {sorted(wanted)}", problems)


def test_operations_with_path_parameters_declare_not_found(api: crmspec.Api) -> None:
    not_found = str(_status(api, "not_found"))
    problems = [
        f"{op} ({op.operation_id}): responses {sorted(_codes(op.raw))}"
        for op in api.operations
        if op.path_params and not_found not in _codes(op.raw)
    ]
    _fail(f"{api.dialect.id}: operations with a path parameter but no {not_found}", problems)


def _json_body(op: crmspec.Operation) -> bool:
    body = op.raw.get("requestBody") or {}
    return any(mt == "application/json" or mt.endswith("+json") for mt in (body.get("content") or {}))


def test_json_body_operations_declare_validation_status(api: crmspec.Api) -> None:
    validation = str(_status(api, "validation"))
    problems = [
        f"{op} ({op.operation_id}): responses {sorted(_codes(op.raw))}"
        for op in api.operations
        if _json_body(op) and validation not in _codes(op.raw)
    ]
    _fail(f"{api.dialect.id}: JSON request-body operations without {validation}", problems)


# --------------------------------------------------------------------------------------------------
# examples


def test_every_example_validates_against_its_schema(api: crmspec.Api) -> None:
    problems = []
    checked: set[tuple[int, int]] = set()
    examples = _examples(api.document)
    for example in examples:
        if example.schema is None:
            continue
        key = (id(example.schema), id(example.value))
        if key in checked:
            continue
        checked.add(key)
        try:
            validator = jsonschema.Draft202012Validator(example.schema)
            errors = sorted(validator.iter_errors(example.value), key=lambda e: list(e.absolute_path))
        except Exception as exc:  # an unknown type or an unresolvable $ref left in the schema
            problems.append(f"{example.pointer}: the schema cannot be applied: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:160]}")
            continue
        for error in errors[:3]:
            inner = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{example.pointer}{' @ ' + inner if inner else ''}: {error.message[:200]}")
    assert examples, f"{api.dialect.id}: the document has no examples at all"
    _fail(f"{api.dialect.id}: examples that do not fit their schema", problems)


SEED_EXAMPLES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (DATA / "seed_examples.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("dialect", "entry"),
    [(d, e) for d, entries in SEED_EXAMPLES.items() for e in entries],
    ids=lambda v: v if isinstance(v, str) else v["name"].replace(" ", "-"),
)
def test_seed_example_is_present(dialect: str, entry: dict[str, Any]) -> None:
    result = _load(dialect)
    if isinstance(result, crmspec.CrmSpecError):
        pytest.fail(f"{dialect}: the document does not load: {result}")
    examples = [e for e in _examples(result.document) if e.context == entry["in"]]
    where = None
    if "operation" in entry:
        method, path = entry["operation"].split(" ", 1)
        where = (method, path)
    hits = [e for e in examples if _matches(e.value, entry["values"])]
    if where is not None and any(e.operation == where for e in hits):
        return
    if where is None and hits:
        return
    if hits:
        pytest.fail(
            f"{dialect}: the {entry['name']} example ({entry['source']}) is not under "
            f"{entry['operation']} but at: {', '.join(e.pointer for e in hits)}"
        )
    # Say how close the nearest example comes, to point the author at the difference.
    candidates = [e for e in examples if where is None or e.operation == where] or examples
    best = max(candidates, key=lambda e: sum(_same(_get(e.value, p), v) for p, v in entry["values"].items()),
               default=None)
    detail = "no candidate example at all"
    if best is not None:
        actual = {p: _get(best.value, p) for p in entry["values"]}
        shown = {
            p: ("<absent>" if v is _MISSING else v)
            for p, v in actual.items()
            if not _same(v, entry["values"][p])
        }
        detail = f"nearest is {best.pointer}, which differs at {shown}"
    place = f" under {entry['operation']}" if where else ""
    pytest.fail(
        f"{dialect}: no {entry['in']} example{place} carries the {entry['name']} values of "
        f"{entry['source']}: {entry['values']}; {detail}"
    )


def test_seed_example_data_is_well_formed() -> None:
    assert set(SEED_EXAMPLES) == set(DIALECTS)
    for dialect, entries in SEED_EXAMPLES.items():
        for entry in entries:
            assert entry["in"] in ("request", "response"), entry
            assert entry["values"], entry
            assert any(entry["source"].startswith(name) for name in SEED_FILES[dialect]), entry


# --------------------------------------------------------------------------------------------------
# Olympus webhooks


def test_olympus_declares_the_eight_webhook_events() -> None:
    result = _load("olympus")
    if isinstance(result, crmspec.CrmSpecError):
        pytest.fail(f"olympus: the document does not load: {result}")
    webhooks = set(result.document.get("webhooks") or {})
    missing = sorted(OLYMPUS_WEBHOOKS - webhooks)
    extra = sorted(webhooks - OLYMPUS_WEBHOOKS)
    assert not missing and not extra, f"olympus webhooks: missing {missing}, not on page 002: {extra}"
