"""Interactive documentation: Swagger UI at /docs, from the packaged `swagger-ui-bundle` (nothing from a CDN).

- `/openapi.json`: the resolved document with `servers` pointing at this mock (path-level ones too).
- `/docs`: Swagger UI; its init script pre-authorizes a fresh credential of the default role, so
  "Try it out" works against the mock at once.
- `/docs/openapi.json`: the document as the packaged Swagger UI (4.15) reads it. That version renders
  OpenAPI 3.0 only, so this copy says 3.0.3 and spells the 3.1 schema forms the 3.0 way (type lists ->
  `nullable`, `const` -> `enum`, schema `examples` -> `example`); /openapi.json stays the 3.1 original.
"""

from __future__ import annotations

import html
import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

from mock_server.responses import json_response

if TYPE_CHECKING:
    from mock_server.app import MockApp

SWAGGER_UI_VERSION = "3.0.3"
DROPPED = {"$schema", "$id", "jsonSchemaDialect", "webhooks", "pathItems", "contentMediaType", "contentEncoding",
           "unevaluatedProperties", "dependentRequired", "dependentSchemas", "prefixItems", "$comment"}
DATA_KEYS = {"example", "default", "enum", "const", "value", "externalValue"}  # payloads: copied verbatim
NAME_MAPS = {"properties", "patternProperties", "$defs", "definitions", "paths", "schemas", "responses", "parameters",
             "headers", "content", "securitySchemes", "requestBodies", "links", "callbacks", "encoding", "variables",
             "mapping", "examples"}
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{title} - crm-mock</title>
<link rel="stylesheet" type="text/css" href="{css}">
<link rel="stylesheet" type="text/css" href="{index_css}">
<link rel="icon" type="image/png" href="{icon}" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{bundle}" charset="UTF-8"></script>
<script src="{preset}" charset="UTF-8"></script>
<script src="{init}" charset="UTF-8"></script>
</body>
</html>
"""
INIT = """window.onload = function () {
  var config = %s;
  window.ui = SwaggerUIBundle({
    url: config.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    onComplete: function () {
      Object.keys(config.credentials).forEach(function (scheme) {
        window.ui.preauthorizeApiKey(scheme, config.credentials[scheme]);
      });
    }
  });
};
"""


def with_servers(document: dict[str, Any], root: str, base_path: str) -> dict[str, Any]:
    """A shallow copy of `document` whose servers (top level and path level) point at `root`."""
    served = dict(document)
    served["servers"] = [{"url": root + base_path, "description": "this crm-mock server"}]
    paths: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict) and item.get("servers"):
            mount = str(item["servers"][0].get("url", ""))
            mount = "/" + mount.split("://", 1)[-1].partition("/")[2] if "://" in mount else mount
            item = {**item, "servers": [{"url": root + mount.rstrip("/"), "description": "this crm-mock server"}]}
        paths[path] = item
    served["paths"] = paths
    return served


def as_openapi_30(node: Any, is_map: bool = False) -> Any:
    """The document the 3.0 way, for Swagger UI 4 (see the module docstring)."""
    if isinstance(node, list):
        return [as_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    if is_map:
        return {key: as_openapi_30(value) for key, value in node.items()}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED:
            continue
        if key in DATA_KEYS or key.startswith("x-"):
            out[key] = value
        elif key == "examples" and isinstance(value, list):  # a schema's examples: 3.0 has one example
            if value:
                out.setdefault("example", value[0])
        else:
            out[key] = as_openapi_30(value, is_map=key in NAME_MAPS and isinstance(value, dict))
    kind = out.get("type")
    if isinstance(kind, list) or kind == "null":
        listed = [kind] if isinstance(kind, str) else list(kind)
        kinds = [t for t in listed if t != "null"]
        del out["type"]
        if len(kinds) < len(listed):
            out["nullable"] = True
        if len(kinds) == 1:
            out["type"] = kinds[0]
        elif kinds and "anyOf" not in out:
            out["anyOf"] = [{"type": t} for t in kinds]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if isinstance(out.get(key), (int, float)) and not isinstance(out.get(key), bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = out[key]
            out[key] = True
    for key in ("anyOf", "oneOf"):
        branches = out.get(key)
        if isinstance(branches, list):
            kept = [b for b in branches if b != {"nullable": True}]
            if len(kept) < len(branches):
                out["nullable"] = True
                out[key] = kept
    return out


class Docs:
    def __init__(self, mock: MockApp) -> None:
        self.mock = mock

    @cached_property
    def ui_document(self) -> dict[str, Any]:
        converted: dict[str, Any] = as_openapi_30(self.mock.api.document)
        converted["openapi"] = SWAGGER_UI_VERSION
        info = dict(converted.get("info") or {})
        info.pop("summary", None)
        if isinstance(info.get("license"), dict):
            info["license"] = {k: v for k, v in info["license"].items() if k != "identifier"}
        converted["info"] = info
        return converted

    def root(self) -> str:
        return request.url_root.rstrip("/")

    def credentials(self) -> dict[str, str]:
        """Security scheme name -> the value Swagger UI sends: a bearer token, or each key of a key pair."""
        auth = self.mock.api.dialect.auth
        issued = self.mock.credentials.issue()
        if auth.scheme != "key_pair":
            return {auth.security_scheme: issued}
        access, _, secret = issued.partition(":")
        by_header = {str(auth.access_header).lower(): access, str(auth.secret_header).lower(): secret}
        schemes = (self.mock.api.document.get("components") or {}).get("securitySchemes") or {}
        return {name: by_header[str(s.get("name", "")).lower()] for name, s in schemes.items()
                if s.get("type") == "apiKey" and str(s.get("name", "")).lower() in by_header}

    # views --------------------------------------------------------------------------------------
    def openapi(self) -> Response:
        return json_response(200, with_servers(self.mock.api.document, self.root(), self.mock.api.dialect.base_path))

    def ui_openapi(self) -> Response:
        return json_response(200, with_servers(self.ui_document, self.root(), self.mock.api.dialect.base_path))

    def page(self) -> Response:
        def asset(name: str) -> str:
            return url_for("crm_mock_docs_asset", filename=name)

        text = PAGE.format(
            title=html.escape(self.mock.api.dialect.title),
            css=asset("swagger-ui.css"), index_css=asset("index.css"), icon=asset("favicon-32x32.png"),
            bundle=asset("swagger-ui-bundle.js"), preset=asset("swagger-ui-standalone-preset.js"),
            init=url_for("crm_mock_docs_init"),
        )
        return Response(text, mimetype="text/html")

    def init(self) -> Response:
        config = {"url": url_for("crm_mock_docs_openapi"), "credentials": self.credentials()}
        script = INIT % json.dumps(config).replace("<", "\\u003c")
        return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-store"})

    @staticmethod
    def asset(filename: str) -> Response:
        return send_from_directory(str(swagger_ui_path), filename, max_age=3600)


def register(app: Flask, mock: MockApp) -> None:
    docs = Docs(mock)
    app.add_url_rule("/openapi.json", "crm_mock_openapi", docs.openapi, methods=["GET"])
    app.add_url_rule("/docs", "crm_mock_docs_bare", docs.page, methods=["GET"])  # assets use absolute paths
    app.add_url_rule("/docs/", "crm_mock_docs", docs.page, methods=["GET"])
    app.add_url_rule("/docs/openapi.json", "crm_mock_docs_openapi", docs.ui_openapi, methods=["GET"])
    app.add_url_rule("/docs/init.js", "crm_mock_docs_init", docs.init, methods=["GET"])
    app.add_url_rule("/docs/assets/<path:filename>", "crm_mock_docs_asset", docs.asset, methods=["GET"])
