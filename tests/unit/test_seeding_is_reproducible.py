"""The same seed gives the same data, byte for byte, whatever the generator's insides become.

The golden files under tests/data/seeded/ were written by the generator as it was before the generation
plan (see the history of this file's first commit): for each document, every record the mock seeds at a fixed
seed, records count and day, and the bodies FakeData.value() makes for every schema of every operation (the
`Prefer: dynamic=true` and fallback answers). A change of generator passes only when it reproduces them.

    python -m tests.unit.test_seeding_is_reproducible   # rewrites the golden files: only for a deliberate change
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crmspec.model import Api
from mock_server import seeder
from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.faker import FakeData
from tests.conftest import DIALECTS, load_api

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "seeded"
SEED = 7
RECORDS = 25
# the clock during seeding: the fake dates are relative to today, and so are some write rules' derived fields
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def seeded_state(api: Api) -> dict[str, list[dict[str, Any]]]:
    """Every record of every resource, in the order the store keeps them, as `crm-mock serve` seeds them."""
    with time_machine.travel(NOW, tick=False):
        mock = MockApp(api, MockConfig(seed=SEED, records=RECORDS))
    state = {name: mock.store.all(name) for name in api.dialect.resources}
    state["__meta__"] = [{"seed": mock.store.meta("seed"), "records": mock.store.meta("records")}]
    return state


def values(api: Api) -> list[dict[str, Any]]:
    """The body FakeData makes for each schema of each operation, responses and request bodies alike."""
    fake = FakeData(SEED, NOW.date())
    made: list[dict[str, Any]] = []
    for operation in api.operations:
        request = (operation.raw.get("requestBody") or {}).get("content") or {}
        for media_type, media in request.items():
            if isinstance(media.get("schema"), dict):
                made.append({"operation": operation.operation_id, "request": media_type,
                             "body": fake.value("body", media["schema"], request=True)})
        for status, response in (operation.raw.get("responses") or {}).items():
            for media_type, media in (response.get("content") or {}).items():
                if isinstance(media.get("schema"), dict):
                    made.append({"operation": operation.operation_id, "status": str(status),
                                 "response": media_type, "body": fake.value("body", media["schema"])})
    return made


def canonical(api: Api) -> str:
    """One JSON text: a row or a value per line (a change shows as the lines it changed), keys in the order
    the generator wrote them, since a client sees that order too."""
    state = seeded_state(api)
    lines = ["{", '"seeded": {']
    tables = list(state.items())
    for number, (name, rows) in enumerate(tables):
        lines.append(f"{json.dumps(name)}: [")
        lines += [json.dumps(row) + ("," if i < len(rows) - 1 else "") for i, row in enumerate(rows)]
        lines.append("]" + ("," if number < len(tables) - 1 else ""))
    lines += ["},", '"values": [']
    made = values(api)
    lines += [json.dumps(value) + ("," if i < len(made) - 1 else "") for i, value in enumerate(made)]
    lines += ["]", "}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_seeded_state_and_values_match_the_golden_file(dialect: str) -> None:
    expected = (GOLDEN / f"{dialect}.json").read_text(encoding="utf-8")
    actual = canonical(load_api(dialect))
    assert json.loads(actual)["seeded"], "nothing was seeded"
    if actual != expected:  # name the first line that differs: its table and record
        ours, theirs = actual.splitlines(), expected.splitlines()
        pairs = zip(ours, theirs, strict=False)
        line = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(ours), len(theirs)))
        pytest.fail(f"{dialect}: line {line + 1} differs from the golden file:\n"
                    f"  expected {(theirs[line:] or ['<end>'])[0][:400]}\n"
                    f"  actual   {(ours[line:] or ['<end>'])[0][:400]}")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_batches_of_any_size_seed_the_same_state(dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The golden state holds fewer records than a batch: seeded 4 records a batch, it is the same."""
    monkeypatch.setattr(seeder, "BATCH", 4)
    assert RECORDS > 2 * seeder.BATCH, "several batches a resource"
    expected = json.loads((GOLDEN / f"{dialect}.json").read_text(encoding="utf-8"))["seeded"]
    assert json.loads(json.dumps(seeded_state(load_api(dialect)))) == expected


def write_golden() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for dialect in DIALECTS:
        (GOLDEN / f"{dialect}.json").write_text(canonical(load_api(dialect)), encoding="utf-8")


if __name__ == "__main__":
    write_golden()
    sys.exit(0)
