"""/docs: Swagger UI from the packaged bundle, served by the mock itself, with a working credential."""

from __future__ import annotations

import json
import re
import urllib.request
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlparse

from mock_server import MockConfig, create_app
from tests.conftest import SECRET, Mock, load_api
from tests.servers import serving


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return response.status, response.read(), response.headers


def init_config(script: str) -> dict[str, Any]:
    match = re.search(r"var config = (\{.*?\});\n", script)
    assert match, script
    return dict(json.loads(match.group(1)))


def test_docs_load_every_asset_from_the_mock_itself(dialect: str) -> None:
    api = load_api(dialect)
    app = create_app(api, MockConfig(records=3, secret=SECRET))
    with serving(app) as base:
        status, page, headers = fetch(base + "/docs")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        parser = Assets()
        parser.feed(page.decode())
        scripts = [u for u in parser.urls if u.endswith(".js")]
        assert len(scripts) == 3 and any("swagger-ui-bundle" in u for u in scripts)
        for url in parser.urls:
            absolute = urljoin(base + "/docs", url)
            assert urlparse(absolute).netloc == urlparse(base).netloc, url  # relative or same origin: no CDN
            assert fetch(absolute)[0] == 200, url
        assert b"swagger-ui" in fetch(urljoin(base, "/docs/assets/swagger-ui.css"))[1]

        # the init script pre-authorizes a credential the mock accepts, for the document it points at
        script = fetch(urljoin(base + "/docs", scripts[-1]))[1].decode()
        config = init_config(script)
        assert "preauthorizeApiKey" in script
        assert urljoin(base, config["url"]) == base + "/openapi.json"  # the 3.1 document itself
        ui_document = json.loads(fetch(urljoin(base, config["url"]))[1])
        assert ui_document["openapi"] == "3.1.0"
        schemes = ui_document["components"]["securitySchemes"]
        assert set(config["credentials"]) <= set(schemes)
        sent: dict[str, str] = {}
        for name, value in config["credentials"].items():
            scheme = schemes[name]
            if scheme["type"] == "apiKey":
                sent[scheme["name"]] = value
            else:
                sent["Authorization"] = f"Bearer {value}"
        # "Try it out" calls servers[0] + the path, as Swagger UI does
        server = ui_document["servers"][0]["url"]
        assert server == base + api.dialect.base_path
        listed = next(op for op in api.operations if op.action == "list" and op.mount == api.dialect.base_path)
        assert fetch(server + listed.path, sent)[0] == 200


def test_openapi_json_points_at_the_mock(make_mock: Any) -> None:
    mock: Mock = make_mock("olympus")
    with serving(mock.app) as base:
        document = json.loads(fetch(base + "/openapi.json")[1])
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": base + "/api/v1/crm", "description": "this crm-mock server"}]
    # the login endpoint lives outside the base path: its path-level server points at the mock too
    login = document["paths"]["/auth/login"]["servers"]
    assert login[0]["url"] == base + "/v1"
    assert document["paths"].keys() == mock.api.document["paths"].keys()

