"""A test that needs an outside tool (browser, client generator) skips without it, except under CI, where it fails."""

from __future__ import annotations

import shutil

import pytest

from tests.tools import on_path


def outcome_without_chromium() -> tuple[type[BaseException], str]:
    """What on_path raises when the tool is missing (skip and fail are both BaseExceptions: catch either)."""
    with pytest.raises(BaseException) as raised:
        on_path("chromium", "apt-get install chromium")
    return raised.type, str(raised.value)


def test_a_missing_tool_skips_on_a_developers_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("CI", raising=False)
    assert outcome_without_chromium() == (pytest.skip.Exception, "chromium is not installed (apt-get install chromium)")


def test_a_missing_tool_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", "true")
    assert outcome_without_chromium() == (pytest.fail.Exception, "chromium is not installed (apt-get install chromium)")


def test_a_present_tool_is_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv("CI", "true")
    assert on_path("chromium", "apt-get install chromium") == "/usr/bin/chromium"
