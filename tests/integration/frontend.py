"""Helpers the frontend-feature tests share (steering, chaos, sessions, admin, docs, serving)."""

from __future__ import annotations

import copy
import time
from typing import Any

from crmspec.model import Operation
from tests.conftest import Mock
from tests.integration.pages import PAGES

SESSION = "X-Mock-Session"


def in_session(mock: Mock, name: str) -> Mock:
    """The same app and client, every request sent with `X-Mock-Session: name`."""
    view = copy.copy(mock)
    view.headers = {**mock.headers, SESSION: name}
    return view


def main_resource(mock: Mock) -> dict[str, Any]:
    """The first resource pages.py describes for the dialect: path, id field, a valid create body."""
    return next(iter(PAGES[mock.dialect].resources.values()))


def read_operation(mock: Mock) -> Operation:
    resource = main_resource(mock)["path"].strip("/")
    operation = mock.api.find(resource, "read")
    assert operation is not None
    return operation


def url_of(operation: Operation, record_id: Any = 1) -> str:
    """The operation's full path with every path parameter set to `record_id`."""
    path = operation.full_path
    for name in operation.path_params:
        path = path.replace("{" + name + "}", str(record_id))
    return path


def documented_examples(operation: Operation, status: int) -> dict[str, Any]:
    media = operation.raw["responses"][str(status)]["content"]["application/json"]
    return {name: example["value"] for name, example in media.get("examples", {}).items()}


def start_of_window(seconds: float = 1.0, margin: float = 0.25) -> None:
    """Sleep until just after a fixed window starts, so the next few requests share one window."""
    remaining = seconds - (time.time() % seconds)
    if remaining < seconds - margin:
        time.sleep(remaining + 0.01)
