"""crmspec.load(): find, parse, validate and resolve a document, then build its typed model."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jsonschema
import yaml

from crmspec import cache
from crmspec.dialect_schema import DESIGNED_SCHEMA, DIALECT_SCHEMA, OPERATION_SCHEMA
from crmspec.errors import DocumentNotFound, InvalidDialectBlock, InvalidDocument
from crmspec.model import (
    Api,
    Auth,
    Designed,
    Dialect,
    ErrorConvention,
    Filter,
    Operation,
    Pagination,
    Parent,
    Reference,
    RefusedOnUpdate,
    Resource,
    Search,
    Sort,
    envelope_from,
)

# The documents ship inside the distribution as the package data of `crmspec.documents` (pyproject.toml
# maps that package onto openapi/), so an editable install and a wheel find them alike. pip installs a
# package as files, and the resolver and --watch need real paths, so the folder is taken as a Path.
DOCUMENTS_PACKAGE = "crmspec.documents"
DOCUMENTS_DIR = Path(str(files(DOCUMENTS_PACKAGE)))
PACKAGED_SUFFIXES = (".yaml", ".json")  # what pyproject.toml ships of that folder
DOCUMENTS: dict[str, str] = {
    "revorbit": "revorbit.yaml",
    "olympus": "olympus.yaml",
    "concord": "concord.yaml",
    "ysuite": "ysuite.yaml",
}
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ENVELOPE_OF_ACTION = {"read": "item"}  # the block names the single-record envelope `item`
_ENVELOPE_OVERRIDE: dict[str, Any] = {
    "type": "object",
    "properties": DIALECT_SCHEMA["properties"]["envelopes"]["properties"]["list"]["properties"],
}


def packaged_documents() -> list[Path]:
    """Every file the distribution ships in DOCUMENTS_DIR (the documents and whatever the tools read
    beside them), by name; dotfiles such as Spectral's ruleset stay in the source tree."""
    return sorted(
        (path for path in DOCUMENTS_DIR.iterdir()
         if path.suffix in PACKAGED_SUFFIXES and not path.name.startswith(".") and path.is_file()),
        key=lambda path: path.name,
    )


def digest(text: str) -> str:
    """A document's sha256 as reports name it: of its text, as load() reads it."""
    return hashlib.sha256(text.encode()).hexdigest()


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidDocument(str(path), "", f"cannot read the file ({exc})") from None


def document_path(name_or_path: str | Path) -> Path:
    name = str(name_or_path)
    if name in DOCUMENTS:
        return DOCUMENTS_DIR / DOCUMENTS[name]
    path = Path(name)
    if path.is_file():
        return path.resolve()
    raise DocumentNotFound(name, tuple(DOCUMENTS))


def load(name_or_path: str | Path, *, use_cache: bool = True) -> Api:
    """Load a document by dialect id or path. Raises a CrmSpecError subclass, never anything else.

    Validating and resolving a document costs most of a second; the result is cached by the
    document's content hash (see crmspec.cache), so a server or a suite starts fast on a known document.
    """
    path = document_path(name_or_path)
    text = read_text(path)
    sha256 = digest(text)
    resolved = cache.get(sha256) if use_cache and cache.cacheable(text) else None
    if resolved is None:
        raw = _parse_yaml(path, text)
        _validate_openapi(path, raw)
        resolved = _resolve(path, raw)
        if use_cache and cache.cacheable(text):
            cache.put(sha256, resolved)
    dialect_raw = resolved.get("x-crm-dialect")
    if not isinstance(dialect_raw, dict):
        raise InvalidDialectBlock(str(path), "/x-crm-dialect", "the document has no x-crm-dialect block")
    _check(DIALECT_SCHEMA, dialect_raw, str(path), "/x-crm-dialect", InvalidDialectBlock)
    dialect = _dialect(path, resolved, dialect_raw)
    operations = tuple(_operations(path, resolved, dialect))
    catalogue = dialect_raw.get("requirements")
    return Api(
        path=str(path),
        document=resolved,
        dialect=dialect,
        operations=operations,
        sha256=sha256,
        requirements_path=str(path.parent / catalogue) if catalogue else None,
    )


def _parse_yaml(path: Path, text: str) -> dict[str, Any]:
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        position = getattr(exc, "position", None)  # a ReaderError (bad character) has no mark
        if not where and isinstance(position, int):
            where = f"line {text.count(chr(10), 0, position) + 1}"
        reason = _one_line(getattr(exc, "problem", None) or exc)
        raise InvalidDocument(str(path), where, f"not valid YAML: {reason}") from None
    if not isinstance(raw, dict):
        raise InvalidDocument(str(path), "", "the document is not a YAML mapping")
    return raw


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _one_line(value: Any, limit: int = 200) -> str:
    """The first line of `value`, cut to `limit` characters (resolver errors can dump a whole document)."""
    lines = str(value).strip().splitlines()
    line = lines[0] if lines else type(value).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _walk(node: Any, parts: tuple[Any, ...] = ()) -> Iterable[tuple[tuple[Any, ...], Any]]:
    """Every node of a parsed YAML tree with its path from the root, in document order."""
    yield parts, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*parts, index))


def _follow(node: Any, parts: Iterable[Any]) -> Any:
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise LookupError(part)
    return node


def _locate(raw: dict[str, Any], relative: tuple[Any, ...], instance: Any) -> tuple[Any, ...]:
    """The error's path from the document root. openapi-spec-validator reports errors inside a Schema
    Object relative to that schema, so find the first node where the relative path leads to the instance."""
    try:
        if _follow(raw, relative) == instance:
            return relative
    except LookupError:
        pass
    for parts, node in _walk(raw):
        if not parts or not isinstance(node, (dict, list)):
            continue
        try:
            if _follow(node, relative) == instance:
                return (*parts, *relative)
        except LookupError:
            continue
    return relative


def _check_refs(path: Path, raw: dict[str, Any]) -> None:
    """Report a $ref that points at nothing at the place of the $ref (the resolver's own error names
    neither the place nor anything short: it dumps the whole document)."""
    for parts, node in _walk(raw):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            continue
        ref = node["$ref"]
        target, _, fragment = ref.partition("#")
        if target:
            if "://" not in target and not (path.parent / target).is_file():
                raise InvalidDocument(str(path), _pointer((*parts, "$ref")), f"$ref {ref!r}: no such file")
            continue
        try:
            _follow(raw, [unquote(p).replace("~1", "/").replace("~0", "~") for p in fragment.split("/")[1:]])
        except LookupError:
            where = _pointer((*parts, "$ref"))
            raise InvalidDocument(str(path), where, f"$ref {ref!r} points at nothing") from None


def _validate_openapi(path: Path, raw: dict[str, Any]) -> None:
    if not str(raw.get("openapi", "")).startswith("3.1"):
        raise InvalidDocument(str(path), "/openapi", f"expected an OpenAPI 3.1 document, got {raw.get('openapi')!r}")
    _check_refs(path, raw)
    from openapi_spec_validator import OpenAPIV31SpecValidator  # heavy: only when the cache misses

    try:
        validator = OpenAPIV31SpecValidator(raw, base_uri=path.as_uri())
        error = next(iter(validator.iter_errors()), None)
    except Exception as exc:  # a broken $ref surfaces from the resolver, not as a validation error
        raise InvalidDocument(str(path), "", f"cannot be validated: {_one_line(exc)}") from None
    if error is not None:
        relative = tuple(getattr(error, "absolute_path", ()) or ())
        pointer = _pointer(_locate(raw, relative, getattr(error, "instance", None)))
        message = _one_line(getattr(error, "message", None) or error)
        raise InvalidDocument(str(path), pointer, message)


def _resolve(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    """Inline every $ref with prance's resolver (the document was validated just before)."""
    from prance.util.resolver import RefResolver

    try:
        resolver = RefResolver(
            copy.deepcopy(raw),
            path.as_uri(),
            strict=False,
            recursion_limit_handler=lambda *_: {},
        )
        resolver.resolve_references()
    except Exception as exc:  # prance wraps resolver and reader faults in several exception types
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidDocument(str(path), "", f"cannot resolve references: {reason}") from None
    specification: dict[str, Any] = resolver.specs
    return specification


def _check(schema: dict[str, Any], value: Any, path: str, prefix: str, error: type[Exception]) -> None:
    problem = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if problem is not None:
        raise error(path, prefix + _pointer(problem.absolute_path), problem.message)


def _dialect(path: Path, document: dict[str, Any], raw: dict[str, Any]) -> Dialect:
    ids = raw["ids"]
    errors = raw["errors"]
    statuses = {k: v for k, v in errors["statuses"].items() if isinstance(v, int)}
    alternatives = {
        k.removesuffix("_alternatives"): tuple(v)
        for k, v in errors["statuses"].items()
        if isinstance(v, list)
    }
    pagination = raw["pagination"]
    auth = raw["auth"]
    jwt = auth.get("jwt") or {}
    lifetime = jwt.get("lifetime_seconds", 3600)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool):
        where = "/x-crm-dialect/auth/jwt/lifetime_seconds"
        raise InvalidDialectBlock(str(path), where, f"{lifetime!r} is not an integer")
    key_pair = auth.get("key_pair") or {}
    schemas = document.get("components", {}).get("schemas", {})
    resources = {}
    for name, res in raw["resources"].items():
        if res["schema"] not in schemas:
            raise InvalidDialectBlock(
                str(path), f"/x-crm-dialect/resources/{name}/schema", f"no components.schemas entry {res['schema']!r}"
            )
        parent = res.get("parent")
        resources[name] = Resource(
            name=name,
            schema_name=res["schema"],
            id_field=res.get("id_field", ids["field"]),
            id_prefix=res.get("id_prefix"),
            parent=Parent(parent["resource"], parent["field"], parent["param"]) if parent else None,
            seed=res.get("seed", True),
            not_found_code=res.get("not_found_code"),
            references=tuple(
                Reference(field=f, resource=r["resource"], names=dict(r.get("names") or {}),
                          where=dict(r.get("where") or {}))
                for f, r in (res.get("references") or {}).items()
            ),
            fixtures=tuple(res.get("fixtures") or ()),
            schema=schemas[res["schema"]],
        )
    for name, res in resources.items():
        for ref in res.references:
            if ref.resource not in resources:
                raise InvalidDialectBlock(
                    str(path),
                    f"/x-crm-dialect/resources/{name}/references/{ref.field}",
                    f"points at unknown resource {ref.resource!r}",
                )
    return Dialect(
        id=raw["id"],
        title=raw["title"],
        base_path=raw["base_path"],
        sources=tuple(raw.get("sources") or ()),
        id_type=ids["type"],
        id_format=ids.get("format"),
        envelopes={k: envelope_from(v) for k, v in raw["envelopes"].items()},
        errors=ErrorConvention(
            success=errors["success"],
            message=errors["message"],
            code=errors.get("code"),
            error=errors.get("error"),
            field_errors=errors.get("field_errors"),
            field_error_style=errors["field_error_style"],
            statuses=statuses,
            alternatives=alternatives,
            codes={k: v for k, v in (errors.get("codes") or {}).items() if isinstance(v, str)},
            code_alternatives={k.removesuffix("_alternatives"): tuple(v)
                               for k, v in (errors.get("codes") or {}).items() if isinstance(v, list)},
            schema_ref=errors.get("schema"),
            general_statuses=tuple(errors.get("general_statuses") or ()),
            field_errors_judged=bool(errors.get("field_errors_judged", True)),
            schema_judged=bool(errors.get("schema_judged", True)),
        ),
        pagination=Pagination(
            page_param=pagination["page_param"],
            size_param=pagination["size_param"],
            first_page=pagination["first_page"],
            reported_first_page=pagination.get("reported_first_page", pagination["first_page"]),
            default_size=pagination["default_size"],
            max_size=pagination["max_size"],
            over_max=pagination.get("over_max", "clamp"),
            past_end=pagination.get("past_end", "empty"),
            stated=dict(pagination.get("stated") or {}),
        ),
        auth=Auth(
            scheme=auth["scheme"],
            security_scheme=auth["security_scheme"],
            roles=tuple(auth.get("roles") or ()),
            default_role=auth.get("default_role"),
            limited_role=auth.get("limited_role"),
            roles_match=auth.get("roles_match", "any"),
            role_claim=jwt.get("role_claim", "role"),
            issuer=jwt.get("issuer"),
            audience=jwt.get("audience"),
            lifetime_seconds=lifetime,
            access_header=key_pair.get("access_header"),
            secret_header=key_pair.get("secret_header"),
            login_operation=auth.get("login_operation"),
        ),
        resources=resources,
        invariants=raw.get("invariants"),
        behaviours=raw.get("behaviours", raw["id"]),
    )


def _roles(operation: dict[str, Any], document: dict[str, Any], scheme: str) -> tuple[str, ...] | None:
    security = operation.get("security", document.get("security", []))
    if not security:
        return None
    roles: list[str] = []
    for requirement in security:
        roles.extend(requirement.get(scheme, []))
    return tuple(dict.fromkeys(roles))


def _with_path_parameters(operation: dict[str, Any], shared: list[dict[str, Any]]) -> dict[str, Any]:
    """The operation's parameters including its path item's; the operation's own win (OpenAPI 3.1 4.8.10)."""
    if not shared:
        return operation
    own = operation.get("parameters") or []
    keys = {(p.get("name"), p.get("in")) for p in own}
    merged = [p for p in shared if (p.get("name"), p.get("in")) not in keys] + list(own)
    return {**operation, "parameters": merged}


def _operations(path: Path, document: dict[str, Any], dialect: Dialect) -> Iterable[Operation]:
    for route, item in (document.get("paths") or {}).items():
        mount = dialect.base_path
        if item.get("servers"):
            mount = urlparse(item["servers"][0]["url"]).path.rstrip("/")
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = _with_path_parameters(item[method], item.get("parameters") or [])
            where = f"/paths/{_pointer([route])[1:]}/{method}"
            mark = op.get("x-crm-operation")
            if mark is None:
                raise InvalidDialectBlock(str(path), where, "operation has no x-crm-operation mark")
            _check(OPERATION_SCHEMA, mark, str(path), where + "/x-crm-operation", InvalidDialectBlock)
            if "envelope" in mark:  # an override is merged over an envelope, so it must fit one
                _check(_ENVELOPE_OVERRIDE, mark["envelope"], str(path), where + "/x-crm-operation/envelope",
                       InvalidDialectBlock)
            if "x-source" not in op:
                raise InvalidDialectBlock(str(path), where, "operation has no x-source")
            if "operationId" not in op:
                raise InvalidDocument(str(path), where, "operation has no operationId")
            sort = mark.get("sort")
            base_envelope = dialect.envelopes.get(ENVELOPE_OF_ACTION.get(mark["action"], mark["action"]))
            override = mark.get("envelope")
            envelope = None
            if base_envelope is not None:
                envelope = base_envelope.merged(override) if override else base_envelope
            elif override:
                envelope = dialect.envelopes["item"].merged(override)
            yield Operation(
                method=method,
                path=route,
                mount=mount,
                operation_id=op["operationId"],
                resource=mark["resource"],
                action=mark["action"],
                source=op["x-source"],
                source_reason=op.get("x-source-reason"),
                roles=_roles(op, document, dialect.auth.security_scheme),
                envelope=envelope,
                filters=tuple(
                    Filter(
                        param=param,
                        op=f["op"],
                        field=f.get("field"),
                        field_param=f.get("field_param"),
                        default_field=f.get("default_field"),
                    )
                    for param, f in (mark.get("filters") or {}).items()
                ),
                search=Search(mark["search"]["param"], tuple(mark["search"]["fields"])) if mark.get("search") else None,
                sort=Sort(
                    param=sort["param"],
                    dir_param=sort.get("dir_param"),
                    separator=sort.get("separator"),
                    default=sort.get("default"),
                    keys=dict(sort["keys"]),
                    directions={"asc": "asc", "desc": "desc", **(sort.get("directions") or {})},
                    default_direction=sort.get("default_direction", "asc"),
                    level=sort.get("level", "MUST"),
                    tested=tuple(sort.get("tested") or ()),
                )
                if sort
                else None,
                required_on_update=tuple(mark.get("required_on_update") or ()),
                raw=op,
                designed=_designed(op.get("x-designed") or {}, str(path), where),
                refused_on_update=RefusedOnUpdate(
                    omitted=tuple((mark.get("refused_on_update") or {}).get("omitted") or ()),
                    empty=tuple((mark.get("refused_on_update") or {}).get("empty") or ()),
                ),
                projection=mark.get("projection"),
            )


def _designed(raw: dict[str, Any], path: str, where: str) -> Designed:
    _check(DESIGNED_SCHEMA, raw, path, where + "/x-designed", InvalidDialectBlock)
    return Designed(
        parameters=frozenset(raw.get("parameters") or ()),
        responses=frozenset(str(code) for code in raw.get("responses") or ()),
        request=frozenset(raw.get("request") or ()),
    )
