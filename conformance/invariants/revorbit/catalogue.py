"""What the requirements catalogue (openapi/revorbit.requirements.yaml) says the running check probes: the
operations it names for the check and, in each requirement's `about`, which field, kind of value or case."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import product

from conformance.context import CheckRun
from conformance.model import Severity
from crmspec.model import Operation

DESIGNED: Severity = "SHOULD"     # a shape the page does not show (x-designed): judged at the SHOULD level at most


def abouts_of(run: CheckRun, op: Operation) -> list[Mapping[str, str]]:
    """What the catalogue's requirements verified by the running check say about `op` (named explicitly), one
    mapping per combination of the values a requirement lists (an about may name any of several)."""
    catalogue = run.api.requirements
    if catalogue is None:
        return []
    return [dict(zip(r.about, chosen, strict=True)) for r in catalogue.verified_by(run.check.id)
            if str(op) in r.operations for chosen in product(*(r.values_of(key) for key in r.about))]


def named_operations(run: CheckRun, action: str | None = None) -> Iterator[Operation]:
    """The operations the catalogue names for the running check (with a request body, or of one action)."""
    for op in run.api.operations:
        if not abouts_of(run, op):
            continue
        if action is None and op.raw.get("requestBody") or action is not None and op.action == action:
            yield op


def field_kinds(run: CheckRun, op: Operation) -> dict[str, set[str] | None]:
    """field -> the kinds of value the catalogue names for it on `op` (None: every kind)."""
    out: dict[str, set[str] | None] = {}
    for about in abouts_of(run, op):
        field, kind = about.get("field"), about.get("kind")
        if field is None or field in out and out[field] is None:
            continue
        out[field] = None if kind is None else {*(out.get(field) or set()), kind}
    return out


def about_values(run: CheckRun, op: Operation, key: str) -> set[str]:
    """The values the catalogue gives `key` in the abouts of the running check on `op`."""
    return {about[key] for about in abouts_of(run, op) if key in about}


def kind_wanted(kinds: set[str] | None, kind: str) -> bool:
    return kinds is None or kind in kinds


def judged(run: CheckRun, op: Operation) -> bool:
    """Whether a response check judges an operation: the catalogue names it for the check (or, without a
    catalogue, every operation)."""
    catalogue = run.api.requirements
    return catalogue is None or any(r.concerns(str(op)) for r in catalogue.verified_by(run.check.id))
