"""Olympus Cloud CRM's own invariants (002): merges, lead scores, analytics, stages, task completion, and the
side effects of the page's compound operations (bulk update, import, enrichment), each on the suite's own
records (X11).

What each check reports an observation about (docs/requirements.md), beyond its operation:
`rule` names the property of a compound operation it judged (`merged-gone`, `by-stage-sums`, ...);
`field` a field of the record or answer; `stage`, `type`, `priority` one documented enum value;
`parameter` a query parameter; `status` and `code` an error's status and code; `role` a token's role.

One module per subject; `records` is what they share. Importing this package registers every check.
"""

from conformance.invariants.olympus import (  # noqa: F401  (importing registers every check)
    activities,
    analytics,
    bulk_update,
    contacts,
    deals,
    enrichment,
    imports,
    merges,
    page_block,
    roles,
    scores,
    tasks,
    unknown_records,
)
