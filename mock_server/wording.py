"""What a field's name and a record's values say: the words of a name, and the states a record is in.

Shared by the fake-data generator (faker.py) and the ordering of a record's dates (histories.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

STATES = ("won", "lost", "closed", "completed", "cancelled", "canceled", "converted", "archived",
          "paid", "resolved", "rejected", "accepted", "expired")
STATE_ALIASES = {"loss": "lost", "win": "won", "close": "closed", "completion": "completed"}
# a status that says the record is in force now (a contract between its start and its end)
RUNNING = "active"
END_WORDS = ("end", "ends", "ended", "finish", "until")


def tokens(name: str) -> list[str]:
    """`dealAmount` and `deal_amount` -> ["deal", "amount"]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def flag_state(name: str) -> str:
    """`is_won` -> "won", `is_completed` -> "completed"; "" for anything else."""
    words = tokens(name)
    if len(words) == 2 and words[0] in ("is", "was"):
        state = STATE_ALIASES.get(words[1], words[1])
        return state if state in STATES else ""
    return ""


def label_states(name: Any) -> dict[str, bool]:
    """The states a label's name puts a record in: a deal in the stage "Closed Won" is won and closed."""
    words = tokens(name) if isinstance(name, str) else []
    found = {w: True for w in words if w in STATES}
    if found.get("won") or found.get("lost"):
        found["closed"] = True
    return found


def enum_states(record: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, bool]:
    """States named by the options of the record's enums (`won`, `closed_won`, `expired`, `active`): each
    known, and on when the record's value is that option."""
    active: dict[str, bool] = {}
    for prop, sub in properties.items():
        enum = sub.get("enum") if isinstance(sub, Mapping) else None
        value = record.get(prop)
        if not enum or not isinstance(value, str):
            continue
        for option in enum:
            if not isinstance(option, str):
                continue
            chosen = value.lower() == option.lower()
            for state in tokens(option):
                if state in STATES or state == RUNNING:
                    active[state] = active.get(state, False) or chosen
    return active


def states(record: Mapping[str, Any], properties: Mapping[str, Any],
           known: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """Every state the record is known to be in or not: from `known` (its labels), its enums, its
    `is_won`-like flags; a record won or lost is closed."""
    active = dict(known or {})
    for state, on in enum_states(record, properties).items():
        active[state] = active.get(state, False) or on
    for prop in properties:
        if isinstance(record.get(prop), bool) and flag_state(prop):
            active.setdefault(flag_state(prop), bool(record[prop]))
    if "closed" not in active and ("won" in active or "lost" in active):
        active["closed"] = active.get("won", False) or active.get("lost", False)
    return active
