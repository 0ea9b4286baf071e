"""--waivers: a waiver names a requirement or a check of the run, its justification, owner and expiry;
an unknown or expired one (or a malformed file) is refused with one line naming what is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conformance.waivers import InvalidWaivers, load_waivers
from tests.conftest import load_api

TODAY = dt.date(2026, 12, 4)
CATALOGUE = load_api("revorbit").requirements
CHECKS = {"PAG-002", "STA-001"}
REQUIREMENT = CATALOGUE.requirements[0].id if CATALOGUE else ""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def entry(waiver_id: str, expires: str = "2027-01-31", **extra: str) -> str:
    fields = {"id": waiver_id, "justification": "fixed upstream in 4.2", "owner": "team@example.com",
              "expires": expires, **extra}
    return "- " + "\n  ".join(f"{k}: {v}" for k, v in fields.items()) + "\n"


def test_a_requirement_and_a_check_can_be_waived(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path, entry(REQUIREMENT) + entry("PAG-002")), CATALOGUE, CHECKS, TODAY)
    assert [w.id for w in waivers] == [REQUIREMENT, "PAG-002"]
    assert waivers[0].expires == "2027-01-31" and waivers[0].owner == "team@example.com"


def test_a_waiver_expiring_today_still_holds(tmp_path: Path) -> None:
    assert load_waivers(write(tmp_path, entry("PAG-002", expires="2026-12-04")), CATALOGUE, CHECKS, TODAY)


@pytest.mark.parametrize("text, reason", [
    (entry("PAG-002", expires="2026-12-03"), "expired on 2026-12-03"),
    (entry("RO-NOPE-01"), "neither a requirement nor a check"),
    (entry("PAG-002", expires="next week"), "not a YYYY-MM-DD date"),
    ("- id: PAG-002\n  owner: x\n  expires: 2027-01-01\n", "needs id, justification, owner, expires"),
    ("just: a mapping\n", "expected a list of waivers"),
    ("- [unclosed\n", "not valid YAML"),
])
def test_unusable_waivers_are_refused_with_the_reason(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(InvalidWaivers, match=reason):
        load_waivers(write(tmp_path, text), CATALOGUE, CHECKS, TODAY)
