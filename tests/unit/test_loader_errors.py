"""crmspec.load() on deliberately broken documents (tests/fixtures/broken/).

Every failure must be a crmspec.CrmSpecError subclass (never a traceback from yaml, prance or
openapi-spec-validator) whose message is ONE line that names the file and the JSON pointer (or the
line, for YAML syntax errors) of the problem. Each broken fixture is `control_valid.yaml` with one
thing broken, and the control itself must load, so every failure has exactly one cause.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import crmspec
from crmspec import CrmSpecError, DocumentNotFound, InvalidDialectBlock, InvalidDocument

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "broken"
CONTROL = BROKEN / "control_valid.yaml"

# The path of the operation every fixture declares, as a JSON pointer ("/" -> "~1").
OPERATION = "/paths/~1deals~1{id}/get"
SCHEMA = OPERATION + "/responses/200/content/application~1json/schema"

# fixture file -> (exception class, texts that must all appear in the message: the pointer or line first)
CASES: dict[str, tuple[type[CrmSpecError], tuple[str, ...]]] = {
    "yaml_syntax_error.yaml": (InvalidDocument, ("line 13", "YAML")),
    "control_character.yaml": (InvalidDocument, ("line 3", "YAML")),
    "not_a_mapping.yaml": (InvalidDocument, ("mapping",)),
    "openapi_30.yaml": (InvalidDocument, ("/openapi", "3.0.3")),
    "invalid_schema_type.yaml": (InvalidDocument, (SCHEMA + "/properties/data/type", "strin")),
    "dangling_ref.yaml": (
        InvalidDocument,
        (SCHEMA + "/properties/data/$ref", "#/components/schemas/Missing"),
    ),
    "dangling_external_ref.yaml": (InvalidDocument, (SCHEMA + "/properties/data/$ref", "no-such-file.yaml")),
    "missing_dialect_block.yaml": (InvalidDialectBlock, ("/x-crm-dialect",)),
    "dialect_without_pagination.yaml": (InvalidDialectBlock, ("/x-crm-dialect", "pagination")),
    "bad_dialect_value.yaml": (InvalidDialectBlock, ("/x-crm-dialect/pagination/first_page",)),
    "resource_schema_missing.yaml": (
        InvalidDialectBlock,
        ("/x-crm-dialect/resources/deals/schema", "NoSuchSchema"),
    ),
    "jwt_lifetime_not_integer.yaml": (InvalidDialectBlock, ("/x-crm-dialect/auth/jwt/lifetime_seconds",)),
    "operation_without_mark.yaml": (InvalidDialectBlock, (OPERATION, "x-crm-operation")),
    "operation_without_source.yaml": (InvalidDialectBlock, (OPERATION, "x-source")),
    "bad_operation_mark.yaml": (InvalidDialectBlock, (OPERATION + "/x-crm-operation/action",)),
    "envelope_override_bad.yaml": (
        InvalidDialectBlock,
        (OPERATION + "/x-crm-operation/envelope/page_fields",),
    ),
}


def _assert_one_line_naming(exc: CrmSpecError, path: Path, texts: tuple[str, ...]) -> None:
    message = str(exc)
    assert "\n" not in message and "\r" not in message, f"message is not one line: {message!r}"
    assert len(message) < 500, f"message is too long to read ({len(message)} chars): {message[:200]!r}..."
    assert str(path) in message, f"message does not name the file {path}: {message!r}"
    for text in texts:
        assert text in message, f"message does not name {text!r}: {message!r}"


def test_control_fixture_loads() -> None:
    api = crmspec.load(CONTROL)
    assert [str(op) for op in api.operations] == ["GET /deals/{id}"]


def test_every_broken_fixture_has_a_case() -> None:
    files = {p.name for p in BROKEN.glob("*.yaml")} - {CONTROL.name}
    assert files == set(CASES), f"fixtures without a case: {sorted(files - set(CASES))}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_document_raises_one_line_error(name: str) -> None:
    kind, texts = CASES[name]
    path = BROKEN / name
    with pytest.raises(CrmSpecError) as info:
        crmspec.load(path)
    assert isinstance(info.value, kind), f"{type(info.value).__name__}: {info.value}"
    _assert_one_line_naming(info.value, path, texts)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_document_by_string_path(name: str) -> None:
    """load() takes a str as well as a Path; the message names the resolved file either way."""
    path = BROKEN / name
    with pytest.raises(CrmSpecError) as info:
        crmspec.load(str(path))
    _assert_one_line_naming(info.value, path, CASES[name][1][:1])


def test_unknown_dialect_name_lists_the_known_names() -> None:
    with pytest.raises(DocumentNotFound) as info:
        crmspec.load("salesforce")
    message = str(info.value)
    assert "\n" not in message
    assert "salesforce" in message
    for known in ("revorbit", "olympus", "concord", "ysuite"):
        assert known in message, f"{known!r} missing from {message!r}"


def test_missing_file_is_document_not_found(tmp_path: Path) -> None:
    with pytest.raises(DocumentNotFound):
        crmspec.load(tmp_path / "nowhere.yaml")


def test_parent_with_an_extra_key_does_not_crash(tmp_path: Path) -> None:
    """The dialect schema allows extra keys in `resources.*.parent`; the loader must not pass them to
    the Parent dataclass (it used to raise TypeError)."""
    text = CONTROL.read_text(encoding="utf-8").replace(
        "    deals: {schema: Deal}\n",
        "    deals: {schema: Deal}\n"
        "    notes: {schema: Deal, parent: {resource: deals, field: deal_id, param: id, note: extra}}\n",
    )
    path = tmp_path / "parent_extra.yaml"
    path.write_text(text, encoding="utf-8")
    parent = crmspec.load(path).dialect.resources["notes"].parent
    assert parent is not None and (parent.resource, parent.field, parent.param) == ("deals", "deal_id", "id")


def test_unreadable_bytes_are_an_invalid_document(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"openapi: 3.1.0\ninfo: {title: caf\xe9, version: '1'}\n")
    with pytest.raises(InvalidDocument) as info:
        crmspec.load(path)
    _assert_one_line_naming(info.value, path, ())
