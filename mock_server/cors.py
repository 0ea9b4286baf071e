"""CORS, on by default so a frontend on another port can call the mock; `--cors-origin` restricts it.

A preflight (OPTIONS with Access-Control-Request-Method) is answered 204 before routing and before
any credential check. Any origin is allowed by default (`*`); with `--cors-origin ORIGIN` only that
origin gets CORS headers (the others get none, so the browser refuses).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from crmspec.model import Auth
from mock_server.config import MockConfig
from mock_server.sessions import SESSION_HEADER

METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
EXPOSED = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After", "X-Mock-Source", "Preference-Applied",
           "Location", "Allow", "WWW-Authenticate")
EXPOSED_LIST = ", ".join(EXPOSED)
MAX_AGE = "600"


class Cors:
    def __init__(self, config: MockConfig, auth: Auth) -> None:
        self.enabled = config.cors
        self.origin = config.cors_origin
        headers = ["Authorization", "Content-Type", "Accept", "Prefer", SESSION_HEADER]
        headers += [h for h in (auth.access_header, auth.secret_header) if h]
        self.allowed_headers = headers

    def allow_origin(self, headers: Any) -> str | None:
        """The Access-Control-Allow-Origin value for this request, or None when it gets no CORS headers."""
        if not self.enabled:
            return None
        if self.origin is None:
            return "*"
        return self.origin if headers.get("Origin") == self.origin else None

    def preflight(self, method: str, headers: Any) -> Response | None:
        if method != "OPTIONS" or "Access-Control-Request-Method" not in headers or not self.enabled:
            return None
        response = Response(status=204)
        del response.headers["Content-Type"]
        origin = self.allow_origin(headers)
        if origin is not None:
            requested = [h.strip() for h in headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
            known = {h.lower() for h in self.allowed_headers}
            response.headers["Access-Control-Allow-Methods"] = METHODS
            response.headers["Access-Control-Allow-Headers"] = ", ".join(
                [*self.allowed_headers, *(h for h in requested if h.lower() not in known)]
            )
            response.headers["Access-Control-Max-Age"] = MAX_AGE
        return response

    def decorate(self, response: Response, headers: Any) -> Response:
        origin = self.allow_origin(headers)
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_LIST
        if self.enabled and self.origin is not None:
            response.vary.add("Origin")
        return response
