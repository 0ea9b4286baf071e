"""pytest plugin: `pytest --crm-dialect D --crm-base-url URL --crm-token CRED` runs the suite's checks.

Registered through the `pytest11` entry point; it does nothing unless --crm-base-url is given.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crm-conformance", "CRM API conformance")
    group.addoption("--crm-dialect", default=None, help="revorbit|olympus|concord|ysuite or a document path")
    group.addoption("--crm-base-url", default=None, help="the API root of the server under test")
    group.addoption("--crm-token", default=None, help="a credential, as `crm-mock token` prints it")
    group.addoption("--crm-admin-token", default=None)
    group.addoption("--crm-limited-token", default=None)
    group.addoption("--crm-expired-token", default=None)
    group.addoption("--crm-seed", default="0")
    group.addoption("--crm-max-examples", default="10")
    group.addoption("--crm-level", default="standard", choices=("standard", "strict"))
