"""mock_server.faker.validity: the generator's quick check of a value against a simple schema decides as
jsonschema's Draft 2020-12 validator does, on every schema of the four documents and on values chosen at
each schema's edges (its bounds, its lengths, the JSON types), and hands every other schema to jsonschema."""

from __future__ import annotations

import json
import math
from typing import Any

import jsonschema
import pytest

import crmspec
from mock_server.faker import FakeData
from mock_server.faker.validity import compiled, validity
from tests.unit.test_schemas import _is_schema, subschemas

# every JSON type, the Python values that are easy to confuse (True is an int, 1.0 an integer), a NaN
COMMON_VALUES: list[Any] = [None, True, False, 0, 1, -1, 1.0, 2.5, -0.5, math.nan, 10**20, "", "a", "Acme",
                            "2026-03-01", "2026-03-01T12:00:00Z", "user@example.com", "x" * 300, {}, {"a": 1},
                            [], ["a"]]


def edge_values(schema: dict[str, Any]) -> list[Any]:
    """Values on and around the schema's own bounds and lengths."""
    out: list[Any] = []
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            out += [bound - 1, bound - 0.5, bound, bound + 0.5, bound + 1]
    for key in ("minLength", "maxLength"):
        length = schema.get(key)
        if isinstance(length, int) and not isinstance(length, bool):
            out += ["b" * n for n in (length - 1, length, length + 1) if n >= 0]
    for option in schema.get("enum") or ():  # each option, and what is nearly one
        out += [option, str(option).upper(), f"{option} ", [option], {"v": option}]
    return out


# (schema, value, jsonschema's verdict): the cases where a hand-written check most easily goes wrong
CASES: list[tuple[dict[str, Any], Any, bool]] = [
    ({"type": "integer"}, 3.0, True),  # a float with no fraction is an integer
    ({"type": "integer"}, True, False),  # a boolean is not a number
    ({"type": "number"}, False, False),
    ({"type": ["string", "null"], "maxLength": 2}, None, True),  # string keywords skip other types
    ({"type": "string", "pattern": "b"}, "abc", True),  # a pattern is searched, not matched whole
    ({"type": "string", "pattern": "^b"}, "abc", False),
    ({"minimum": 5}, "not a number", True),  # no type: a bound says nothing of a string
    ({"maxLength": 1}, 123, True),
    ({"type": "integer", "exclusiveMinimum": 0}, 0, False),
    ({"type": "number", "maximum": 1}, math.nan, True),  # NaN fails no comparison
    ({"type": "string", "format": "email"}, "not an email", True),  # format is an annotation here
    ({"type": "string", "x-faker": "person.email"}, "anything", True),
    ({"type": "object", "required": ["a"]}, {}, False),
    ({"required": ["a"]}, ["a"], True),  # object keywords skip an array
    ({"properties": {"a": {"type": "integer"}}}, {"a": "x"}, False),
    ({"properties": {"a": {"type": "integer"}}}, {"b": "x"}, True),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, False),
    ({"additionalProperties": {"type": "string"}}, {"b": 2}, False),
    ({"properties": {"a": False}}, {"a": None}, False),
    ({"items": {"type": "string"}, "maxItems": 3}, ["a", 1], False),
    ({"type": "array", "minItems": 1}, [], False),
    ({"maxItems": 0}, "text", True),
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1, False),  # both branches match: oneOf fails
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1.5, True),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 3, False),
    ({"oneOf": [{"type": "object", "required": ["a"]}, {"type": "null"}]}, None, True),
    ({"oneOf": [{"type": "object", "required": ["a"]}, {"type": "null"}]}, {"b": 1}, False),
    ({"enum": ["a", "b"]}, "b", True),
    ({"enum": ["a", "b"]}, "A", False),  # strings compare exactly
    ({"enum": ["1"]}, 1, False),  # a number is not its text
    ({"enum": ["a", None]}, None, True),
    ({"enum": ["a"]}, None, False),
    ({"enum": ["a"]}, ["a"], False),
    ({"enum": []}, "a", False),
    ({"type": ["string", "null"], "enum": ["a", "b"]}, None, False),  # both keywords hold
    ({"anyOf": [{"type": "object", "properties": {"t": {"enum": ["x"]}}}, {"type": "null"}]}, {"t": "y"}, False),
]


@pytest.mark.parametrize(("schema", "value", "expected"), CASES, ids=[f"{s}-{v!r}"[:60] for s, v, _ in CASES])
def test_the_quick_check_decides_as_jsonschema(schema: dict[str, Any], value: Any, expected: bool) -> None:
    assert jsonschema.Draft202012Validator(schema).is_valid(value) is expected  # the case is written right
    check = compiled(schema)
    assert check is not None, "a simple schema is checked without jsonschema"
    assert check(value) is expected


@pytest.mark.parametrize("schema", [{"enum": [1, "a"]}, {"enum": [True]}, {"enum": "a"}, {"const": 1},
                                    {"$ref": "#/x"}, {"uniqueItems": True},
                                    {"patternProperties": {"^a": {}}}, {"type": "string", "minLength": "2"},
                                    {"type": "string", "pattern": "("}, {"type": "decimal"}, {"oneOf": []},
                                    {"anyOf": [{"type": "string"}, {"enum": [1]}]},
                                    {"properties": {"a": {"const": 1}}}, {"items": {"not": {}}}])
def test_other_schemas_are_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert compiled(schema) is None


@pytest.mark.parametrize("dialect", sorted(crmspec.DOCUMENTS))
def test_the_check_agrees_with_jsonschema_on_every_schema_of_the_documents(dialect: str) -> None:
    # the resolved document repeats each component wherever it is used: each distinct schema once
    distinct = {json.dumps(s, sort_keys=True): s for s in subschemas(crmspec.load(dialect).document)}
    schemas = [s for s in distinct.values() if _is_schema(s)]
    quick = [s for s in schemas if compiled(s) is not None]
    assert len(quick) > 50, "most of a document's field schemas are simple enough to be checked quickly"
    fake = FakeData(7)
    disagreements = []
    for schema in schemas:
        validator = jsonschema.Draft202012Validator(schema)
        check = validity(schema)
        for value in [*COMMON_VALUES, *edge_values(schema), fake.value("field", schema)]:
            if bool(check(value)) is not validator.is_valid(value):
                disagreements.append((schema, value))
    assert not disagreements, disagreements[:5]
