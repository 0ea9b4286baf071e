"""A record's states and the fields that depend on them (Decision X2): `won_date`, `lost_reason`,
`completed_at` and `closed_at` mean something only while the record is in that state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.faker.plan import Status
from mock_server.faker.wording import closed_when_decided, tokens


def agree_with_status(record: dict[str, Any], status: Status, required: list[str], kind: str = "other",
                      known: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """Make the record's state fields agree with its state, and return the states it is (and is not) in.

    The state comes from the record's labels (`known`: its stage "Closed"), a status enum, else from
    `is_won`-like flags, which are made to agree with the status, with the record's name ("Closed Won"; a
    label such as a stage whose name names no state is in none), and with each other. A field named after
    a state the record is not in is null, or left out when it may not be null and is not required."""
    active = dict(known or {})
    for state, on in status.enum_states(record).items():
        active[state] = active.get(state, False) or on
    flags = [(prop, state) for prop, state in status.flags if isinstance(record.get(prop), bool)]
    for flag, state in flags:
        if state in active:
            record[flag] = active[state]
    _free_flags_agree(record, [(p, s) for p, s in flags if s not in active], kind)
    for flag, state in flags:
        active.setdefault(state, bool(record[flag]))
    closed_when_decided(active)
    flagged = {flag for flag, _ in flags}
    for prop, state, may_be_null in status.state_fields:
        if prop not in record or prop in flagged or state not in active or active[state]:
            continue
        if may_be_null:
            record[prop] = None
        elif prop not in required:
            del record[prop]
    return active


def _free_flags_agree(record: dict[str, Any], free: list[tuple[str, str]], kind: str) -> None:
    """Flags no status decides: the record's name decides (a label's always), else at most one is on."""
    if not free:
        return  # nothing to decide (and the record's name, read below, is a new one for nearly every record)
    label = tokens(str(record.get("name") or record.get("title") or ""))
    if any(state in label for _, state in free) or (kind == "label" and label):
        for flag, state in free:
            record[flag] = state in label
    elif sum(bool(record[flag]) for flag, _ in free) > 1:
        keep = next(flag for flag, _ in free if record[flag])
        for flag, _ in free:
            record[flag] = flag == keep


def states(record: Mapping[str, Any], status: Status, known: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """Every state the record is known to be in or not: from `known` (its labels), its enums, its
    `is_won`-like flags; a record won or lost is closed."""
    active = dict(known or {})
    for state, on in status.enum_states(record).items():
        active[state] = active.get(state, False) or on
    for prop, state in status.flags:
        if isinstance(record.get(prop), bool):
            active.setdefault(state, bool(record[prop]))
    return closed_when_decided(active)
