"""What a requirement is about may be a list of values, and an error status may carry any code the pages
allow for it (dialects.md 1B for Olympus)."""

from __future__ import annotations

from pathlib import Path

from crmspec import load
from crmspec.requirements import Requirement, load_catalogue


def _requirement(about: dict[str, str | tuple[str, ...]]) -> Requirement:
    return Requirement(id="XX-THINGS-LIST-01", title="t", source="s", quote="q", level="SHOULD",
                       operations=("GET /things",), kind="validation", testable=True, checks=("VAL-012",),
                       about=about)


def test_a_list_of_values_is_met_by_any_of_them_and_nothing_else() -> None:
    requirement = _requirement({"parameter": ("page", "limit")})
    assert requirement.matches({"parameter": "page"})
    assert requirement.matches({"parameter": "limit"})
    assert not requirement.matches({"parameter": "status"})
    assert not requirement.matches({})


def test_one_value_is_met_by_that_value_only() -> None:
    requirement = _requirement({"status": "401"})
    assert requirement.matches({"status": 401})
    assert not requirement.matches({"status": 403})
    assert requirement.values_of("status") == ("401",)
    assert requirement.values_of("parameter") == ()


def test_a_catalogue_may_name_a_list_of_values(tmp_path: Path) -> None:
    path = tmp_path / "things.requirements.yaml"
    path.write_text("""api: things
requirements:
  - id: XX-THINGS-LIST-01
    title: page and limit must be integers
    source: page.txt
    quote: "page | integer | limit | integer"
    level: SHOULD
    operations: ["GET /things"]
    kind: validation
    testable: true
    checks: [VAL-012]
    about: {parameter: [page, limit]}
""", encoding="utf-8")
    catalogue = load_catalogue(path, {"GET /things"})
    assert [r.id for r in catalogue.matching("VAL-012", "GET /things", {"parameter": "limit"})] == ["XX-THINGS-LIST-01"]


def test_olympus_401_allows_the_three_codes_of_its_error_table() -> None:
    errors = load("olympus").dialect.errors
    # dialects.md 1B: "401 UNAUTHORIZED / INVALID_TOKEN / TOKEN_EXPIRED; 403 FORBIDDEN"
    assert errors.codes_for(401) == {"UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED"}
    assert errors.codes_for(403) == {"FORBIDDEN"}
    # 002: 400 VALIDATION_ERROR (OC5) and the platform's BAD_REQUEST both answer with 400
    assert {"VALIDATION_ERROR", "BAD_REQUEST"} <= errors.codes_for(400)


def test_an_api_without_codes_allows_none() -> None:
    assert load("concord").dialect.errors.codes_for(401) == frozenset()
