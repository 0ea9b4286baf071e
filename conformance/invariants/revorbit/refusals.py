"""How Revenue Orbit refuses what its pages forbid (RO2): the validation status, with errors naming the field."""

from __future__ import annotations

from collections.abc import Mapping

from conformance import normalise
from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.target import Exchange


def expect_refused(run: CheckRun, exchange: Exchange, about: Mapping[str, str], what: str,
                   name_field: bool = True) -> None:
    """RO2: the validation status (422, or 400) and, where the API's field errors are judged, errors that name
    the field the about names."""
    accepted = run.dialect.errors.accepted("validation")
    if not run.expect(exchange.status in accepted, exchange, f"{what}: answered {exchange.status}, expected "
                      f"{' or '.join(map(str, accepted))}", about=about):
        return
    field = about.get("field")
    if field is None or not name_field or not run.dialect.errors.field_errors_judged:
        return
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    named = isinstance(errors, dict) and any(k == field or k.split(".")[0] == field for k in errors)
    run.expect(named, exchange, f"{what}: the field errors do not name {field!r}: {errors!r}", about=about)
