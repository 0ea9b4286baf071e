"""Request validation against the document: parameters and bodies, with field errors named."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import jsonschema
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from crmspec.model import Operation
from crmspec.parameters import typed
from crmspec.routes import Routes as DocumentRoutes
from crmspec.schemas import field_types
from mock_server.errors import (
    INVALID_DATA,
    BadRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from mock_server.limits import fits_int64

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
CONTROL = re.compile("[\x00\r\n]")  # never valid in a header name or value
HEADER_KEYS = ("HTTP_", "CONTENT_")  # how a WSGI environ names request headers
MAX_DEPTH = 64  # JSON nesting levels a body may have
DRAIN_LIMIT = 64 * 1024 * 1024  # an oversized body is read (and dropped) up to this, so the client gets its 413


@dataclass(slots=True)
class ValidRequest:
    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    files: dict[str, FileStorage]
    form: dict[str, str]

    def fields(self) -> dict[str, Any]:
        """The body's fields, a copy the caller may change ({} when the body is not a JSON object)."""
        return dict(self.body) if isinstance(self.body, dict) else {}


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


class ParameterCheck:
    """One path or query parameter, compiled once. Its verdict on a raw string is a pure function of the
    string, so short ones are memoised: a client asks for the same ids and page sizes again and again."""

    MEMO_SIZE = 2048
    MEMO_MAX_LENGTH = 256  # a 10,000-character id is checked, not kept

    def __init__(self, param: dict[str, Any]) -> None:
        self.where: str = param["in"]
        self.name: str = param["name"]
        self.schema: dict[str, Any] = param.get("schema", {})
        self.required = bool(param.get("required"))
        self.has_default = "default" in self.schema
        self.default = self.schema.get("default")
        self.is_array = "array" in field_types(self.schema)
        self.validator = jsonschema.Draft202012Validator(self.schema, format_checker=FORMATS)
        self._memo = lru_cache(maxsize=self.MEMO_SIZE)(self._verdict)

    def check(self, raw: str) -> tuple[Any, tuple[str, ...]]:
        """The typed value and the problems with it (none when valid)."""
        value, problems = self._memo(raw) if len(raw) <= self.MEMO_MAX_LENGTH else self._verdict(raw)
        return (list(value) if self.is_array else value), problems

    def _verdict(self, raw: str) -> tuple[Any, tuple[str, ...]]:
        value = typed(raw, self.schema)
        found = field_errors(self.validator, value) or hygiene(value, self.name)
        return value, tuple(m.replace("body", self.name) for messages in found.values() for m in messages)


class RequestValidator:
    """Compiled once per operation."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.parameters = [
            ParameterCheck(p) for p in operation.raw.get("parameters", []) if p.get("in") in ("query", "path")
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
        check_headers(request.environ)
        errors: dict[str, list[str]] = {}
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}}
        for param in self.parameters:
            where, name = param.where, param.name
            source = path if where == "path" else args
            if name not in source:
                if param.required:
                    errors.setdefault(name, []).append(f"The {name} field is required.")
                elif param.has_default:
                    values[where][name] = param.default
                continue
            raw = source[name]
            if where == "query" and len(args.getlist(name)) > 1:
                # ?per_page=5&per_page=500: frameworks disagree on which one wins, so neither does
                errors.setdefault(name, []).append(f"The {name} field must be sent once.")
                continue
            value, problems = param.check(raw)
            if problems and where == "path":
                # an id that does not parse names no record: answer as the API answers a missing record
                raise NotFound("The requested record was not found.")
            if problems:
                errors.setdefault(name, []).extend(problems)
            values[where][name] = value
        body, files, form = self._body(request, errors)
        if errors:
            raise ValidationFailed(INVALID_DATA, field_errors=errors)
        return ValidRequest(values["path"], values["query"], body, files, form)

    def _body(self, request: Any, errors: dict[str, list[str]]) -> tuple[Any, dict[str, FileStorage], dict[str, str]]:
        if not self.body_media:
            return None, {}, {}
        mimetype = request.mimetype or ""
        raw = read_body(request)
        if "multipart/form-data" in self.body_media:
            if mimetype != "multipart/form-data":
                if not raw and not (self._body_spec or {}).get("required"):
                    return None, {}, {}
                raise UnsupportedMediaType("The request body must be sent as multipart/form-data.")
            return None, dict(request.files), dict(request.form)
        missing = not raw
        if missing:
            if (self._body_spec or {}).get("required"):
                body: Any = {}
            else:
                return None, {}, {}
        else:
            if mimetype != "application/json" and not mimetype.endswith("+json"):
                raise UnsupportedMediaType("The request body must be sent as application/json.")
            body = parse_json(raw)
        found = field_errors(self.body_validator, body) if self.body_validator is not None else {}
        for key, messages in (found or hygiene(body, "")).items():
            errors.setdefault(key, []).extend(messages)
        if missing and not found:
            # the document requires a body: an empty one is refused even where every field is optional
            errors.setdefault("body", []).append("The request body is required.")
        return body, {}, {}


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The request body is not valid UTF-8.") from None
    try:
        body = json.loads(text, parse_constant=_reject_constant, parse_float=_finite)
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None
    except ValueError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None
    if _depth(body) > MAX_DEPTH:
        # json.loads manages ~990 levels, but validating, storing or answering them again recursed past
        # Python's limit (a 975-deep custom field was a 500); no CRM payload comes near 64
        raise BadRequest(f"The request body is nested too deeply (more than {MAX_DEPTH} levels).")
    return body


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((sub, depth + 1) for sub in (item.values() if isinstance(item, dict) else item))
    return deepest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    """1e400 parses to inf, which no JSON document (nor SQLite's json functions) can hold again."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def hygiene(value: Any, where: str) -> dict[str, list[str]]:
    """What a schema cannot say but every store needs: no NUL in text, integers within 64 bits.

    Checked only once the value is schema-valid, so the schema's own messages come first."""
    problems: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:  # iterative: a deeply nested (but parseable) body must not exhaust the stack here
        at, item = stack.pop()
        label = (at or "body").rsplit(".", 1)[-1].replace("_", " ")
        if isinstance(item, str) and "\x00" in item:
            problems.setdefault(at or "body", []).append(f"The {label} field must not contain NUL characters.")
        elif isinstance(item, int) and not isinstance(item, bool) and not fits_int64(item):
            problems.setdefault(at or "body", []).append(f"The {label} field must be a 64-bit integer.")
        elif isinstance(item, dict):
            for key, sub in item.items():
                path = f"{at}.{key}" if at else str(key)
                if "\x00" in str(key):
                    problems.setdefault(at or "body", []).append(f"The {label} field must not contain NUL characters.")
                    continue
                stack.append((path, sub))
        elif isinstance(item, list):
            stack.extend((f"{at}.{i}" if at else str(i), sub) for i, sub in enumerate(item))
    return problems


def read_body(request: Any) -> bytes:
    """The body, or 413 past the app's limit, chunked bodies included: werkzeug refuses a Content-Length
    over the limit but silently cuts a chunked body at it (so 2 MB of JSON became a truncated 1 MB)."""
    try:
        raw: bytes = request.get_data(cache=True)
        limit, environ = request.max_content_length, request.environ
        if (limit is not None and not request.content_length and len(raw) >= limit
                and environ.get("wsgi.input_terminated") and environ["wsgi.input"].read(1)):
            raise RequestEntityTooLarge()
    except RequestEntityTooLarge:
        drain(request.environ)
        raise PayloadTooLarge("The request body is too large.") from None
    return raw


def drain(environ: dict[str, Any], limit: int = DRAIN_LIMIT) -> None:
    """Read and drop an oversized body (up to `limit`) before answering 413. A server that answers and
    closes while the client is still sending resets the connection: the client sees a broken pipe, never
    the 413. Only a body whose end is known is read: a length, or a chunked body the server decodes."""
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH") or ""
    remaining = int(length) if length.isdigit() else (limit if environ.get("wsgi.input_terminated") else 0)
    remaining = min(remaining, limit)
    try:
        while stream is not None and remaining > 0:
            chunk = stream.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)
    except (OSError, ValueError):  # the client gave up: nothing left to protect
        pass


def check_headers(environ: dict[str, Any]) -> None:
    """CR, LF or NUL in a header name or value is header injection (or a broken proxy): refuse the request.
    Read from the WSGI environ, where every header is one CGI-style key: a third of the cost of werkzeug's
    header view, on every request."""
    for key, value in environ.items():
        if key.startswith(HEADER_KEYS) and isinstance(value, str) and CONTROL.search(key + value):
            raise BadRequest("A request header contains a control character (CR, LF or NUL).")


class Routes(DocumentRoutes):
    """The document's paths (crmspec.routes), and the 405 a templated Flask rule must answer where the
    document names a more concrete path: Flask routes `PUT /deals/import` to `PUT /deals/{id}` when only
    POST is declared at /deals/import; the document says that URL is /deals/import, which has no PUT."""

    def check(self, operation: Operation, url_path: str) -> None:
        """405 when Flask matched a templated operation but the URL names a more concrete document path."""
        rivals = self._rivals.get(operation.full_path)
        if rivals is None or not rivals.fullmatch(url_path):
            return  # a concrete rule matched, or no more concrete path names this URL
        path = self.resolve(url_path)
        if path is not None and path != operation.full_path:
            raise MethodNotAllowed("The method is not allowed for the requested URL.",
                                   headers={"Allow": ", ".join(self.allowed(url_path) or [])})
