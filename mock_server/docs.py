"""Interactive documentation: Swagger UI 5 at /docs, from the packaged `flask-swagger-ui` distribution
(its static `dist/` files only; nothing from a CDN).

- `/openapi.json`: the resolved OpenAPI 3.1 document with `servers` pointing at this mock (path-level ones too).
- `/docs`: Swagger UI reading /openapi.json as it is (Swagger UI 5 renders 3.1); its init script pre-authorizes
  a fresh credential of the default role, so "Try it out" works against the mock at once.
"""

from __future__ import annotations

import html
import json
from importlib.resources import as_file, files
from typing import Any

from flask import Flask, Response, request, send_from_directory, url_for

from mock_server.parts import MockParts
from mock_server.responses import json_response

SWAGGER_UI = files("flask_swagger_ui") / "dist"  # Swagger UI's own dist/ build, as the distribution ships it
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
# validatorUrl null: Swagger UI would otherwise show a badge fetched from the online validator.
INIT = """window.onload = function () {
  var config = %s;
  window.ui = SwaggerUIBundle({
    url: config.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
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


class Docs:
    def __init__(self, mock: MockParts) -> None:
        self.mock = mock

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
        config = {"url": url_for("crm_mock_openapi"), "credentials": self.credentials()}
        script = INIT % json.dumps(config).replace("<", "\\u003c")
        return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-store"})

    @staticmethod
    def asset(filename: str) -> Response:
        with as_file(SWAGGER_UI) as directory:  # a real directory for an installed package; unpacked from a zip
            return send_from_directory(directory, filename, max_age=3600)


def register(app: Flask, mock: MockParts) -> None:
    docs = Docs(mock)
    app.add_url_rule("/openapi.json", "crm_mock_openapi", docs.openapi, methods=["GET"])
    app.add_url_rule("/docs", "crm_mock_docs_bare", docs.page, methods=["GET"])  # assets use absolute paths
    app.add_url_rule("/docs/", "crm_mock_docs", docs.page, methods=["GET"])
    app.add_url_rule("/docs/init.js", "crm_mock_docs_init", docs.init, methods=["GET"])
    app.add_url_rule("/docs/assets/<path:filename>", "crm_mock_docs_asset", docs.asset, methods=["GET"])
