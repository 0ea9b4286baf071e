"""crmspec.schemas: the one `nullable`, the schema-type helpers and the `allOf` merge the mock and the suite share.

Whether a schema admits null is asked of jsonschema's own Draft 2020-12 validator (the dialect of OpenAPI 3.1),
and the cases the documents use are also written out by hand.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

import crmspec
from crmspec.schemas import declared_types, field_types, flatten, nullable

# (schema, admits null): the forms OpenAPI 3.1 has for "may be null", and near misses
NULL_CASES: list[tuple[Any, bool]] = [
    ({"type": ["string", "null"]}, True),
    ({"type": "null"}, True),
    ({"type": "string"}, False),
    ({"type": ["integer"]}, False),
    ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, True),
    ({"oneOf": [{"type": "integer"}, {"type": "null"}]}, True),
    ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, False),
    ({"anyOf": [{"type": "object", "properties": {}}, {"const": None}]}, True),
    ({"oneOf": [{"type": ["string", "null"]}, {"type": "null"}]}, False),  # both branches match: oneOf fails
    ({"const": None}, True),
    ({"const": 0}, False),
    ({"enum": ["open", None]}, True),
    ({"enum": ["open", "won"]}, False),
    ({"enum": [0, False, ""]}, False),  # falsy values are not null
    ({"type": ["string", "null"], "enum": ["open", "won"]}, False),  # the enum refuses null
    ({"type": "string", "enum": ["open", None]}, False),  # the type refuses null
    ({"type": ["string", "null"], "maxLength": 3, "pattern": "^a"}, True),  # string keywords skip null
    ({"type": ["integer", "null"], "minimum": 1}, True),
    ({"type": "string", "nullable": True}, False),  # OpenAPI 3.0's keyword means nothing in 3.1
    ({"allOf": [{"type": ["object", "null"]}, {"properties": {"a": {"type": "integer"}}}]}, True),
    ({"allOf": [{"type": ["object", "null"]}, {"type": "object"}]}, False),
    ({"not": {"type": "null"}}, False),
    ({"not": {"type": "string"}}, True),
    ({"properties": {"a": {"type": "integer"}}, "required": ["a"]}, True),  # no type: null is an instance
    ({}, True),
    (True, True),
    (False, False),
]


@pytest.mark.parametrize(("schema", "expected"), NULL_CASES, ids=[str(s)[:60] for s, _ in NULL_CASES])
def test_nullable_follows_json_schema(schema: Any, expected: bool) -> None:
    assert jsonschema.Draft202012Validator(schema).is_valid(None) is expected  # the case is written right
    assert nullable(schema) is expected


def subschemas(node: Any) -> list[dict[str, Any]]:
    """Every schema of a document: what sits under properties, items, the combinators and components."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if any(key in node for key in ("type", "anyOf", "oneOf", "allOf", "enum", "const")) and not isinstance(
            node.get("type"), dict
        ):
            found.append(node)
        for value in node.values():
            found += subschemas(value)
    elif isinstance(node, list):
        for value in node:
            found += subschemas(value)
    return found


@pytest.mark.parametrize("dialect", sorted(crmspec.DOCUMENTS))
def test_nullable_agrees_with_the_validator_on_every_schema_of_the_documents(dialect: str) -> None:
    schemas = [s for s in subschemas(crmspec.load(dialect).document) if _is_schema(s)]
    assert len(schemas) > 100, "the walk found the document's schemas"
    wrong = [s for s in schemas if nullable(s) is not jsonschema.Draft202012Validator(s).is_valid(None)]
    assert not wrong, wrong[:3]


def _is_schema(node: dict[str, Any]) -> bool:
    try:
        jsonschema.Draft202012Validator.check_schema(node)
    except jsonschema.SchemaError:
        return False  # a security scheme's `type: http`, an example that happens to have a `type` key
    return node.get("type") not in ("http", "apiKey", "oauth2", "openIdConnect")


def test_declared_types_are_the_type_keyword_in_order() -> None:
    assert declared_types({"type": "integer"}) == ["integer"]
    assert declared_types({"type": ["null", "string"]}) == ["null", "string"]
    assert declared_types({"anyOf": [{"type": "integer"}]}) == []
    assert declared_types({}) == []


def test_field_types_look_into_the_branches_when_there_is_no_type() -> None:
    assert field_types({"type": ["integer", "null"]}) == {"integer", "null"}
    assert field_types({"anyOf": [{"type": "integer"}, {"type": "null"}]}) == {"integer", "null"}
    assert field_types({"oneOf": [{"type": "string"}, {"anyOf": [{"type": "number"}]}]}) == {"string", "number"}
    assert field_types({"type": "string", "anyOf": [{"type": "integer"}]}) == {"string"}
    assert field_types({"description": "anything"}) == set()


def test_flatten_merges_all_of() -> None:
    schema = {
        "title": "Deal",
        "properties": {"id": {"type": "integer"}},
        "required": ["id"],
        "allOf": [
            {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name", "id"]},
            {"allOf": [{"properties": {"id": {"type": "string"}}, "title": "Ignored", "x-faker": "deal.name"}]},
        ],
    }
    assert flatten(schema) == {
        "title": "Deal",
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},  # a later part's property wins
        "required": ["id", "name"],
        "type": "object",
        "x-faker": "deal.name",
    }
    plain = {"type": "string"}
    assert flatten(plain) is plain
