"""The requirements catalogue of an API: every testable statement of its pages, with an id, the quote,
its level and the checks that verify it (openapi/<api>.requirements.yaml; docs/requirements.md).

A check reports each observation with what it was about (`parameter`, `field`, `status`, ...); the
requirements it verified are those whose `checks` name the check, whose `operations` hold the operation
(or are empty: API-wide), and whose `about` is part of what the observation was about.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from crmspec.errors import CrmSpecError

Level = Literal["MUST", "SHOULD"]
KINDS = ("parameter", "filter", "search", "sort", "pagination", "field", "status", "error", "envelope", "auth",
         "role", "side-effect", "validation", "id", "format", "other")

REQUIREMENTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["api", "requirements"],
    "properties": {
        "api": {"type": "string"},
        "pages": {"type": "array", "items": {"type": "string"}},
        "requirements": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "source", "quote", "level", "operations", "kind", "testable"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z]{2}-[A-Z0-9_-]+-[0-9]{2,3}$"},
                    "title": {"type": "string", "minLength": 1},
                    "source": {"type": "string", "minLength": 1},
                    "quote": {"type": "string", "minLength": 1},
                    "decision": {"type": ["string", "null"]},
                    "level": {"enum": ["MUST", "SHOULD"]},
                    "operations": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]+ /"}},
                    "kind": {"enum": list(KINDS)},
                    "testable": {"type": "boolean"},
                    "reason": {"type": ["string", "null"]},
                    "checks": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{3}$"}},
                    "about": {"type": "object", "additionalProperties": {
                        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                    }},
                },
            },
        },
    },
}


class InvalidCatalogue(CrmSpecError):
    def __init__(self, path: str, where: str, reason: str) -> None:
        super().__init__(path, where, reason)
        self.path, self.where, self.reason = path, where, reason

    def __str__(self) -> str:
        return f"{self.path}: invalid requirements catalogue at {self.where or '/'}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    title: str
    source: str
    quote: str
    level: Level
    operations: tuple[str, ...]
    kind: str
    testable: bool
    reason: str | None = None
    decision: str | None = None
    checks: tuple[str, ...] = ()
    about: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)  # a list: any of its values

    def concerns(self, operation: str | None) -> bool:
        return not self.operations or (operation is not None and operation in self.operations)

    def matches(self, about: Mapping[str, Any]) -> bool:
        return all(str(about.get(key)) in self.values_of(key) for key in self.about)

    def values_of(self, key: str) -> tuple[str, ...]:
        """What the requirement is about under `key`: one value, or any of a list (() when it names none)."""
        value = self.about.get(key)
        return () if value is None else (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class Catalogue:
    api: str
    path: str
    sha256: str
    requirements: tuple[Requirement, ...]
    by_check: dict[str, list[Requirement]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_check: dict[str, list[Requirement]] = {}
        for requirement in self.requirements:
            for check in requirement.checks:
                by_check.setdefault(check, []).append(requirement)
        object.__setattr__(self, "by_check", by_check)

    def get(self, requirement_id: str) -> Requirement:
        return next(r for r in self.requirements if r.id == requirement_id)

    def verified_by(self, check_id: str) -> list[Requirement]:
        return self.by_check.get(check_id, [])

    def matching(self, check_id: str, operation: str | None, about: Mapping[str, Any]) -> list[Requirement]:
        """The requirements an observation of `check_id` on `operation` about `about` verifies."""
        return [r for r in self.verified_by(check_id) if r.concerns(operation) and r.matches(about)]


def load_catalogue(path: Path, operations: set[str]) -> Catalogue:
    """Read, validate and index a catalogue; every operation it names must be one of `operations`."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidCatalogue(str(path), "", f"cannot read the file ({exc})") from None
    except yaml.YAMLError as exc:
        raise InvalidCatalogue(str(path), "", f"not valid YAML: {str(exc).splitlines()[0]}") from None
    problem = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(REQUIREMENTS_SCHEMA).iter_errors(raw))
    if problem is not None:
        where = "".join(f"/{p}" for p in problem.absolute_path)
        raise InvalidCatalogue(str(path), where, problem.message[:300])
    seen: set[str] = set()
    requirements = []
    for index, item in enumerate(raw["requirements"]):
        where = f"/requirements/{index}"
        if item["id"] in seen:
            raise InvalidCatalogue(str(path), where, f"the id {item['id']} is used twice")
        seen.add(item["id"])
        unknown = [op for op in item["operations"] if op not in operations]
        if unknown:
            raise InvalidCatalogue(str(path), where, f"{item['id']} names operations the document does not have: "
                                   f"{', '.join(unknown)}")
        if not item["testable"] and not item.get("reason"):
            raise InvalidCatalogue(str(path), where, f"{item['id']} is untestable but gives no reason")
        requirements.append(Requirement(
            id=item["id"], title=item["title"], source=item["source"], quote=item["quote"], level=item["level"],
            operations=tuple(item["operations"]), kind=item["kind"], testable=item["testable"],
            reason=item.get("reason"), decision=item.get("decision"), checks=tuple(item.get("checks") or ()),
            about={k: v if isinstance(v, str) else tuple(v) for k, v in (item.get("about") or {}).items()},
        ))
    return Catalogue(api=str(raw["api"]), path=str(path), sha256=hashlib.sha256(text.encode()).hexdigest(),
                     requirements=tuple(requirements))
