"""JSON Schema of the `x-crm-dialect` block (docs/dialect-block.md) and of `x-crm-operation`."""

from __future__ import annotations

from typing import Any

_PATH = {"type": ["string", "null"]}
_STATUS = {"type": "integer", "minimum": 100, "maximum": 599}
_SUCCESS = {"enum": [True, "optional", "absent"]}

_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["status", "success"],
    "properties": {
        "status": _STATUS,
        "alternatives": {"type": "array", "items": _STATUS},
        "success": _SUCCESS,
        "data": _PATH,
        "fields": {"type": "array", "items": {"type": "string"}},
        "message": {"type": "string"},
        "empty": {"type": "boolean"},
        "data_optional": {"type": "boolean"},
    },
}
_LEVEL = {"enum": ["MUST", "SHOULD"]}

_LIST_ENVELOPE: dict[str, Any] = {
    **_ENVELOPE,
    "required": ["status", "success", "items", "page_fields"],
    "properties": {
        **_ENVELOPE["properties"],
        "items": {"type": "string"},
        "page_fields_required": {"type": "boolean"},
        "page_fields": {
            "type": "object",
            "properties": {k: _PATH for k in ("page", "size", "total", "last_page", "total_pages")},
            "additionalProperties": False,
        },
    },
}

_REFERENCE = {
    "type": "object",
    "required": ["resource"],
    "properties": {
        "resource": {"type": "string"},
        "names": {"type": "object", "additionalProperties": {"type": "string"}},
        "where": {"type": "object"},
    },
}

_RESOURCE = {
    "type": "object",
    "required": ["schema"],
    "properties": {
        "schema": {"type": "string"},
        "id_field": {"type": "string"},
        "id_prefix": {"type": "string"},
        "parent": {
            "type": ["object", "null"],
            "required": ["resource", "field", "param"],
            "properties": {
                "resource": {"type": "string"},
                "field": {"type": "string"},
                "param": {"type": "string"},
            },
        },
        "seed": {"type": "boolean"},
        "not_found_code": {"type": ["string", "null"]},
        "references": {"type": "object", "additionalProperties": _REFERENCE},
        "fixtures": {"type": "array", "items": {"type": "object"}},
    },
}

DIALECT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "title", "base_path", "ids", "envelopes", "errors", "pagination", "auth", "resources"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "title": {"type": "string"},
        "base_path": {"type": "string", "pattern": "^(/[^/]+)*$"},
        "sources": {"type": "array", "items": {"type": "string"}},
        "requirements": {"type": "string", "pattern": "^[^/]+\\.requirements\\.yaml$"},
        "invariants": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "behaviours": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "ids": {
            "type": "object",
            "required": ["type", "field"],
            "properties": {
                "type": {"enum": ["integer", "string"]},
                "field": {"type": "string"},
                "format": {"type": "string"},
            },
        },
        "envelopes": {
            "type": "object",
            "required": ["item", "create", "update", "delete", "list", "collection"],
            "properties": {
                "item": _ENVELOPE,
                "create": _ENVELOPE,
                "update": _ENVELOPE,
                "delete": _ENVELOPE,
                "collection": _ENVELOPE,
                "list": _LIST_ENVELOPE,
            },
        },
        "errors": {
            "type": "object",
            "required": ["success", "message", "field_errors", "field_error_style", "statuses"],
            "properties": {
                "success": {"enum": [False, "absent"]},
                "message": {"type": "string"},
                "code": _PATH,
                "error": _PATH,
                "field_errors": _PATH,
                "field_error_style": {"enum": ["string", "list"]},
                "statuses": {
                    "type": "object",
                    "required": ["validation", "unauthorized", "forbidden", "not_found"],
                    "additionalProperties": {
                        "anyOf": [_STATUS, {"type": "array", "items": _STATUS}],
                    },
                },
                "codes": {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                    },
                },
                "schema": {"type": "string"},
                "general_statuses": {"type": "array", "items": _STATUS},
                "field_errors_judged": {"type": "boolean"},
                "schema_judged": {"type": "boolean"},
            },
        },
        "pagination": {
            "type": "object",
            "required": ["page_param", "size_param", "first_page", "default_size", "max_size"],
            "properties": {
                "page_param": {"type": "string"},
                "size_param": {"type": "string"},
                "first_page": {"enum": [0, 1]},
                "reported_first_page": {"enum": [0, 1]},
                "default_size": {"type": "integer", "minimum": 1},
                "max_size": {"type": "integer", "minimum": 1},
                "over_max": {"enum": ["clamp", "reject"]},
                "past_end": {"enum": ["empty", "not_found"]},
                "stated": {
                    "type": "object",
                    "properties": {"default_size": _LEVEL, "max_size": _LEVEL},
                    "additionalProperties": False,
                },
            },
        },
        "auth": {
            "type": "object",
            "required": ["scheme", "security_scheme"],
            "properties": {
                "scheme": {"enum": ["jwt", "token", "key_pair"]},
                "security_scheme": {"type": "string"},
                "roles": {"type": "array", "items": {"type": "string"}},
                "default_role": {"type": ["string", "null"]},
                "limited_role": {"type": ["string", "null"]},
                "roles_match": {"enum": ["any", "all"]},
                "jwt": {"type": "object"},
                "key_pair": {
                    "type": "object",
                    "required": ["access_header", "secret_header"],
                },
                "login_operation": {"type": ["string", "null"]},
            },
        },
        "resources": {"type": "object", "additionalProperties": _RESOURCE, "minProperties": 1},
    },
}

_FILTER = {
    "type": "object",
    "required": ["op"],
    "properties": {
        "field": {"type": "string"},
        "field_param": {"type": "string"},
        "default_field": {"type": "string"},
        "op": {"type": "string"},
    },
}

OPERATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["resource", "action"],
    "properties": {
        "resource": {"type": "string"},
        "action": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "filters": {"type": "object", "additionalProperties": _FILTER},
        "search": {
            "type": "object",
            "required": ["param", "fields"],
            "properties": {"param": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}},
        },
        "sort": {
            "type": "object",
            "required": ["param", "keys"],
            "properties": {
                "param": {"type": "string"},
                "dir_param": {"type": ["string", "null"]},
                "separator": {"type": ["string", "null"]},
                "default": {"type": ["string", "null"]},
                "keys": {"type": "object", "additionalProperties": {"type": "string"}},
                "directions": {
                    "type": "object",
                    "properties": {"asc": {"type": "string"}, "desc": {"type": "string"}},
                },
                "default_direction": {"enum": ["asc", "desc"]},
                "level": _LEVEL,
                "tested": {"type": "array", "items": {"type": "string"}},
            },
        },
        "envelope": {"type": "object"},
        "required_on_update": {"type": "array", "items": {"type": "string"}},
        "refused_on_update": {
            "type": "object",
            "properties": {
                "omitted": {"type": "array", "items": {"type": "string"}},
                "empty": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
        "projection": {"type": "string"},
    },
}

DESIGNED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "parameters": {"type": "array", "items": {"type": "string"}},
        "responses": {"type": "array", "items": {"type": "string", "pattern": "^([1-5][0-9X]{2}|default)$"}},
        "request": {"type": "array", "items": {"enum": ["body", "required"]}},
        "reason": {"type": "string"},
    },
    "additionalProperties": False,
}
