"""The generation plan: everything a resource's schema and its fields' names say, read once.

A `Field` is one property as the generator sees it: its schema with `allOf` merged, the type it generates,
its const, enum or branches, whether it may be null, the resource an id-like name points at, the `x-faker`
hint's maker and the naming rule that applies to it, its format, pattern and examples, and its validity check.
An object's `Fields` are in the order they are generated (created before updated, start before end), with
what its state fields need (`Status`). A `ResourcePlan` adds the record's references.

Plans are compiled on first use and kept: generating a record reads no name and no schema keyword again.
Nested plans are compiled when first reached, so a recursive schema costs only the depth it is generated to.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from crmspec.model import Reference, Resource
from crmspec.schemas import declared_types, flatten, nullable
from mock_server.faker.miss import MISS
from mock_server.faker.naming import HINTS, Maker, boolean_rule, number_rule, string_rule
from mock_server.faker.schema_reading import code_examples, implied_type
from mock_server.faker.validity import Check, validity
from mock_server.faker.vocabulary import COMPANY_FIELDS
from mock_server.faker.wording import (
    STATES,
    flag_state,
    generation_order,
    identity,
    kind_of,
    option_states,
    plural,
    state_of,
    temporal_name,
    tokens,
)

MAX_DEPTH = 6  # objects nested deeper are generated empty
_KEPT = 4096  # compiled fields kept for schemas given one by one (value() for each response)
_DISPLAY_NAMES = (("display", "name"), ("full", "name"))


class Planner:
    """Compiles and keeps the plans of one generator (whose documents' resources name its id fields)."""

    def __init__(self, id_fields: Mapping[str, str]) -> None:
        self.id_fields = dict(id_fields)
        self._fields: dict[tuple[str, int], Field] = {}
        self._resources: dict[str, ResourcePlan] = {}

    def field(self, name: str, schema: Mapping[str, Any]) -> Field:
        key = (name, id(schema))
        found = self._fields.get(key)
        if found is None or found.source is not schema:
            if len(self._fields) > _KEPT:
                self._fields.clear()
            found = self._fields[key] = Field(self, name, schema)
        return found

    def resource(self, resource: Resource) -> ResourcePlan:
        found = self._resources.get(resource.name)
        if found is None or found.resource is not resource:
            found = self._resources[resource.name] = ResourcePlan(self, resource)
        return found

    def guess_reference(self, words: tuple[str, ...]) -> str | None:
        """`tag_ids` -> "tags", `parent_company_id` -> "companies": a resource of the document."""
        if len(words) < 2 or words[-1] not in ("id", "ids"):
            return None
        for word in reversed(words[:-1]):
            for candidate in (plural(word), word):
                if candidate in self.id_fields:
                    return candidate
        return None


def _merged(schema: Mapping[str, Any]) -> dict[str, Any]:
    return flatten(schema if isinstance(schema, dict) else dict(schema))


class Field:
    """One property (or an array's item, or a branch of a oneOf) and everything its generation reads."""

    def __init__(self, planner: Planner, name: str, source: Mapping[str, Any]) -> None:
        self.planner = planner
        self.name = name
        self.source = source  # as the document gives it: the key of the planner's cache
        schema = self.schema = _merged(source)
        self.words = tokens(name)
        self.const: Any = schema["const"] if "const" in schema else MISS
        self.branch_key = next((key for key in ("oneOf", "anyOf") if schema.get(key)), None)
        enum = list(schema.get("enum") or ())
        self.enum = bool(enum)
        self.enum_options = [v for v in enum if v is not None] or enum  # null only when nothing else is
        self.enum_has_null = None in enum
        kinds = declared_types(schema)
        concrete = [k for k in kinds if k != "null"]
        self.only_null = bool(kinds) and not concrete
        self.may_be_null = "null" in kinds
        self.nullable = nullable(schema)
        self.kind = concrete[0] if concrete else implied_type(schema)
        # nothing but its type decides its value (no const, branches, enum, nor only null; not an object or array)
        self.scalar = (self.const is MISS and self.branch_key is None and not self.enum and not self.only_null
                       and self.kind not in ("object", "array"))
        self.identity = identity(name)
        self.display_name = self.kind == "string" and self.words in _DISPLAY_NAMES
        self.referenced = planner.guess_reference(self.words) if self.kind in ("integer", "string") else None
        hint = schema.get("x-faker")
        self.hint: Maker | None = HINTS.get(hint) if isinstance(hint, str) else None
        self.named = _naming_rule(self.words, self.kind, schema)
        self.makers = tuple(maker for maker in (self.hint, self.named) if maker is not None)  # tried in order
        self.format = schema.get("format")
        self.pattern = schema.get("pattern")
        # a string without bounds fits as it is: SchemaValues.fit has nothing to adjust
        self.plain_text = self.kind == "string" and not any(k in schema for k in ("minLength", "maxLength", "pattern"))

    def valid(self, value: Any) -> bool:
        return bool(self.check(value))

    @cached_property
    def check(self) -> Check:
        return validity(self.schema)

    @cached_property
    def examples(self) -> list[str]:
        return code_examples(self.schema)

    @cached_property
    def branches(self) -> list[Field]:
        """The branches a value is drawn from, each with this schema's own keywords (x-faker, format, ...):
        the non-null ones, or all when every branch is null."""
        key = str(self.branch_key)
        branches = [b for b in self.schema[key] if isinstance(b, Mapping)]
        real = [b for b in branches if declared_types(b) != ["null"] and b.get("const", 0) is not None] or branches
        outer = {k: v for k, v in self.schema.items() if k not in ("oneOf", "anyOf", "type", "enum")}
        return [Field(self.planner, self.name, {**outer, **branch}) for branch in real]

    @cached_property
    def object(self) -> Fields:
        return Fields(self.planner, self.schema.get("properties") or {}, list(self.schema.get("required") or ()))

    @cached_property
    def child_kind(self) -> str:
        """What the object this field holds is about (a person, a company, ...), from its name and title."""
        return kind_of(self.name, str(self.schema.get("title") or ""))

    @cached_property
    def array(self) -> Items:
        return Items(self.planner, self.name, self.schema)

    def targets(self, depth: int) -> set[str]:
        """The resources a value of this field may be picked from (an id-like name, inside it too)."""
        found = {self.referenced} if self.referenced else set()
        if depth <= 0 or self.const is not MISS:
            return found
        if self.branch_key is not None:
            return found.union(*(branch.targets(depth) for branch in self.branches))
        if self.kind == "object":
            found |= self.object.targets(depth - 1)
        elif self.kind == "array":
            found |= {self.array.referenced} if self.array.referenced else set()
            found |= self.array.item.targets(depth - 1)
        return found


def _naming_rule(words: tuple[str, ...], kind: str, schema: Mapping[str, Any]) -> Maker | None:
    if kind == "string":
        return string_rule(words, schema.get("format"))
    if kind in ("number", "integer"):
        return number_rule(words, kind)
    if kind == "boolean":
        return boolean_rule(words)
    return None


class Items:
    """What an array field's items are: how many, which schema, and what they point at."""

    def __init__(self, planner: Planner, name: str, schema: Mapping[str, Any]) -> None:
        raw_items = schema.get("items")
        self.items: Mapping[str, Any] = raw_items if isinstance(raw_items, Mapping) else {}
        self.low = int(schema.get("minItems", 0))
        self.high = int(schema.get("maxItems", max(self.low, 3)))
        self.unique = bool(schema.get("uniqueItems"))
        words = tokens(name)
        self.tags = schema.get("x-faker") == "tags.list" or ("tags" in words and "string" in declared_types(self.items))
        self.referenced = planner.guess_reference(words)
        self.of_records = bool(self.items.get("properties"))  # objects, not ids, even with an id-like name
        self.singular = name[:-1] if name.endswith("s") else name
        self.child_kind = kind_of(self.singular)
        self.item = planner.field(self.singular, self.items)

    @cached_property
    def check(self) -> Check:
        """The validity of an item as the items' schema says (not merged: the schema as the document has it)."""
        return validity(self.items)


class Fields:
    """An object's properties in the order they are generated, and what its states say about them."""

    def __init__(self, planner: Planner, properties: Mapping[str, Any], required: list[str]) -> None:
        self.properties = properties
        self.required = required
        self.order = [(prop, planner.field(prop, properties[prop]))
                      for prop in sorted(properties, key=generation_order) if isinstance(properties[prop], Mapping)]
        self.status = Status(planner, properties)

    def targets(self, depth: int) -> set[str]:
        return set().union(*(field.targets(depth) for _, field in self.order))


class Status:
    """The properties that tell or depend on a record's states: `is_won`-like flags, enums whose options
    name states (`closed_won`), fields named after a state (`won_date`, `lost_reason`), and the moments a
    state sets (`completed_at`)."""

    def __init__(self, planner: Planner, properties: Mapping[str, Any]) -> None:
        self.flags = [(prop, flag_state(prop)) for prop in properties if flag_state(prop)]
        self.enums = [(prop, option_states(tuple(o for o in sub["enum"] if isinstance(o, str))))
                      for prop, sub in properties.items() if isinstance(sub, Mapping) and sub.get("enum")]
        self.state_fields: list[tuple[str, str, bool]] = []  # (field, the state it belongs to, may be null)
        self.moments: list[tuple[str, str, Field]] = []  # (field, the state that sets it, its plan)
        for prop, sub in properties.items():
            words = tokens(prop)
            if len(words) < 2 or not isinstance(sub, Mapping):
                continue
            state = state_of(words[0])
            if state in STATES and not sub.get("enum"):
                self.state_fields.append((prop, state, nullable(sub)))
            if temporal_name(words):
                self.moments.append((prop, state, planner.field(prop, sub)))

    def enum_states(self, record: Mapping[str, Any]) -> dict[str, bool]:
        """States named by the options of the record's enums: each known, and on when it is the value."""
        active: dict[str, bool] = {}
        for prop, options in self.enums:
            value = record.get(prop)
            if not isinstance(value, str):
                continue
            chosen_option = value.lower()
            for option, named in options:
                for state in named:
                    active[state] = active.get(state, False) or chosen_option == option
        return active


class ResourcePlan:
    """A resource's record: its object plan, its references (and what the record they point at says)."""

    def __init__(self, planner: Planner, resource: Resource) -> None:
        self.resource = resource
        schema = self.schema = _merged(resource.schema)
        self.kind = kind_of(resource.name, resource.schema_name, str(schema.get("title") or ""))
        self.properties: Mapping[str, Any] = schema.get("properties") or {}
        self.required = list(schema.get("required") or ())
        self.closed = schema.get("additionalProperties", True) is False
        self.fields = Fields(planner, self.properties, self.required)
        references = list(resource.references)
        if resource.parent and all(r.field != resource.parent.field for r in references):
            references.append(Reference(resource.parent.field, resource.parent.resource, {}))
        self.references = [(reference, kind_of(reference.resource)) for reference in references]
        self.labels = [r for r in resource.references if kind_of(r.resource) == "label"]
        parent = resource.parent
        self.parent = (parent.field, parent.resource, planner.id_fields.get(parent.resource, "id")) if parent else None

    @cached_property
    def targets(self) -> frozenset[str]:
        """Every resource a record of this one may pick a record of: its references, its parent, and the
        resources id-like names inside it point at (`parent_company_id`)."""
        return frozenset({reference.resource for reference, _ in self.references} | self.fields.targets(MAX_DEPTH))


def names_a_company(field: str) -> bool:
    """`company_name`, `organization`, `account_name`: a field that holds the record's company."""
    return "".join(tokens(field)) in COMPANY_FIELDS
