"""Request validation against the document: parameters and bodies, with field errors named."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jsonschema
from werkzeug.datastructures import FileStorage

from crmspec.model import Operation
from mock_server.errors import BadRequest, NotFound, UnsupportedMediaType, ValidationFailed

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


@dataclass(slots=True)
class ValidRequest:
    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    files: dict[str, FileStorage]
    form: dict[str, str]


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if kind is None:
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [t for sub in schema[key] for t in _types(sub)]
        return []
    return [kind] if isinstance(kind, str) else list(kind)


def coerce(raw: str, schema: dict[str, Any]) -> Any:
    """Turn a query or path string into the schema's type; leave it a string when it does not parse."""
    kinds = _types(schema)
    if "integer" in kinds:
        try:
            return int(raw, 10)
        except ValueError:
            pass
    if "number" in kinds:
        try:
            value = float(raw)
            if math.isfinite(value):
                return int(value) if value.is_integer() and "." not in raw else value
        except ValueError:
            pass
    if "boolean" in kinds and raw.lower() in ("true", "false", "1", "0"):
        return raw.lower() in ("true", "1")
    return raw


def message_for(error: jsonschema.ValidationError, field: str) -> str:
    label = field.rsplit(".", 1)[-1].replace("_", " ")
    kind = error.validator
    if kind == "required":
        return f"The {label} field is required."
    if kind == "type":
        return f"The {label} field must be of type {error.validator_value}."
    if kind == "enum":
        return f"The selected {label} is invalid."
    if kind in ("maxLength", "maximum", "maxItems"):
        return f"The {label} field must not be greater than {error.validator_value}."
    if kind in ("minLength", "minimum", "minItems"):
        return f"The {label} field must be at least {error.validator_value}."
    if kind == "format":
        return f"The {label} field must be a valid {error.validator_value}."
    return f"The {label} field is invalid."


def field_errors(validator: jsonschema.Draft202012Validator, instance: Any, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            path = [str(p) for p in leaf.absolute_path]
            if leaf.validator == "required" and isinstance(leaf.instance, dict):
                for name in leaf.validator_value:
                    if name not in leaf.instance:
                        key = ".".join([*path, name])
                        messages = errors.setdefault(prefix + key, [])
                        if message_for(leaf, key) not in messages:  # one error per missing name repeats the list
                            messages.append(message_for(leaf, key))
                continue
            key = ".".join(path) or (prefix.rstrip(".") or "body")
            errors.setdefault(prefix + key if path else key, []).append(message_for(leaf, key))
    return errors


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return [best] if best is not None else [error]
    return [error]


class RequestValidator:
    """Compiled once per operation."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.parameters = [
            (p, jsonschema.Draft202012Validator(p.get("schema", {}), format_checker=FORMATS))
            for p in operation.raw.get("parameters", []) if p.get("in") in ("query", "path")
        ]
        self._body_spec = operation.raw.get("requestBody")

    @cached_property
    def body_media(self) -> dict[str, dict[str, Any]]:
        return dict((self._body_spec or {}).get("content", {}))

    @cached_property
    def body_validator(self) -> jsonschema.Draft202012Validator | None:
        media = self.body_media.get("application/json")
        if media is None or "schema" not in media:
            return None
        return jsonschema.Draft202012Validator(media["schema"], format_checker=FORMATS)

    def validate(self, path: dict[str, str], args: Any, request: Any) -> ValidRequest:
        errors: dict[str, list[str]] = {}
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}}
        for param, validator in self.parameters:
            where, name, schema = param["in"], param["name"], param.get("schema", {})
            source = path if where == "path" else args
            if name not in source:
                if param.get("required"):
                    errors.setdefault(name, []).append(f"The {name} field is required.")
                elif "default" in schema:
                    values[where][name] = schema["default"]
                continue
            raw = source[name]
            value = [coerce(v, schema.get("items", {})) for v in raw.split(",")] if "array" in _types(schema) \
                else coerce(raw, schema)
            problems = field_errors(validator, value)
            if problems and where == "path":
                # an id that does not parse names no record: answer as the API answers a missing record
                raise NotFound("The requested record was not found.")
            if problems:
                errors.setdefault(name, []).extend(m.replace("body", name) for ms in problems.values() for m in ms)
            values[where][name] = value
        body, files, form = self._body(request, errors)
        if errors:
            raise ValidationFailed("The given data was invalid.", field_errors=errors)
        return ValidRequest(values["path"], values["query"], body, files, form)

    def _body(self, request: Any, errors: dict[str, list[str]]) -> tuple[Any, dict[str, FileStorage], dict[str, str]]:
        if not self.body_media:
            return None, {}, {}
        mimetype = request.mimetype or ""
        raw = request.get_data(cache=True)
        if "multipart/form-data" in self.body_media:
            if mimetype != "multipart/form-data":
                if not raw and not (self._body_spec or {}).get("required"):
                    return None, {}, {}
                raise UnsupportedMediaType("The request body must be sent as multipart/form-data.")
            return None, dict(request.files), dict(request.form)
        if not raw:
            if (self._body_spec or {}).get("required"):
                body: Any = {}
            else:
                return None, {}, {}
        else:
            if mimetype != "application/json" and not mimetype.endswith("+json"):
                raise UnsupportedMediaType("The request body must be sent as application/json.")
            body = parse_json(raw)
        if self.body_validator is not None:
            for key, messages in field_errors(self.body_validator, body).items():
                errors.setdefault(key, []).extend(messages)
        return body, {}, {}


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The request body is not valid UTF-8.") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None
    except ValueError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
