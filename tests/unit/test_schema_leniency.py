"""SCH-001's reading of a schema: X2 (null and absent alike for optional fields) and a projection
(Concord's select=) that may leave any field out; the types of what is present still hold."""

from __future__ import annotations

import jsonschema

from conformance.checks.schema import optional_nullable, without_required

RECORD = {"type": "object", "required": ["id"],
          "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                         "owner": {"type": "object", "required": ["id"],
                                   "properties": {"id": {"type": "integer"}, "email": {"type": "string"}}}}}


def valid(schema: dict[str, object], value: object) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def test_an_optional_field_may_be_null_a_required_one_may_not() -> None:
    schema = optional_nullable(RECORD)
    assert valid(schema, {"id": 1, "name": None, "owner": {"id": 2, "email": None}})
    assert not valid(RECORD, {"id": 1, "name": None})  # the document itself says string
    assert not valid(schema, {"id": None})
    assert not valid(schema, {"id": 1, "owner": {"id": None}})
    assert not valid(schema, {"id": 1, "name": 5})  # null is allowed, another type is not


def test_a_projection_may_leave_out_any_field_but_not_change_a_type() -> None:
    schema = without_required(RECORD)
    assert valid(schema, {"name": "only the selected field"})
    assert not valid(schema, {"id": "1"})
