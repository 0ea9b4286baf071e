"""SEM-204: a contact's or company's email already taken is refused with errors.email."""

from __future__ import annotations

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, op_of
from conformance.invariants.concord.refusals import expect_refused
from conformance.registry import scenario


def _duplicate(run: CheckRun, resource: str, name_field: str) -> None:
    first, second = create_record(run, resource), create_record(run, resource)
    email = first.record.get("email")
    if not email:
        return
    create, update = op_of(run, resource, "create"), op_of(run, resource, "update")
    expect_refused(run, create, {}, {name_field: "crmconf duplicate", "email": email}, "email",
                   f"a duplicate {resource} email")
    expect_refused(run, update, fill_path(run, update, second.id), {"email": email}, "email",
                   f"changing a {resource} email to another's")


@scenario("SEM-204", "semantics", "A contact's or company's email already taken is refused with errors.email", "MUST",
          "Concord contacts and companies (dialects.md 1C [D][C]): email unique (CC16 strict 422)")
def cc_duplicate_email(run: CheckRun) -> None:
    """On create and on update, of contacts and of companies (reported on each operation)."""
    _duplicate(run, "contacts", "first_name")
    _duplicate(run, "companies", "name")
