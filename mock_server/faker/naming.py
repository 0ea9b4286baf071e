"""Naming rules: what a property's `x-faker` hint or its name asks for (`email`, `first_name`, `website`,
`deal_value`, `probability`), as tables read once per field when the generation plan is compiled.

Each rule is a test on the words of the name (and the schema's format), which the plan runs once, and a
maker, which the generator calls for every record. The first rule whose test passes is the field's rule.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

from mock_server.faker.context import RecordContext
from mock_server.faker.miss import MISS
from mock_server.faker.patterns import PREFERRED
from mock_server.faker.realistic import Realistic, typed_number
from mock_server.faker.vocabulary import COMPANY_FIELDS, CURRENCIES, PERCENT_KINDS, REASONS, ROLES, TAGS
from mock_server.faker.wording import direction, slug, temporal_name, tokens

Maker = Callable[[Realistic, str, Mapping[str, Any], str, RecordContext], Any]


class Name:
    """The words of a property's name, as the rules test them."""

    def __init__(self, words: tuple[str, ...], fmt: Any = None) -> None:
        self.words = words
        self.flat = "".join(words)
        self.last = words[-1] if words else ""
        self.fmt = fmt

    def has(self, *candidates: str) -> bool:
        return any(w in self.words for w in candidates)


def _tags(r: Realistic) -> str:
    return ",".join(r.rng.sample(TAGS, r.rng.randint(1, 3)))


def _username(r: Realistic, ctx: RecordContext) -> str:
    first, last = ctx.person()
    return f"{slug(first)}.{slug(last)}{ctx.suffix()}"


def _code(r: Realistic, name: str) -> str:
    words = tokens(name)
    prefix = "".join(w[0] for w in words[:-1]).upper()
    return f"{prefix}-{r.sources.today.year}-{r.rng.randint(1, 9999):04d}"


def _tax_number(r: Realistic) -> str:
    return f"{r.rng.choice(('US', 'GB', 'DE', 'FR'))}{r.rng.randint(100000000, 999999999)}"


def _sku(r: Realistic) -> str:
    letters = "".join(r.rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{letters}-{r.rng.randint(1000, 9999)}"


def _temporal(r: Realistic, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext) -> Any:
    return r.dates.temporal(name, schema, "string", ctx, direction(tokens(name)))


_NOTE_WORDS = ("notes", "note", "description", "content", "body", "comment", "comments", "details", "message",
               "remarks", "memo", "text")
_ADDRESS_WORDS = ("street", "address", "address1", "address2", "line1", "line2")
_LINK_WORDS = ("linkedin", "website", "url", "homepage", "twitter", "link")

# (test, maker) for a string property, in order: the first test that passes names the field's rule
STRING_RULES: tuple[tuple[Callable[[Name], bool], Maker], ...] = (
    (lambda n: n.fmt in ("date", "date-time", "time") or temporal_name(n.words), _temporal),
    (lambda n: n.last == "email" or n.flat.endswith(("email", "emailaddress")),
     lambda r, name, schema, kind, ctx: ctx.email()),
    (lambda n: n.flat.endswith(("firstname", "givenname")) or n.flat == "fname",
     lambda r, name, schema, kind, ctx: ctx.person()[0]),
    (lambda n: n.flat.endswith(("lastname", "surname", "familyname")) or n.flat == "lname",
     lambda r, name, schema, kind, ctx: ctx.person()[1]),
    (lambda n: n.has("phone", "mobile", "fax", "tel", "telephone") or n.flat.endswith(("phone", "mobile")),
     lambda r, name, schema, kind, ctx: str(r.person.phone_number())),
    (lambda n: n.flat in COMPANY_FIELDS, lambda r, name, schema, kind, ctx: ctx.company()),
    (lambda n: n.flat in ("username", "login", "handle"), lambda r, name, schema, kind, ctx: _username(r, ctx)),
    (lambda n: n.has(*_LINK_WORDS) or n.fmt in ("uri", "url", "iri"),
     lambda r, name, schema, kind, ctx: r.url(name, ctx)),
    (lambda n: n.last == "domain", lambda r, name, schema, kind, ctx: ctx.domain()),
    (lambda n: n.has("color", "colour"), lambda r, name, schema, kind, ctx: r.color()),
    (lambda n: n.has("currency"), lambda r, name, schema, kind, ctx: r.rng.choice(CURRENCIES)),
    (lambda n: n.has("tags") or n.last == "tag", lambda r, name, schema, kind, ctx: _tags(r)),
    (lambda n: n.has("country"), lambda r, name, schema, kind, ctx: r.country(name, schema)),
    (lambda n: n.has(*_ADDRESS_WORDS), lambda r, name, schema, kind, ctx: str(r.address.address())),
    (lambda n: n.has("city", "town"), lambda r, name, schema, kind, ctx: str(r.address.city())),
    (lambda n: n.has("state", "province", "region", "county") and len(n.words) <= 2,
     lambda r, name, schema, kind, ctx: str(r.address.state())),
    (lambda n: n.has("zip", "zipcode", "postal", "postcode"),
     lambda r, name, schema, kind, ctx: str(r.address.zip_code())),
    (lambda n: n.flat in ("jobtitle", "position", "occupation") or (n.last == "title" and n.has("job")),
     lambda r, name, schema, kind, ctx: r.job_title()),
    (lambda n: n.last in ("title", "subject", "summary") and len(n.words) <= 2,
     lambda r, name, schema, kind, ctx: r.title(name, ctx)),
    (lambda n: n.last == "reason", lambda r, name, schema, kind, ctx: r.rng.choice(REASONS)),
    (lambda n: n.has("source", "industry", "stage", "pipeline"),
     lambda r, name, schema, kind, ctx: r.label(name, ctx)),
    (lambda n: n.last == "name" or n.flat.endswith("name"),
     lambda r, name, schema, kind, ctx: r.person_name(name, ctx)),
    (lambda n: n.last in _NOTE_WORDS, lambda r, name, schema, kind, ctx: r.note(ctx, 1)),
    (lambda n: "tax" in n.flat and (n.last in ("number", "id", "no") or n.flat.endswith("number")),
     lambda r, name, schema, kind, ctx: _tax_number(r)),
    (lambda n: n.last in ("number", "no", "ref", "reference") and len(n.words) >= 2
     and n.words[0] not in ("phone", "tax"),
     lambda r, name, schema, kind, ctx: _code(r, name)),
    (lambda n: n.last == "id" and len(n.words) >= 2,  # tenant_id, external_id: an id-looking string
     lambda r, name, schema, kind, ctx: f"{tokens(name)[-2]}_{r.rng.randint(1, 999):03d}"),
    (lambda n: n.last in ("sku", "code") and len(n.words) <= 2, lambda r, name, schema, kind, ctx: _sku(r)),
    (lambda n: n.last == "role", lambda r, name, schema, kind, ctx: r.rng.choice(ROLES)),
    (lambda n: n.has("password", "secret"),
     lambda r, name, schema, kind, ctx: "".join(r.rng.choice(PREFERRED) for _ in range(16))),
)

_MONEY_WORDS = ("value", "amount", "price", "cost", "budget", "revenue", "total", "subtotal", "lifetime",
                "balance", "fee", "discount")


def _money(r: Realistic, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext) -> Any:
    return typed_number(r.money(name, ctx), kind)


def _percent(r: Realistic, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext) -> Any:
    return r.percent(name, schema, kind)


# (test, maker) for a number or integer property, after the `*_type: percentage` rule (see number_rule)
NUMBER_RULES: tuple[tuple[Callable[[Name], bool], Maker], ...] = (
    (lambda n: n.last in _MONEY_WORDS or (n.last in ("usd", "eur", "gbp") and len(n.words) >= 2), _money),
    (lambda n: n.has("probability", "percent", "percentage", "score", "likelihood", "rate"), _percent),
    (lambda n: n.last == "count" or n.words[0] in ("num", "number") or n.last.endswith("count"),
     lambda r, name, schema, kind, ctx: r.rng.randint(0, 25)),
    (lambda n: n.last in ("qty", "quantity", "seats", "licenses"),
     lambda r, name, schema, kind, ctx: r.rng.randint(1, 20)),
    (lambda n: n.last in ("order", "position", "rank", "sequence", "sort") or n.flat.endswith("order"),
     lambda r, name, schema, kind, ctx: ctx.index + 1),
    (lambda n: n.last in ("id", "ids") or n.flat.endswith("id"),
     lambda r, name, schema, kind, ctx: r.rng.randint(1, 500)),
    (lambda n: n.last == "year",
     lambda r, name, schema, kind, ctx: r.sources.today.year - r.rng.randint(0, 5)),
    (lambda n: n.last in ("duration", "minutes"),
     lambda r, name, schema, kind, ctx: r.rng.choice((15, 30, 45, 60, 90))),
    (lambda n: n.last == "age", lambda r, name, schema, kind, ctx: r.rng.randint(21, 70)),
)


def _first(rules: tuple[tuple[Callable[[Name], bool], Maker], ...], name: Name) -> Maker | None:
    return next((maker for test, maker in rules if test(name)), None)


def string_rule(words: tuple[str, ...], fmt: Any) -> Maker | None:
    return _first(STRING_RULES, Name(words, fmt)) if words else None


def number_rule(words: tuple[str, ...], kind: str) -> Maker | None:
    """The rule of a number: `*_currency` is a currency's number; `discount_value` beside a `discount_type`
    of "percentage" is a percentage (the record decides: it is read for each record); then the table; a
    plural integer (`total_interactions`, `page_views`) is a count."""
    if not words:
        return None
    name = Name(words)
    if name.last == "currency":
        return lambda r, field, schema, kind, ctx: r.rng.randint(1, 3)
    named = _first(NUMBER_RULES, name)
    if named is None and name.last.endswith("s") and len(words) >= 2 and kind == "integer":
        named = _count
    if len(words) < 2:
        return named
    kind_field = "_".join([*words[:-1], "type"])
    return _percentage_of(kind_field, named)


def _count(r: Realistic, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext) -> Any:
    return r.rng.randint(0, 60)


def _percentage_of(kind_field: str, otherwise: Maker | None) -> Maker:
    def maker(r: Realistic, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext) -> Any:
        if str(ctx.values.get(kind_field, "")).lower() in PERCENT_KINDS:
            return r.percent(name, schema, kind)  # `discount_value` of a `discount_type: percentage`
        return otherwise(r, name, schema, kind, ctx) if otherwise is not None else MISS

    return maker


def boolean_rule(words: tuple[str, ...]) -> Maker | None:
    """`is_active`, `has_verified`: mostly true."""
    if words and words[0] in ("is", "has") and words[-1] in ("active", "enabled", "visible", "verified"):
        return lambda r, name, schema, kind, ctx: r.rng.random() < 0.85
    return None


def _dated(shape: str, ahead: str) -> Maker:
    def maker(r: Realistic, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext) -> Any:
        return r.dates.temporal(name, schema, kind, ctx, ahead, shape)

    return maker


# the `x-faker` hints a document may give a property
HINTS: dict[str, Maker] = {
    "person.name": lambda r, name, schema, kind, ctx: r.someone(name, ctx),
    "person.first_name": lambda r, name, schema, kind, ctx: ctx.person()[0],
    "person.last_name": lambda r, name, schema, kind, ctx: ctx.person()[1],
    "person.email": lambda r, name, schema, kind, ctx: ctx.email(),
    "person.phone": lambda r, name, schema, kind, ctx: str(r.person.phone_number()),
    "person.title": lambda r, name, schema, kind, ctx: r.job_title(),
    "company.name": lambda r, name, schema, kind, ctx: ctx.company(),
    "company.domain": lambda r, name, schema, kind, ctx: ctx.domain(),
    "address.street": lambda r, name, schema, kind, ctx: str(r.address.address()),
    "address.city": lambda r, name, schema, kind, ctx: str(r.address.city()),
    "address.state": lambda r, name, schema, kind, ctx: str(r.address.state()),
    "address.zip": lambda r, name, schema, kind, ctx: str(r.address.zip_code()),
    "address.country": lambda r, name, schema, kind, ctx: r.country(name, schema),
    "text.word": lambda r, name, schema, kind, ctx: r.label(name, ctx),
    "text.sentence": lambda r, name, schema, kind, ctx: r.sentence(name, ctx),
    "text.paragraph": lambda r, name, schema, kind, ctx: r.note(ctx, r.rng.randint(2, 3)),
    "deal.name": lambda r, name, schema, kind, ctx: r.deal_name(ctx),
    "money": _money,
    "percent": _percent,
    "date.future": _dated("date", "future"),
    "date.past": _dated("date", "past"),
    "datetime.past": _dated("date-time", "past"),
    "datetime.future": _dated("date-time", "future"),
    "url": lambda r, name, schema, kind, ctx: r.url(name, ctx),
    "color.hex": lambda r, name, schema, kind, ctx: r.color(),
    "tags.csv": lambda r, name, schema, kind, ctx: _tags(r),
    "currency": lambda r, name, schema, kind, ctx: r.rng.choice(CURRENCIES),
}
