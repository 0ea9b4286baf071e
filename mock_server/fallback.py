"""Answers for operations no handler serves: the document's own example, else data from its schema.

This is what Prism does for every operation; here it only covers actions without a behaviour, and the
response says so in `X-Mock-Source` so nobody mistakes it for state.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from crmspec.model import Api, Operation
from mock_server.faker import FakeData


def success_response(operation: Operation) -> tuple[int, dict[str, Any]]:
    responses = operation.raw.get("responses", {})
    for code in sorted(responses):
        if code.isdigit() and 200 <= int(code) < 300:
            return int(code), responses[code]
    return 200, {}


class FallbackResponder:
    def __init__(self, api: Api, seed: int) -> None:
        self.api = api
        self.fake = FakeData(seed)

    def respond(self, operation: Operation) -> Response:
        status, spec = success_response(operation)
        content = spec.get("content") or {}
        if not content:
            return Response(status=status, headers={"X-Mock-Source": "document"})
        media_type, media = next(iter(content.items()))
        body = self.example(media)
        source = "example"
        if body is None:
            body = self.fake.value("body", media.get("schema") or {})
            source = "schema"
        if media_type == "application/json" or media_type.endswith("+json"):
            payload: bytes | str = json.dumps(body)
        elif isinstance(body, str):
            payload = body
        else:
            payload = b""
        return Response(payload, status=status, mimetype=media_type, headers={"X-Mock-Source": source})

    @staticmethod
    def example(media: dict[str, Any]) -> Any:
        if "example" in media:
            return media["example"]
        for example in (media.get("examples") or {}).values():
            if isinstance(example, dict) and "value" in example:
                return example["value"]
        return None
