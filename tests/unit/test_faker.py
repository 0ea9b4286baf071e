"""mock_server.faker.FakeData: deterministic, realistic fake records that validate against the documents.

Expected values are computed here from the inputs (the picked record, the schema, `today`), never
taken from faker.py's own tables.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import crmspec
from crmspec.model import Parent, Reference, Resource
from mock_server.faker import FakeData

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 3, 1)
EMAIL = re.compile(r"^[a-z0-9][a-z0-9._+-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
Pick = Callable[[str], dict[str, Any] | None]


def resource(
    name: str,
    properties: dict[str, Any],
    required: tuple[str, ...] = (),
    references: tuple[Reference, ...] = (),
    id_field: str = "id",
    schema_name: str = "",
    parent: Parent | None = None,
) -> Resource:
    schema = {"type": "object", "required": [id_field, *required], "properties": properties}
    return Resource(
        name=name,
        schema_name=schema_name or name.title(),
        id_field=id_field,
        id_prefix=None,
        parent=parent,
        seed=True,
        not_found_code=None,
        references=references,
        fixtures=(),
        schema=schema,
    )


NULLABLE_INT = {"type": ["integer", "null"]}
CONTACTS = resource(
    "contacts",
    {
        "id": {"type": "integer"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "phone": {"type": ["string", "null"]},
        "title": {"type": "string"},
        "company_name": {"type": "string"},
        "website": {"type": "string", "format": "uri"},
        "tags": {"type": "string"},
        "lifetime_value": {"type": "number", "minimum": 0},
        "birth_date": {"type": "string", "format": "date"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
    required=("first_name", "last_name", "email"),
)
COMPANIES = resource(
    "companies",
    {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "domain": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "color": {"type": "string"},
    },
    required=("name", "domain", "email"),
)
DEALS = resource(
    "deals",
    {
        "id": {"type": "integer"},
        "name": {"type": "string", "maxLength": 255},
        "value": {"type": "number"},
        "currency": {"type": "string"},
        "probability": {"type": "integer", "minimum": 0, "maximum": 100},
        "contact_id": NULLABLE_INT,
        "contact_name": {"type": ["string", "null"]},
        "owner_id": {"type": "integer"},
        "owner": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "status": {"type": "string", "enum": ["open", "won", "lost"]},
        "won_date": {"type": ["string", "null"], "format": "date"},
        "lost_reason": {"type": ["string", "null"]},
        "expected_close_date": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
    required=("name", "value", "owner_id", "status"),
    references=(
        Reference("contact_id", "contacts", {"contact_name": "name"}),
        Reference("owner.id", "users", {"owner.name": "name"}),
    ),
)
TASKS = resource(
    "tasks",
    {
        "id": {"type": "integer"},
        "title": {"type": "string", "maxLength": 60},
        "description": {"type": "string"},
        "due_date": {"type": "string", "format": "date"},
        "start_time": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        "end_time": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        "deal_id": {"type": "integer"},
    },
    required=("title", "due_date"),
    references=(Reference("deal_id", "deals", {}),),
)
USERS = resource("users", {"user_id": {"type": "integer"}, "name": {"type": "string"}}, ("name",), id_field="user_id")
SYNTHETIC = {r.name: r for r in (USERS, CONTACTS, COMPANIES, DEALS, TASKS)}
ID_FIELDS = {name: r.id_field for name, r in SYNTHETIC.items()}


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def problems(schema: dict[str, Any], record: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(schema).iter_errors(record)]


def order(resources: dict[str, Resource]) -> list[Resource]:
    """Referenced resources first (as a seeder would), cycles broken arbitrarily."""
    done: dict[str, Resource] = {}

    def visit(res: Resource, trail: tuple[str, ...]) -> None:
        if res.name in done or res.name in trail:
            return
        targets = [r.resource for r in res.references] + ([res.parent.resource] if res.parent else [])
        for target in targets:
            if target in resources:
                visit(resources[target], (*trail, res.name))
        done[res.name] = res

    for res in resources.values():
        visit(res, ())
    return list(done.values())


class Store:
    """Records by resource, with ids; `pick` returns one of them at random (or None when empty)."""

    def __init__(self, resources: dict[str, Resource], seed: int = 0, fixtures: bool = True) -> None:
        self.resources = resources
        self.rows: dict[str, list[dict[str, Any]]] = {
            name: [dict(f) for f in r.fixtures] if fixtures else [] for name, r in resources.items()
        }
        self.rng = random.Random(seed)

    def pick(self, name: str) -> dict[str, Any] | None:
        rows = self.rows.get(name) or []
        return self.rng.choice(rows) if rows else None

    def next_id(self, res: Resource, id_type: str = "integer") -> Any:
        ids = [row.get(res.id_field) for row in self.rows[res.name]]
        numbers = [i for i in ids if isinstance(i, int)]
        n = max(numbers, default=len(ids)) + 1
        return n if id_type == "integer" else f"{res.id_prefix or res.name[:-1]}_{n:03d}"

    def add(self, res: Resource, record: dict[str, Any], id_type: str = "integer") -> dict[str, Any]:
        row = {res.id_field: self.next_id(res, id_type), **record}
        self.rows[res.name].append(row)
        return row


def seed_all(
    fake: FakeData, resources: dict[str, Resource], count: int, id_type: str = "integer", seed: int = 0
) -> dict[str, list[dict[str, Any]]]:
    store = Store(resources, seed)
    made: dict[str, list[dict[str, Any]]] = {}
    for res in order(resources):
        made[res.name] = []
        for index in range(count):
            record = fake.record(res, store.pick, index)
            made[res.name].append(record)
            store.add(res, record, id_type)
    return made


def loaded(dialect: str) -> crmspec.Api:
    """A packaged document; one that does not load fails the test (it ships, so it must load)."""
    try:
        return crmspec.load(dialect)
    except crmspec.CrmSpecError as exc:
        pytest.fail(f"{dialect}: the document does not load ({str(exc)[:200]})")


def property_schemas(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in (schema.get("properties") or {}).items() if isinstance(v, dict)}


def walk(value: Any, schema: dict[str, Any], path: str = "") -> list[tuple[str, Any, dict[str, Any]]]:
    """Every (dotted name, value, schema) pair inside a generated value, nested objects and arrays too."""
    found = [(path, value, schema)]
    branches = [schema] + [b for k in ("anyOf", "oneOf", "allOf") for b in schema.get(k) or () if isinstance(b, dict)]
    for branch in branches:
        if isinstance(value, dict):
            for key, sub in property_schemas(branch).items():
                if key in value:
                    found += walk(value[key], sub, f"{path}.{key}" if path else key)
        elif isinstance(value, list) and isinstance(branch.get("items"), dict):
            for item in value:
                found += walk(item, branch["items"], path)
    return found


# --- determinism -------------------------------------------------------------------------------------


def test_same_seed_same_records_and_values() -> None:
    first = seed_all(FakeData(11, TODAY, ID_FIELDS), SYNTHETIC, 10)
    second = seed_all(FakeData(11, TODAY, ID_FIELDS), SYNTHETIC, 10)
    assert first == second
    a, b = FakeData(5, TODAY), FakeData(5, TODAY)
    assert [a.value("email", {"type": "string"}) for _ in range(5)] == [
        b.value("email", {"type": "string"}) for _ in range(5)
    ]


def test_different_seed_different_records() -> None:
    first = seed_all(FakeData(11, TODAY, ID_FIELDS), SYNTHETIC, 10)
    second = seed_all(FakeData(12, TODAY, ID_FIELDS), SYNTHETIC, 10)
    assert first != second
    assert [r["name"] for r in first["deals"]] != [r["name"] for r in second["deals"]]


def test_same_seed_same_records_across_processes() -> None:
    """String hashing differs between processes: no choice may depend on set or hash order."""
    script = (
        "import json, datetime as dt, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.unit.test_faker import SYNTHETIC, ID_FIELDS, seed_all\n"
        "from mock_server.faker import FakeData\n"
        "print(json.dumps(seed_all(FakeData(3, dt.date(2026, 3, 1), ID_FIELDS), SYNTHETIC, 8), sort_keys=True))\n"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["deals"]


def test_global_random_untouched() -> None:
    random.seed(99)
    expected = [random.random() for _ in range(3)]
    random.seed(99)
    fake = FakeData(1, TODAY, ID_FIELDS)
    seed_all(fake, SYNTHETIC, 3)
    assert [random.random() for _ in range(3)] == expected


# --- the documents ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", sorted(crmspec.DOCUMENTS))
def test_every_record_of_every_document_validates(dialect: str) -> None:
    api = loaded(dialect)
    resources = api.dialect.resources
    fake = FakeData(2024, TODAY, {name: r.id_field for name, r in resources.items()})
    store = Store(resources, seed=7)
    failures: list[str] = []
    for res in order(resources):
        for index in range(30):
            record = fake.record(res, store.pick, index)
            assert res.id_field not in record, f"{res.name}: the store assigns ids, not the faker"
            row = store.add(res, record, api.dialect.id_type)
            failures += [f"{res.name}[{index}] {p}" for p in problems(res.schema, row)[:3]]
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("dialect", sorted(crmspec.DOCUMENTS))
def test_references_of_every_document_point_at_picked_records(dialect: str) -> None:
    api = loaded(dialect)
    resources = api.dialect.resources
    fake = FakeData(5, TODAY, {name: r.id_field for name, r in resources.items()})
    store = Store(resources, seed=3)
    for res in order(resources):
        for index in range(10):
            picked: list[tuple[str, dict[str, Any] | None]] = []

            def pick(name: str, _log: list[tuple[str, dict[str, Any] | None]] = picked) -> dict[str, Any] | None:
                row = store.pick(name)
                _log.append((name, row))
                return row

            record = fake.record(res, pick, index)
            for number, reference in enumerate(res.references):  # picked first, in the declared order
                name, target = picked[number]
                assert name == reference.resource
                if target is None:
                    continue
                ids = resources[reference.resource].id_field
                assert _get(record, reference.field) == target[ids], (res.name, reference.field)
                for field, source in reference.names.items():
                    assert _get(record, field) == _get(target, source), (res.name, field)
            store.add(res, record, api.dialect.id_type)


def declared_checks(schema: dict[str, Any]) -> set[str]:
    """The formats (email, date, date-time) and length limits a resource's schema declares anywhere inside it."""
    found: set[str] = set()
    if schema.get("format") in ("email", "date", "date-time"):
        found.add(str(schema["format"]))
    if isinstance(schema.get("maxLength"), int):
        found.add("maxLength")
    subs = [*property_schemas(schema).values(), *(b for k in ("anyOf", "oneOf", "allOf") for b in schema.get(k) or ())]
    if isinstance(schema.get("items"), dict):
        subs.append(schema["items"])
    for sub in subs:
        if isinstance(sub, dict):
            found |= declared_checks(sub)
    return found


@pytest.mark.parametrize("dialect", sorted(crmspec.DOCUMENTS))
def test_documents_emails_and_dates_look_right(dialect: str) -> None:
    api = loaded(dialect)
    resources = api.dialect.resources
    made = seed_all(FakeData(8, TODAY, {n: r.id_field for n, r in resources.items()}), resources, 15)
    checked: set[str] = set()
    for name, records in made.items():
        for record in records:
            for path, value, schema in walk(record, resources[name].schema):
                if not isinstance(value, str):
                    continue
                leaf = path.rsplit(".", 1)[-1]
                if schema.get("format") == "email" or leaf.endswith("email"):
                    assert EMAIL.match(value), (name, path, value)
                    checked.add("email")
                if schema.get("format") == "date":
                    dt.date.fromisoformat(value)
                    checked.add("date")
                if schema.get("format") == "date-time":
                    assert value.endswith("Z") or re.search(r"[+-]\d{2}:?\d{2}$", value), (name, path, value)
                    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                    checked.add("date-time")
                if isinstance(schema.get("maxLength"), int):
                    assert len(value) <= schema["maxLength"], (name, path, value)
                    checked.add("maxLength")
    declared = set().union(*(declared_checks(r.schema) for r in resources.values()))
    assert declared, f"{dialect}: its resources declare no email, date, date-time or maxLength"
    assert "email" in checked, f"{dialect}: no email was generated"
    assert declared <= checked, f"{dialect}: never generated a value to check for {sorted(declared - checked)}"


# --- references -------------------------------------------------------------------------------------


def test_reference_takes_the_picked_id_and_copies_names() -> None:
    jane = {"id": 7, "name": "Jane Smith"}
    boss = {"user_id": 3, "name": "Ann Lee"}
    fake = FakeData(1, TODAY, ID_FIELDS)
    for index in range(20):
        record = fake.record(DEALS, lambda name: jane if name == "contacts" else boss, index)
        assert record["contact_id"] == 7
        assert record["contact_name"] == "Jane Smith"
        assert record["owner"] == {"id": 3, "name": "Ann Lee"}  # dotted reference, nested object
        assert not problems(DEALS.schema, {"id": 1, **record})


def test_reference_without_target_is_null_when_nullable_else_left_out() -> None:
    fake = FakeData(1, TODAY, ID_FIELDS)
    record = fake.record(DEALS, lambda name: None)
    assert record["contact_id"] is None and record["contact_name"] is None
    assert "id" not in record.get("owner", {})  # owner.id is required in owner, not nullable
    record = fake.record(TASKS, lambda name: None)
    assert "deal_id" not in record


def test_parent_field_comes_from_the_parent_record() -> None:
    notes = resource(
        "notes",
        {"id": {"type": "integer"}, "deal_id": {"type": "integer"}, "content": {"type": "string"}},
        required=("deal_id", "content"),
        parent=Parent("deals", "deal_id", "id"),
    )
    record = FakeData(4, TODAY, ID_FIELDS).record(notes, lambda name: {"id": 42} if name == "deals" else None)
    assert record["deal_id"] == 42


def test_id_like_field_named_after_a_resource_points_at_it() -> None:
    companies = resource(
        "companies",
        {"id": {"type": "integer"}, "name": {"type": "string"}, "parent_company_id": NULLABLE_INT},
    )
    fake = FakeData(4, TODAY, {"companies": "id"})
    record = fake.record(companies, lambda name: {"id": 9, "name": "Acme"})
    assert record["parent_company_id"] == 9


def test_deal_name_uses_the_referenced_company() -> None:
    deals = resource(
        "deals",
        {"id": {"type": "integer"}, "title": {"type": "string"}, "company_id": {"type": "integer"}},
        references=(Reference("company_id", "companies", {}),),
    )
    record = FakeData(2, TODAY, ID_FIELDS).record(deals, lambda name: {"id": 5, "name": "Globex"})
    assert record["company_id"] == 5
    assert record["title"].startswith("Globex ")
    assert record["title"].split()[-1] in ("License", "Renewal", "Expansion", "Pilot")


# --- realistic fields -------------------------------------------------------------------------------


def test_contacts_agree_with_themselves() -> None:
    fake = FakeData(6, TODAY, ID_FIELDS)
    emails = []
    for index in range(40):
        record = fake.record(CONTACTS, lambda name: None, index)
        first, last = record["first_name"], record["last_name"]
        assert record["name"] == f"{first} {last}"
        local = record["email"].split("@")[0]
        assert EMAIL.match(record["email"]), record["email"]
        assert local.startswith(re.sub(r"[^a-z0-9]", "", first.lower()) + ".")
        assert re.sub(r"[^a-z0-9]", "", last.lower()) in local
        assert record["email"] == record["email"].lower()
        assert record["website"].startswith("https://")
        assert all(re.fullmatch(r"[a-z]+", tag) for tag in record["tags"].split(","))
        created = dt.datetime.fromisoformat(record["created_at"].replace("Z", "+00:00"))
        updated = dt.datetime.fromisoformat(record["updated_at"].replace("Z", "+00:00"))
        assert STAMP.match(record["created_at"]) and STAMP.match(record["updated_at"])
        assert created <= updated <= dt.datetime.combine(TODAY, dt.time(0), tzinfo=dt.UTC)
        assert created.date() >= TODAY - dt.timedelta(days=366)
        dt.date.fromisoformat(record["birth_date"])
        emails.append(record["email"])
    assert len(set(emails)) == len(emails)


def test_company_records_use_company_names_and_their_domain() -> None:
    fake = FakeData(9, TODAY, ID_FIELDS)
    for index in range(20):
        record = fake.record(COMPANIES, lambda name: None, index)
        assert record["email"].endswith("@" + record["domain"])
        assert "." in record["domain"] and " " not in record["domain"]
        assert re.fullmatch(r"#[0-9a-f]{6}", record["color"])


def test_deals_values_and_dates_are_in_sensible_ranges() -> None:
    fake = FakeData(10, TODAY, ID_FIELDS)
    statuses = set()
    for index in range(60):
        record = fake.record(DEALS, lambda name: {"id": 1, "user_id": 2, "name": "Jo Park"}, index)
        assert 1000 <= record["value"] <= 250000
        assert round(record["value"], 2) == record["value"]
        assert record["currency"] in ("USD", "EUR", "GBP")
        assert isinstance(record["probability"], int) and 0 <= record["probability"] <= 100
        close = dt.date.fromisoformat(record["expected_close_date"])
        assert TODAY - dt.timedelta(days=366) <= close <= TODAY + dt.timedelta(days=181)
        assert 1 <= len(record["tags"]) <= 3 and all(isinstance(t, str) for t in record["tags"])
        statuses.add(record["status"])
        if record["status"] != "won":  # a won date only on won deals (Decision X2)
            assert record.get("won_date") is None
        if record["status"] != "lost":
            assert record.get("lost_reason") is None
    assert statuses == {"open", "won", "lost"}


def test_task_titles_dates_and_times() -> None:
    fake = FakeData(12, TODAY, ID_FIELDS)
    contact_titles = {fake.record(CONTACTS, lambda name: None, i)["title"] for i in range(20)}
    for index in range(30):
        record = fake.record(TASKS, lambda name: {"id": 1}, index)
        assert 0 < len(record["title"]) <= 60 and " " in record["title"]
        due = dt.date.fromisoformat(record["due_date"])
        assert TODAY <= due <= TODAY + dt.timedelta(days=31)  # due dates: the near future
        assert record["start_time"] < record["end_time"]
        assert re.fullmatch(r"\d{2}:\d{2}", record["end_time"])
        assert record["title"] not in contact_titles  # job titles on contacts, task sentences on tasks


def test_max_length_is_always_respected() -> None:
    fake = FakeData(13, TODAY)
    schemas: dict[str, dict[str, Any]] = {
        "name": {"type": "string", "maxLength": 5},
        "title": {"type": "string", "maxLength": 3},
        "description": {"type": "string", "maxLength": 12, "minLength": 10},
        "email": {"type": "string", "maxLength": 8},
        "deal_name": {"type": "string", "maxLength": 10, "x-faker": "deal.name"},
        "notes": {"type": "string", "maxLength": 1, "x-faker": "text.paragraph"},
        "website": {"type": "string", "maxLength": 15},
    }
    for name, schema in schemas.items():
        for _ in range(25):
            value = fake.value(name, schema)
            assert isinstance(value, str) and len(value) <= schema["maxLength"], (name, value)
            assert len(value) >= int(schema.get("minLength", 0)), (name, value)


@pytest.mark.parametrize(
    ("hint", "kind", "check"),
    [
        ("person.email", "string", lambda v: bool(EMAIL.match(v))),
        ("person.phone", "string", lambda v: sum(c.isdigit() for c in v) >= 10),
        ("company.domain", "string", lambda v: re.fullmatch(r"[a-z0-9-]+\.[a-z]{2,}", v) is not None),
        ("money", "number", lambda v: round(v, 2) == v and v > 0),
        ("money", "string", lambda v: re.fullmatch(r"\d+\.\d{2}", v) is not None),
        ("percent", "integer", lambda v: 0 <= v <= 100),
        ("date.future", "string", lambda v: TODAY < dt.date.fromisoformat(v) <= TODAY + dt.timedelta(days=181)),
        ("date.past", "string", lambda v: TODAY - dt.timedelta(days=366) <= dt.date.fromisoformat(v) < TODAY),
        ("datetime.past", "string", lambda v: STAMP.match(v) and v[:10] < TODAY.isoformat()),
        ("datetime.future", "string", lambda v: STAMP.match(v) and v[:10] >= TODAY.isoformat()),
        ("url", "string", lambda v: v.startswith(("https://", "http://"))),
        ("color.hex", "string", lambda v: re.fullmatch(r"#[0-9a-f]{6}", v) is not None),
        ("tags.csv", "string", lambda v: all(re.fullmatch(r"[a-z]+", t) for t in v.split(","))),
        ("currency", "string", lambda v: v in ("USD", "EUR", "GBP")),
        ("text.sentence", "string", lambda v: " " in v and v[0].isupper()),
        ("person.name", "string", lambda v: len(v.split()) >= 2),
        ("address.zip", "string", lambda v: any(c.isdigit() for c in v)),
    ],
)
def test_hints(hint: str, kind: str, check: Callable[[Any], Any]) -> None:
    fake = FakeData(21, TODAY)
    for _ in range(15):
        value = fake.value("field", {"type": kind, "x-faker": hint})
        assert check(value), (hint, value)


def test_tags_list_hint_gives_a_list_of_words() -> None:
    value = FakeData(3, TODAY).value("labels", {"type": "array", "items": {"type": "string"}, "x-faker": "tags.list"})
    assert isinstance(value, list) and 1 <= len(value) <= 3
    assert all(isinstance(v, str) and re.fullmatch(r"[a-z]+", v) for v in value)


# --- plain JSON schema ------------------------------------------------------------------------------

SCHEMAS: list[tuple[str, dict[str, Any]]] = [
    ("kind", {"type": "string", "enum": ["a", "b", "c"]}),
    ("fixed", {"const": 42}),
    ("maybe", {"type": ["string", "null"]}),
    ("count", {"type": "integer", "minimum": 3, "maximum": 5}),
    ("ratio", {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}),
    ("step", {"type": "integer", "minimum": 10, "maximum": 100, "multipleOf": 7}),
    ("flag", {"type": "boolean"}),
    ("when", {"type": "string", "format": "date-time"}),
    ("day", {"type": "string", "format": "date"}),
    ("link", {"type": "string", "format": "uri"}),
    ("key", {"type": "string", "format": "uuid"}),
    ("code", {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}),
    ("due_time", {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}),
    ("word", {"type": "string", "minLength": 4, "maxLength": 6}),
    ("ids", {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 4, "uniqueItems": True}),
    ("either", {"oneOf": [{"type": "integer", "maximum": 5}, {"type": "string", "maxLength": 3}]}),
    ("maybe_obj", {"anyOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
                             {"type": "null"}]}),
    ("merged", {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                          {"properties": {"email": {"type": "string", "format": "email"}}, "required": ["email"]}]}),
    ("nested", {"type": "object", "required": ["address"], "properties": {
        "address": {"type": "object", "required": ["city", "zip"], "properties": {
            "city": {"type": "string"}, "zip": {"type": "string"}, "lines": {"type": "array", "items": {
                "type": "string"}}}}}}),
]


@pytest.mark.parametrize(("name", "schema"), SCHEMAS, ids=[n for n, _ in SCHEMAS])
def test_value_validates_against_its_schema(name: str, schema: dict[str, Any]) -> None:
    fake = FakeData(17, TODAY)
    for _ in range(25):
        value = fake.value(name, schema)
        assert not problems(schema, value), (name, value, problems(schema, value))


def test_request_bodies_leave_out_read_only_and_responses_write_only_fields() -> None:
    body = {
        "type": "object",
        "required": ["name", "email"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "name": {"type": ["string", "null"]},
            "email": {"type": ["string", "null"], "format": "email"},
            "password": {"type": "string", "writeOnly": True},
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
        },
    }
    fake = FakeData(30, TODAY)
    for _ in range(30):
        request = fake.value("contact", body, request=True)
        assert set(request) == {"name", "email", "password"}
        assert isinstance(request["name"], str) and EMAIL.match(request["email"])  # required: never null
        response = fake.value("contact", body)
        assert set(response) == {"id", "name", "email", "created_at"}


def test_timestamps_follow_the_schema_example() -> None:
    fake = FakeData(1, TODAY)
    micro = fake.value("created_at", {"type": "string", "examples": ["2024-05-01T10:00:00.000000Z"]})
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z", micro)
    plain = fake.value("created_at", {"type": "string", "format": "date-time"})
    assert STAMP.match(plain)


def test_state_fields_follow_the_state_flags() -> None:
    """No status enum: `is_won` / `is_lost` decide, they exclude each other, and a stage's name wins."""
    deals = resource(
        "deals",
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "is_won": {"type": "boolean"},
            "is_lost": {"type": "boolean"},
            "loss_reason": {"type": ["string", "null"]},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
        },
    )
    fake = FakeData(14, TODAY)
    for index in range(40):
        record = fake.record(deals, lambda name: None, index)
        assert not (record["is_won"] and record["is_lost"])
        if not record["is_lost"]:
            assert record["loss_reason"] is None
        if not (record["is_won"] or record["is_lost"]):
            assert record["closed_at"] is None
    stages = resource(
        "stages",
        {"id": {"type": "integer"}, "name": {"type": "string", "enum": ["Closed Won", "Closed Lost", "Lead"]},
         "is_won": {"type": "boolean"}, "is_lost": {"type": "boolean"}},
    )
    for index in range(20):
        stage = fake.record(stages, lambda name: None, index)
        assert stage["is_won"] == stage["name"].endswith("Won")
        assert stage["is_lost"] == stage["name"].endswith("Lost")


def test_codes_follow_their_examples_and_prefix_patterns() -> None:
    fake = FakeData(15, TODAY)
    schema = {"type": "string", "pattern": "^RO-", "examples": ["RO-000123"]}
    values = {fake.value("contract_number", schema) for _ in range(20)}
    assert all(re.fullmatch(r"RO-\d{6}", v) for v in values), values
    assert len(values) > 10
    prefix_only = {fake.value("reference", {"type": "string", "pattern": "^INV-"}) for _ in range(20)}
    assert all(v.startswith("INV-") and len(v) > 4 for v in prefix_only), prefix_only


def _get(record: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record


def test_a_percentage_discount_is_a_percent_and_a_fixed_one_an_amount() -> None:
    quotes = resource(
        "quotes",
        {"id": {"type": "integer"}, "discount_type": {"type": "string", "enum": ["percentage", "fixed"]},
         "discount_value": {"type": "number", "minimum": 0}},
    )
    fake = FakeData(21, TODAY)
    kinds = set()
    for index in range(40):
        record = fake.record(quotes, lambda name: None, index)
        kinds.add(record["discount_type"])
        if record["discount_type"] == "percentage":
            assert 0 < record["discount_value"] <= 100, record
    assert kinds == {"percentage", "fixed"}
