"""pytest plugin: `pytest --crm-dialect D --crm-base-url URL --crm-token CRED` runs the suite's checks.

Registered through the `pytest11` entry point; it adds nothing unless --crm-base-url is given. Then
every check becomes one test item (`crm::PAG-003`): the suite runs once, on the first item, and each
item reports its check: a failed MUST fails, a failed SHOULD warns (fails at --crm-level strict),
a skipped check skips.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from conformance.context import Options
from conformance.model import Check, CheckResult, RunResult
from conformance.runner import run, selected_checks
from conformance.target import Target
from crmspec import CrmSpecError, load

_RESULT = pytest.StashKey[RunResult]()


class ConformanceWarning(UserWarning):
    """A SHOULD finding at the standard level."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crm-conformance", "CRM API conformance")
    group.addoption("--crm-dialect", default=None, help="revorbit|olympus|concord|ysuite or a document path")
    group.addoption("--crm-base-url", default=None, help="the API root of the server under test")
    group.addoption("--crm-token", default=None, help="a credential, as `crm-mock token` prints it")
    group.addoption("--crm-admin-token", default=None)
    group.addoption("--crm-limited-token", default=None)
    group.addoption("--crm-expired-token", default=None)
    group.addoption("--crm-seed", default=0, type=int)
    group.addoption("--crm-max-examples", default=10, type=int)
    group.addoption("--crm-level", default="standard", choices=("standard", "strict"))
    group.addoption("--crm-only", default="", help="comma-separated check families")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--crm-base-url"))


def _options(config: pytest.Config) -> Options:
    return Options(
        seed=config.getoption("--crm-seed"),
        level=config.getoption("--crm-level"),
        max_examples=config.getoption("--crm-max-examples"),
        families=tuple(f for f in config.getoption("--crm-only").split(",") if f),
    )


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _enabled(config):
        return
    dialect, token = config.getoption("--crm-dialect"), config.getoption("--crm-token")
    if not dialect or not token:
        raise pytest.UsageError("--crm-base-url needs --crm-dialect and --crm-token")
    try:
        api = load(dialect)
    except CrmSpecError as exc:
        raise pytest.UsageError(str(exc)) from None
    for check in selected_checks(api, _options(config)):
        items.append(CheckItem.from_parent(session, name=f"crm::{check.id}", check=check))


class CheckItem(pytest.Item):
    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.add_marker(pytest.mark.crm_conformance)

    def _result(self) -> RunResult:
        config = self.config
        if _RESULT not in config.stash:
            api = load(config.getoption("--crm-dialect"))
            credentials = {"default": config.getoption("--crm-token")}
            for name in ("admin", "limited", "expired"):
                value = config.getoption(f"--crm-{name}-token")
                if value:
                    credentials[name] = value
            with Target(config.getoption("--crm-base-url"), api.dialect.auth, credentials) as target:
                config.stash[_RESULT] = run(api, target, _options(config))
        return config.stash[_RESULT]

    def runtest(self) -> None:
        result = self._result()
        if result.verdict == "error":
            pytest.fail(f"the run could not certify: {result.error}", pytrace=False)
        check = next(c for c in result.checks if c.id == self.check.id)
        outcome = check.outcome(result.level)
        if outcome == "skipped":
            pytest.skip(check.reason or "skipped")
        if outcome == "error":
            raise CheckFailed(f"{check.id} broke: a fault of crm-conformance, not of the server: {check.reason}")
        if outcome == "warning":
            warnings.warn(ConformanceWarning(_describe(check)), stacklevel=1)
        elif outcome == "failed":
            raise CheckFailed(_describe(check))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "crm-conformance", None, f"{self.check.id} {self.check.title}"


class CheckFailed(AssertionError):
    pass


def _describe(check: CheckResult) -> str:
    lines = [f"{check.id} [{check.severity}] {check.title}", f"source: {check.source}"]
    for failure in check.failures[:5]:
        lines += [f"- [{failure.level}] {failure.operation}: {failure.message}", f"  {failure.curl}"]
    if len(check.failures) > 5:
        lines.append(f"... and {len(check.failures) - 5} more (see report.json)")
    return "\n".join(lines)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "crm_conformance: a check of the crm-conformance suite")
