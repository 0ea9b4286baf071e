"""Concord CRM's own invariants (003): billable products and amounts, the status endpoint and its lock,
associations, the query grammar and search, unique emails, and what a deal stores.

Every record these checks change is one the suite created in the run (X11): a test deal names no contact
or company but the suite's own (`own_deal`), and associations link only contacts, companies and
activities the suite made. Each observation says what it is about (`about=`), as the catalogue's
requirements name it (openapi/concord.requirements.yaml):
  field / product_field   a deal field, or a field of one billable product
  key                     an association key (contacts, companies, activities)
  parameter               a query parameter of the list or search grammar
  case                    which part of the rule (a `case` value is named in each check's docstring)
  from, to                a status change of PUT /deals/{id}/status/{status}
  discount_type, header   a product's discount type; a request or response header

One module per subject; `own_deals` and `refusals` are what they share. Importing this package registers
every check.
"""

from conformance.invariants.concord import (  # noqa: F401  (importing registers every check)
    amounts,
    associations,
    billable,
    deal_fields,
    emails,
    grammar,
    headers,
    search,
    status,
)
