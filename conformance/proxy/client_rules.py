"""The client's own request against the document: its parameters and its body. A client that breaks these
made the mistake, not the server: reported apart (party "client"), never counted against the server."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import unquote

import jsonschema

from conformance.proxy.wire import Violation
from crmspec.model import Operation
from crmspec.parameters import typed

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
RULES = {
    "CLI-001": "A required parameter is missing",
    "CLI-002": "A parameter's value breaks its schema",
    "CLI-003": "The body is missing, or not in a media type the operation takes",
    "CLI-004": "The JSON body is not valid JSON, or breaks the operation's schema",
}


@dataclass(frozen=True, slots=True)
class ClientRequest:
    path: str                     # as the document writes it: mount + path, values filled in
    query: Mapping[str, str]      # the last value of a repeated parameter
    headers: Mapping[str, str]    # lower-case names
    content_type: str             # the media type alone, lower-case
    body: bytes | None            # None: over the size the proxy judges


def _problem(rule: str, message: str) -> Violation:
    return Violation(rule, message[:300])


class RequestRules:
    """One operation's request rules, compiled on first use."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.parameters = [p for p in operation.raw.get("parameters") or []
                           if isinstance(p, dict) and p.get("in") in ("path", "query", "header")]
        self.body_spec: dict[str, Any] = operation.raw.get("requestBody") or {}

    @cached_property
    def validators(self) -> dict[str, jsonschema.Draft202012Validator]:
        return {f"{p['in']}:{p['name']}": jsonschema.Draft202012Validator(p.get("schema") or {},
                                                                          format_checker=FORMATS)
                for p in self.parameters}

    @cached_property
    def body_validator(self) -> jsonschema.Draft202012Validator | None:
        media = (self.body_spec.get("content") or {}).get("application/json") or {}
        schema = media.get("schema")
        return jsonschema.Draft202012Validator(schema, format_checker=FORMATS) if schema else None

    def path_values(self, path: str) -> dict[str, str]:
        template = self.operation.full_path.split("/")
        return {name[1:-1]: unquote(value) for name, value in zip(template, path.split("/"), strict=False)
                if name.startswith("{")}

    def problems(self, request: ClientRequest) -> list[Violation]:
        found = []
        sources = {"path": self.path_values(request.path), "query": request.query, "header": request.headers}
        for parameter in self.parameters:
            where, name = parameter["in"], str(parameter["name"])
            raw = sources[where].get(name.lower() if where == "header" else name)
            if raw is None:
                if parameter.get("required"):
                    found.append(_problem("CLI-001", f"the {where} parameter {name} is required"))
                continue
            error = jsonschema.exceptions.best_match(
                self.validators[f"{where}:{name}"].iter_errors(typed(raw, parameter.get("schema") or {})))
            if error is not None:
                found.append(_problem("CLI-002", f"{where} parameter {name}={raw[:60]!r}: {error.message}"))
        return found + self._body(request)

    def _body(self, request: ClientRequest) -> list[Violation]:
        content = self.body_spec.get("content") or {}
        if not content or request.body is None:
            return []
        if not request.body:
            required = bool(self.body_spec.get("required"))
            return [_problem("CLI-003", "the operation requires a request body")] if required else []
        json_media = request.content_type == "application/json" or request.content_type.endswith("+json")
        if request.content_type not in content and not (json_media and "application/json" in content):
            return [_problem("CLI-003", f"the body is sent as {request.content_type or 'no media type'}; the "
                                        f"operation takes {', '.join(content)}")]
        if not json_media or self.body_validator is None:
            return []
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return [_problem("CLI-004", f"the body is not valid JSON: {exc}")]
        error = jsonschema.exceptions.best_match(self.body_validator.iter_errors(payload))
        if error is None:
            return []
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        return [_problem("CLI-004", f"the body breaks the schema at {where}: {error.message}")]
