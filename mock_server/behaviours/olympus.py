"""Olympus Cloud CRM behaviour beyond CRUD (seed 002, the platform authentication guide, dialects.md 1B / 3.3).

Each job lives in its own module beside this one, and BEHAVIOUR below maps the document's actions onto them:

* olympus_contacts: create/update (owner, duplicate email), the detail, merge, bulk update.
* olympus_scoring: lead scores and scoring rules; every change that moves a score rescores its contact.
* olympus_enrichment: single and bulk enrichment.
* olympus_pipeline: deals, stage changes, pipeline_summary, pipeline analytics.
* olympus_activities: activities and tasks (the derived `overdue` status, Decision OC14).
* olympus_import: the CSV import of contacts (reading the CSV itself is mock_server/formats/csv_files.py).
* olympus_records: what those modules share (a record as shown, references, the request's events).
* mock_server.webhooks: every state change records its event `{id, event, occurred_at, tenant_id, data}` in
  the `webhook_events` table, in the same transaction as the change, and POSTs it to --webhook-url.

Here: login.
"""

from __future__ import annotations

import secrets

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.behaviours.olympus_activities import (
    complete_task,
    create_activity,
    create_task,
    task_list_where,
    task_on_write,
    task_present,
)
from mock_server.behaviours.olympus_contacts import (
    bulk_update,
    create_contact,
    duplicate_contact,
    merge_contacts,
    read_contact,
    update_contact,
)
from mock_server.behaviours.olympus_enrichment import bulk_enrich, enrich_contact
from mock_server.behaviours.olympus_import import import_contacts
from mock_server.behaviours.olympus_pipeline import (
    create_deal,
    deal_on_write,
    move_stage,
    pipeline_analytics,
    pipeline_summary,
)
from mock_server.behaviours.olympus_scoring import configure_scoring, contact_score, with_score
from mock_server.engine import Behaviour, Engine, each
from mock_server.responses import json_response
from mock_server.validation import ValidRequest


# authentication ---------------------------------------------------------------------------------------------
def login(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    user = engine.user_by_login(req.body)
    roles = list(user.get("roles") or [engine.dialect.auth.default_role])
    token = engine.credentials.issue(roles=roles, subject=str(user["id"]), user_id=user["id"])
    return json_response(200, {"status": {
        "type": "success",
        "access_token": token,
        "refresh_token": f"rt_{secrets.token_urlsafe(24)}",
        "token_type": "Bearer",
        "expires_in": engine.dialect.auth.lifetime_seconds,
        "user": {"id": user["id"], "tenant_id": user.get("tenant_id"), "email": user["email"], "roles": roles},
    }})


BEHAVIOUR = Behaviour(
    handlers={
        ("auth", "login"): login,
        ("contacts", "create"): create_contact,
        ("contacts", "update"): update_contact,
        ("contacts", "read"): read_contact,
        ("contacts", "merge"): merge_contacts,
        ("contacts", "score"): contact_score,
        ("scoring_rules", "configure"): configure_scoring,
        ("contacts", "enrich"): enrich_contact,
        ("contacts", "bulk_enrich"): bulk_enrich,
        ("contacts", "bulk_update"): bulk_update,
        ("contacts", "import"): import_contacts,
        ("deals", "create"): create_deal,
        ("deals", "move_stage"): move_stage,
        ("deals", "pipeline_analytics"): pipeline_analytics,
        ("activities", "create"): create_activity,
        ("tasks", "create"): create_task,
        ("tasks", "complete"): complete_task,
    },
    on_write={"contacts": with_score, "deals": deal_on_write, "tasks": task_on_write},
    present={"contacts": each(with_score), "tasks": each(task_present)},
    duplicate={"contacts": duplicate_contact},
    list_where={"tasks": task_list_where},
    list_extras={"deals": pipeline_summary},
)
