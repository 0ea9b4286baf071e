"""Realistic, deterministic fake records and values, driven by the documents' JSON schemas.

A value comes from, in this order: the property's `x-faker` hint, the property's name (and the kind of
record it sits in: a person, a company, a deal, a task, a label such as a stage or a tag), and finally
the JSON schema itself (enum, const, type, format, pattern, bounds). Whatever the first two produce is
kept only when it fits the schema, so every value validates.

Everything random comes from one `random.Random(seed)` and mimesis providers seeded from it: the same
seed and the same sequence of calls give identical data. The global `random` is never used, and no
choice ever iterates a set (string hashing differs between processes).
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import random
import re
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from mimesis import Address, Finance, Person, Text
from mimesis.locales import Locale

from crmspec import dotted
from crmspec.model import Reference, Resource
from mock_server.histories import Histories, ancestor_created, counterpart, parse_moment, stamp
from mock_server.wording import (
    END_WORDS,
    STATE_ALIASES,
    STATES,
    enum_states,
    flag_state,
    label_states,
    states,
    tokens,
)

Pick = Callable[[str], dict[str, Any] | None]


class _Missing:
    """No value from this rule: try the next one."""


MISS: Any = _Missing()
_MAX_DEPTH = 6

PRODUCTS = (
    "Analytics", "Cloud", "CRM", "Platform", "Security", "Support", "Data Warehouse", "Payroll",
    "Marketing Suite", "Integration", "Enterprise", "Helpdesk", "Billing", "Mobile", "Compliance",
)
DEAL_KINDS = ("License", "Renewal", "Expansion", "Pilot")
COMPANY_SUFFIXES = (
    "Group", "Labs", "Industries", "Partners", "Systems", "Holdings", "Solutions", "Technologies",
    "Logistics", "Consulting", "Ventures", "Networks", "Analytics", "Manufacturing", "Health",
)
COMPANY_WORDS = (
    "Northwind", "Bluebird", "Summit", "Evergreen", "Brightline", "Ironwood", "Silverline", "Redwood",
    "Harbor", "Pinnacle", "Crescent", "Atlas", "Nimbus", "Vertex", "Cobalt", "Meridian", "Keystone",
    "Lakeside", "Granite", "Beacon", "Horizon", "Riverbend", "Sterling", "Oakridge",
)
TLDS = (".com", ".io", ".co", ".net")
JOB_TITLES = (
    "Head of Sales", "VP of Marketing", "Chief Technology Officer", "Procurement Manager",
    "Operations Director", "Account Executive", "Chief Financial Officer", "IT Manager",
    "Product Manager", "Customer Success Lead", "Office Manager", "Sales Development Representative",
    "Director of Engineering", "Purchasing Agent", "Marketing Coordinator", "General Counsel",
)
TASKS = (
    "Call {first} about the {product} proposal",
    "Send {product} pricing to {company}",
    "Follow up with {first} {last}",
    "Schedule a demo with {company}",
    "Prepare renewal quote for {company}",
    "Review contract terms with {first}",
    "Email {first} the onboarding checklist",
    "Book kickoff meeting with {company}",
    "Confirm budget with {first}",
    "Share {product} case study with {company}",
)
NOTES = (
    "Discussed {product} pricing with {first}.",
    "{company} is evaluating {n} seats for the {product} rollout.",
    "Needs sign-off from the finance team before the end of the quarter.",
    "Met {first} at the regional trade show.",
    "Asked for a follow-up call next week.",
    "Prefers email over phone.",
    "Budget approved for Q{q}.",
    "Legal review of the MSA is in progress.",
    "Interested in the {product} add-on.",
    "Sent the security questionnaire to {first}.",
    "Decision expected within {n} days.",
    "Current vendor contract ends in {month}.",
)
REASONS = (
    "Chose a competitor with lower pricing.", "Budget was cut.", "No decision maker engaged.",
    "Project postponed to next year.", "Missing a required integration.", "Went with an in-house solution.",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
COUNTRIES = (
    ("United States", "US"), ("United Kingdom", "GB"), ("Germany", "DE"), ("France", "FR"),
    ("Canada", "CA"), ("Australia", "AU"), ("Netherlands", "NL"), ("Spain", "ES"), ("Ireland", "IE"),
    ("Sweden", "SE"),
)
CURRENCIES = ("USD", "EUR", "GBP")
TAGS = ("vip", "enterprise", "smb", "partner", "inbound", "outbound", "priority", "renewal",
        "trial", "newsletter", "referral", "hot")
STAGES = ("Lead", "Qualified", "Demo Scheduled", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
PIPELINES = ("Sales Pipeline", "Enterprise", "Renewals", "Partnerships", "Inbound")
ACTIVITY_TYPES = ("Call", "Meeting", "Email", "Task", "Deadline", "Lunch")
SOURCES = ("Referral", "Website", "Cold call", "Trade show", "Partner", "Email campaign", "LinkedIn")
INDUSTRIES = ("Software", "Healthcare", "Manufacturing", "Retail", "Financial Services", "Education",
              "Logistics", "Construction", "Media", "Energy")
UNITS = ("seat", "license", "hour", "user", "month", "unit")
TAX_LABELS = ("VAT", "Sales tax", "GST", "No tax")
ROLES = ("admin", "manager", "sales_rep", "user")
DOCUMENT_TITLES = {
    "contract": ("Master Services Agreement", "Subscription Agreement", "Order Form", "Renewal Agreement"),
    "quote": ("Quote", "Proposal", "Pricing Proposal"),
    "invoice": ("Invoice",),
    "proposal": ("Proposal",),
}
COMPANY_FIELDS = ("company", "companyname", "organization", "organisation", "organizationname",
                  "accountname", "employer", "business", "businessname")
PERCENT_KINDS = ("percentage", "percent")
MAIL_BOXES = ("info", "sales", "contact", "hello", "office")

# Resource kinds, by words of the resource name or schema title (first match wins).
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("label", ("type", "stage", "pipeline", "tag", "categor", "status", "label", "source", "industr",
               "currenc", "product", "countr", "role", "field", "team")),
    ("company", ("compan", "organi", "account", "business", "firm", "vendor", "customer")),
    ("deal", ("deal", "opportunit")),
    ("task", ("task", "activit", "event", "meeting", "todo", "reminder", "appointment", "call")),
    ("note", ("note", "comment")),
    ("document", ("contract", "quote", "invoice", "proposal", "agreement", "estimate")),
    ("person", ("contact", "user", "person", "people", "lead", "member", "owner", "employee", "agent",
                "assignee", "creator", "author")),
)

DATE_WORDS = ("date", "day", "birthday", "dob")


def kind_of(*texts: str) -> str:
    """person | company | deal | task | note | label | other, from a resource name, a title, a field."""
    last = tokens(texts[0])[-1:] if texts and texts[0] else []
    for text in (" ".join(last), " ".join(texts).lower()):  # `deal_tasks` are tasks, not deals
        for kind, words in KIND_WORDS:
            if text and any(word in text for word in words):
                return kind
    return "other"


def types_of(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    return []


def slug(text: str, separator: str = "") -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return separator.join(words)


def _plural(word: str) -> str:
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def _schema_at(schema: Mapping[str, Any], dotted: str) -> dict[str, Any] | None:
    node: Any = schema
    for part in dotted.split("."):
        node = _object_branch(node)
        node = (node.get("properties") or {}).get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return dict(node)


def _object_branch(schema: Any) -> Any:
    """The object branch of `anyOf: [object, null]`, or the schema itself."""
    if isinstance(schema, Mapping) and "properties" not in schema:
        for key in ("anyOf", "oneOf"):
            for branch in schema.get(key) or ():
                if isinstance(branch, Mapping) and ("properties" in branch or "object" in types_of(branch)):
                    return branch
    return schema


def nullable(schema: Mapping[str, Any] | None) -> bool:
    if not schema:
        return False
    if "null" in types_of(schema) or schema.get("nullable") is True:
        return True
    if None in (schema.get("enum") or ()):
        return True
    return any(
        isinstance(b, Mapping) and nullable(b) for key in ("anyOf", "oneOf") for b in schema.get(key) or ()
    )


def _get(record: Mapping[str, Any], path: str) -> Any:
    return dotted.get(record, path)


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    dotted.put(record, path, value)


def _remove(record: dict[str, Any], dotted: str) -> None:
    parts = dotted.split(".")
    node: Any = record
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(parts[-1], None)


# --- a small generator of strings that match a regular expression ---------------------------------

_PRINTABLE = [chr(c) for c in range(32, 127)]
_PREFERRED = string.ascii_letters + string.digits


def _category(ch: str, category: str) -> bool:
    name = category.removeprefix("CATEGORY_")
    negate = name.startswith("NOT_")
    name = name.removeprefix("NOT_")
    if name == "DIGIT":
        hit = ch in string.digits
    elif name == "SPACE":
        hit = ch in " \t\n\r\f\v"
    elif name == "WORD":
        hit = ch in _PREFERRED or ch == "_"
    else:
        hit = False
    return hit != negate


def _in_set(ch: str, items: list[Any]) -> bool:
    negate, hit = False, False
    for op, av in items:
        kind = str(op)
        if kind == "NEGATE":
            negate = True
        elif kind == "LITERAL":
            hit = hit or ord(ch) == av
        elif kind == "RANGE":
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif kind == "CATEGORY":
            hit = hit or _category(ch, str(av))
    return hit != negate


def _emit(items: Any, rng: random.Random, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, av in items:
        kind = str(op)
        if kind == "LITERAL":
            out.append(chr(av))
        elif kind == "NOT_LITERAL":
            out.append(rng.choice([c for c in _PREFERRED if ord(c) != av]))
        elif kind == "ANY":
            out.append(rng.choice(_PREFERRED))
        elif kind == "IN":
            allowed = [c for c in _PRINTABLE if _in_set(c, av)]
            nice = [c for c in allowed if c in _PREFERRED] or allowed
            out.append(rng.choice(nice) if nice else "")
        elif kind == "CATEGORY":
            out.append(rng.choice([c for c in _PRINTABLE if _category(c, str(av))]))
        elif kind == "BRANCH":
            out.append(_emit(rng.choice(av[1]), rng, groups))
        elif kind == "SUBPATTERN":
            text = _emit(av[-1], rng, groups)
            if av[0] is not None:
                groups[av[0]] = text
            out.append(text)
        elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, inner = av
            high = min(int(high), low + 3)
            out.extend(_emit(inner, rng, groups) for _ in range(rng.randint(low, high)))
        elif kind == "GROUPREF":
            out.append(groups.get(av, ""))
        elif kind == "ATOMIC_GROUP":
            out.append(_emit(av, rng, groups))
        # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit
    return "".join(out)


def regex_sample(pattern: str, rng: random.Random) -> str | None:
    """A string that `re.search(pattern, ...)` accepts, or None when this generator cannot make one."""
    try:
        parsed = importlib.import_module("re._parser").parse(pattern)
    except Exception:  # an exotic pattern the parser rejects: let the caller fall back
        return None
    for _ in range(20):
        text = _emit(parsed, rng, {})
        if re.search(pattern, text):
            return text
    return None


# --- per-record context -----------------------------------------------------------------------------


class _Context:
    """What one record (or one nested object) has generated so far, so its fields agree: the person's
    name, email and display name; the company's name, domain and website; created <= updated."""

    def __init__(self, fake: FakeData, kind: str, index: int, unique: bool, parent: _Context | None = None):
        self.fake = fake
        self.kind = kind
        self.index = index
        self.unique = unique  # False: value() calls, where no index makes emails unique
        self.parent = parent
        self.values: dict[str, Any] = {}
        self.moments: dict[str, dt.datetime] = {}
        self._person: tuple[str, str] | None = None
        self._company: str | None = None
        self._product: str | None = None
        self._suffix: str | None = None
        self.label_hint = ""  # the resource or property this context generates (picks label pools)
        self._shared: _Context | None = None

    def child(self, kind: str, label_hint: str = "") -> _Context:
        """The context of a nested object. One that is not an entity of its own (`address`, `social`,
        `engagement`, a phone) describes this record: it shares its kind, person and company."""
        shared = kind == "other"
        child = _Context(self.fake, self.kind if shared else kind, self.index, self.unique, self)
        child.label_hint = label_hint
        child._shared = self if shared else None
        if kind == "company" and self._company:
            child._company = self._company
        return child

    def ancestors_moments(self) -> list[dict[str, dt.datetime]]:
        """The moments generated by each enclosing object, nearest first."""
        found = []
        node = self.parent
        while node is not None:
            found.append(node.moments)
            node = node.parent
        return found

    def person(self) -> tuple[str, str]:
        if self._shared is not None:
            return self._shared.person()
        if self._person is None:
            first = str(self.values.get("first_name") or self.fake.person.first_name())
            last = str(self.values.get("last_name") or self.fake.person.last_name())
            self._person = (first, last)
        return self._person

    def full_name(self) -> str:
        first, last = self.person()
        return f"{first} {last}"

    def company(self) -> str:
        if self._shared is not None:
            return self._shared.company()
        if self._company is None:
            self._company = self.fake.company_name()
        return self._company

    def learn_company(self, name: Any) -> None:
        if isinstance(name, str) and name and self._company is None:
            self._company = name

    def product(self) -> str:
        if self._shared is not None:
            return self._shared.product()
        if self._product is None:
            self._product = self.fake.rng.choice(PRODUCTS)
        return self._product

    def domain(self) -> str:
        return self.fake.domain_of(self.company())

    def suffix(self) -> str:
        if self._shared is not None:
            return self._shared.suffix()
        if self._suffix is None:
            if self.unique:
                self._suffix = str(self.index) if self.index else ""
            else:
                self._suffix = str(self.fake.rng.randint(1, 999))
        return self._suffix

    def email(self) -> str:
        if self.kind == "company":
            return f"{self.fake.rng.choice(MAIL_BOXES)}{self.suffix()}@{self.domain()}"
        first, last = self.person()
        return f"{slug(first)}.{slug(last)}{self.suffix()}@{self.domain()}"

    def words(self) -> dict[str, Any]:
        first, last = self.person()
        rng = self.fake.rng
        return {
            "first": first,
            "last": last,
            "company": self.company(),
            "product": self.product(),
            "n": rng.choice((5, 10, 14, 25, 30, 50, 120)),
            "q": rng.randint(1, 4),
            "month": rng.choice(MONTHS),
        }


class FakeData:
    """Fake records for the resources of a document, and fake values for request bodies."""

    def __init__(
        self,
        seed: int,
        today: dt.date | None = None,
        id_fields: Mapping[str, str] | None = None,
        null_rate: float = 0.05,
    ) -> None:
        self.seed = seed
        self.today = today or dt.datetime.now(dt.UTC).date()  # one calendar for dates and UTC timestamps
        self.id_fields = dict(id_fields or {})
        self.null_rate = null_rate
        self.rng = random.Random(seed)
        seeds = [self.rng.randrange(1 << 31) for _ in range(4)]
        self.person = Person(Locale.EN, seed=seeds[0])
        self.address = Address(Locale.EN, seed=seeds[1])
        self.finance = Finance(Locale.EN, seed=seeds[2])
        self.text = Text(Locale.EN, seed=seeds[3])
        self._now = dt.datetime.combine(self.today, dt.time(0), tzinfo=dt.UTC)
        self.histories = Histories(self.rng, self._now)
        self._validators: dict[int, tuple[Any, Any]] = {}
        self._branches: dict[tuple[int, int], tuple[Any, dict[str, Any]]] = {}
        self._pick: Pick | None = None  # during record(): resolves `tag_ids`-like fields too

    # --- the interface ---------------------------------------------------------------------------

    def record(self, resource: Resource, pick: Pick, index: int = 0) -> dict[str, Any]:
        """A new record for `resource` without its id field; references point at records `pick` returns."""
        schema = self._merge_all_of(resource.schema)
        title = str(schema.get("title") or "")
        ctx = _Context(self, kind_of(resource.name, resource.schema_name, title), index, unique=True)
        ctx.label_hint = resource.name
        properties: dict[str, Any] = schema.get("properties") or {}
        required = list(schema.get("required") or ())

        references = list(resource.references)
        if resource.parent and all(r.field != resource.parent.field for r in references):
            references.append(Reference(resource.parent.field, resource.parent.resource, {}))
        assigned: dict[str, Any] = {}
        known: dict[str, bool] = {}  # states the labels it references put it in
        cleared: list[str] = []  # references whose target does not exist
        unnamed: list[str] = []  # the display names they would have copied
        for reference in references:
            target = pick(reference.resource)
            if target is None:
                cleared.append(reference.field)
                unnamed.extend(reference.names)
                continue
            id_field = self.id_fields.get(reference.resource, "id")
            assigned[reference.field] = target.get(id_field, target.get("id"))
            for field, source in reference.names.items():
                assigned[field] = _get(target, source)
            if kind_of(reference.resource) == "label":  # a deal in the stage "Closed" is closed
                for state, on in label_states(_get(target, "name")).items():
                    known[state] = known.get(state, False) or on
            if kind_of(reference.resource) == "company":
                ctx.learn_company(_get(target, "name") or _get(target, "company_name"))

        top_assigned = {f: v for f, v in assigned.items() if "." not in f}
        for field, value in top_assigned.items():
            ctx.values[field] = value
            if "".join(tokens(field)) in COMPANY_FIELDS:
                ctx.learn_company(value)
        skip = {resource.id_field, *top_assigned, *(f for f in cleared if "." not in f)}
        containers = [f.split(".")[0] for f in assigned if "." in f]  # never null: a reference goes inside
        self._pick = pick
        try:
            record = self._object_values(properties, [*required, *containers], ctx, 0, omit="", skip=skip)
        finally:
            self._pick = None

        for field, value in assigned.items():
            if "." in field or field in properties or schema.get("additionalProperties", True) is not False:
                _set(record, field, value)
        for field in cleared:
            self._clear(record, schema, field)
        for field in unnamed:  # a display name without its record: null, else left out unless required
            sub = _schema_at(schema, field)
            if sub is not None and nullable(sub):
                _set(record, field, None)
            elif "." in field or field not in required:
                _remove(record, field)
        active = self._agree_with_status(record, properties, required, ctx.kind, known)
        self._moments_of_states(record, properties, active, ctx, 0)
        self.histories.settle(record, active)
        return {name: record[name] for name in [*properties, *record] if name in record}

    def settle(self, resource: Resource, record: dict[str, Any], lookup: Callable[[str, Any], Any]) -> None:
        """Put the dates of `record` in order again after the API's own write rules changed its state (a
        YSUITE deal moved to its pipeline's first stage is no longer closed). `lookup(resource, id)` finds
        the labels it references."""
        properties = self._merge_all_of(resource.schema).get("properties") or {}
        known: dict[str, bool] = {}
        for reference in resource.references:
            target_id = _get(record, reference.field)
            if kind_of(reference.resource) == "label" and target_id is not None:
                target = lookup(reference.resource, target_id)
                for state, on in label_states(_get(target, "name") if isinstance(target, Mapping) else None).items():
                    known[state] = known.get(state, False) or on
        self.histories.settle(record, states(record, properties, known))

    def value(self, name: str, schema: dict[str, Any], *, request: bool = False) -> Any:
        """One fake value for a property `name` with JSON schema `schema`. Objects leave out the optional
        properties their direction never carries: `writeOnly` ones in a response (the default),
        `readOnly` ones in a request body (`request=True`)."""
        title = str(schema.get("title") or "")
        ctx = _Context(self, kind_of(name, title), 0, unique=False)
        ctx.label_hint = name
        return self._generate(name, schema, ctx, 0, True, "readOnly" if request else "writeOnly")

    # --- realistic building blocks ---------------------------------------------------------------

    def company_name(self) -> str:
        roll = self.rng.random()
        if roll < 0.25:
            return str(self.finance.company())
        if roll < 0.6:
            return f"{self.person.last_name()} {self.rng.choice(COMPANY_SUFFIXES)}"
        if roll < 0.7:
            return f"{self.person.last_name()} & {self.person.last_name()}"
        return f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_SUFFIXES)}"

    def domain_of(self, company: str) -> str:
        core = re.sub(r",?\s+(inc|llc|ltd|plc|gmbh|corp|co|group|holdings)\.?$", "", company, flags=re.I)
        name = slug(core, "-")[:40].strip("-") or "example"
        tld = TLDS[sum(map(ord, company)) % len(TLDS)]  # stable per company, no rng draw
        return name + tld

    def deal_name(self, ctx: _Context) -> str:
        company = re.sub(r",?\s+(Inc|LLC|Ltd|Corp)\.?$", "", ctx.company())
        return f"{company} {ctx.product()} {self.rng.choice(DEAL_KINDS)}"

    def task_title(self, ctx: _Context) -> str:
        return self.rng.choice(TASKS).format(**ctx.words())

    def note(self, ctx: _Context, sentences: int = 1) -> str:
        chosen = self.rng.sample(NOTES, sentences)
        return " ".join(s.format(**ctx.words()) for s in chosen)

    def job_title(self) -> str:
        if self.rng.random() < 0.75:
            return self.rng.choice(JOB_TITLES)
        return str(self.person.occupation())

    def money(self, name: str, ctx: _Context) -> float:
        words = tokens(name)
        if any(w in words for w in ("unit", "price")) and "total" not in words:
            low, high = 10.0, 5000.0
        elif "lifetime" in words:
            low, high = 500.0, 500000.0
        elif "revenue" in words:
            low, high = 100000.0, 50000000.0
        elif any(w in words for w in ("discount", "tax")):
            low, high = 0.0, 2500.0
        elif ctx.kind == "deal" or "deal" in words:
            low, high = 1000.0, 250000.0
        else:
            low, high = 100.0, 50000.0
        amount = self.rng.uniform(low, high)
        step = 50 if high > 20000 else 1
        amount = round(amount / step) * step + self.rng.choice((0, 0, 0, 0.5, 0.99))
        return round(min(max(amount, low), high), 2)

    def label(self, name: str, ctx: _Context) -> str:
        text = f"{name} {' '.join(self._ctx_names(ctx))}".lower()
        pools = (
            ("stage", STAGES), ("pipeline", PIPELINES), ("type", ACTIVITY_TYPES), ("tag", TAGS),
            ("source", SOURCES), ("industr", INDUSTRIES), ("unit", UNITS), ("tax", TAX_LABELS),
            ("currenc", CURRENCIES), ("product", PRODUCTS), ("item", PRODUCTS), ("role", ROLES),
        )
        for word, pool in pools:
            if word in text:
                return self.rng.choice(pool)
        return str(self.text.word()).capitalize()

    @staticmethod
    def _ctx_names(ctx: _Context) -> list[str]:
        names = []
        node: _Context | None = ctx
        while node is not None:
            names.append(node.label_hint)
            node = node.parent
        return names

    # --- dates and times -------------------------------------------------------------------------

    def _date(self, name: str, direction: str | None) -> dt.date:
        words = tokens(name)
        if direction is None:
            direction = _direction(words)
        if "due" in words and direction == "future":
            days = self.rng.randint(0, 30)
        elif direction == "future":
            days = self.rng.randint(1, 180)
        elif direction == "past":
            days = -self.rng.randint(1, 365)
        elif "birth" in words or "birthday" in words:
            days = -self.rng.randint(20 * 365, 65 * 365)
        else:
            days = self.rng.randint(-365, 180)
        return self.today + dt.timedelta(days=days)

    def _moment(self, name: str, direction: str | None, ctx: _Context) -> dt.datetime:
        words = tokens(name)
        start = counterpart(name, ctx.moments)
        if start is not None:
            return start + dt.timedelta(minutes=self.rng.choice((30, 45, 60, 90, 120, 240)))
        created = next((m for key, m in ctx.moments.items() if "created" in tokens(key)), None)
        if any(w in words for w in ("updated", "modified", "changed")) and created is not None:
            span = max(0, int((self._now - created).total_seconds()))
            return created + dt.timedelta(seconds=self.rng.randint(0, span))
        day = self._date(name, direction or _direction(words) or "past")
        seconds = self.rng.randint(8 * 3600, 18 * 3600)
        return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)

    def _time(self, name: str, ctx: _Context) -> dt.time:
        start = counterpart(name, ctx.moments)
        if start is not None:
            later = start + dt.timedelta(minutes=self.rng.choice((30, 45, 60, 90)))
            return later.time() if later.date() == start.date() else dt.time(23, 45)
        return dt.time(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))

    # --- generation --------------------------------------------------------------------------------

    def _generate(
        self, name: str, schema: Mapping[str, Any], ctx: _Context, depth: int, required: bool, omit: str
    ) -> Any:
        schema = self._merge_all_of(schema)
        if "const" in schema:
            return schema["const"]
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self._choose_branch(name, schema, key, ctx, depth, required, omit)
        enum = schema.get("enum")
        if enum:
            options = [v for v in enum if v is not None] or list(enum)
            if None in enum and not required and self.rng.random() < self.null_rate:
                return None
            return self.rng.choice(options)
        kinds = types_of(schema)
        concrete = [k for k in kinds if k != "null"]
        if kinds and not concrete:
            return None
        if "null" in kinds and not required and self.rng.random() < self.null_rate and not _identity(name):
            return None
        kind = concrete[0] if concrete else _infer_type(schema)
        if kind == "object":
            properties = schema.get("properties") or {}
            if depth >= _MAX_DEPTH:
                return {}
            child = ctx.child(kind_of(name, str(schema.get("title") or "")), name)
            needed = list(schema.get("required") or ())
            obj = self._object_values(properties, needed, child, depth + 1, omit)
            active = self._agree_with_status(obj, properties, needed, child.kind)
            self._moments_of_states(obj, properties, active, child, depth + 1)
            self.histories.settle(obj, active, ancestor_created(child.ancestors_moments()))
            return obj
        if kind == "array":
            return self._array(name, schema, ctx, depth, omit)
        if kind == "string" and tokens(name) in (["display", "name"], ["full", "name"]):
            own = next((ctx.values[k] for k in ("name", "title") if isinstance(ctx.values.get(k), str)), None)
            fitted = self._fit(own, schema, kind) if own else MISS
            if fitted is not MISS and self._valid(fitted, schema):
                return fitted
        if kind in ("integer", "string"):
            referenced = self._guess_reference(name)
            if referenced is not None and self._pick is not None:
                picked = self._picked_id(referenced, schema)
                if picked is not MISS:
                    return picked
                if "null" in kinds:
                    return None
        hint = schema.get("x-faker")
        if isinstance(hint, str):
            value = self._fit(self._hinted(hint, name, schema, kind, ctx), schema, kind)
            if value is not MISS and self._valid(value, schema):
                return self._remember(name, value, ctx)
        value = self._fit(self._named(name, schema, kind, ctx), schema, kind)
        if value is not MISS and self._valid(value, schema):
            return self._remember(name, value, ctx)
        return self._remember(name, self._from_schema(name, schema, kind, ctx), ctx)

    def _object_values(
        self,
        properties: Mapping[str, Any],
        required: list[str],
        ctx: _Context,
        depth: int,
        omit: str,
        skip: set[str] | frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for prop in sorted(properties, key=_order):
            sub = properties[prop]
            if prop in skip or not isinstance(sub, Mapping):
                continue
            if omit and sub.get(omit) and prop not in required:
                continue
            values[prop] = self._generate(prop, sub, ctx, depth, prop in required, omit)
            ctx.values[prop] = values[prop]
        return {prop: values[prop] for prop in properties if prop in values}

    def _array(
        self, name: str, schema: Mapping[str, Any], ctx: _Context, depth: int, omit: str
    ) -> list[Any]:
        raw_items = schema.get("items")
        items: Mapping[str, Any] = raw_items if isinstance(raw_items, Mapping) else {}
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        if high <= 0:
            return []
        count = self.rng.randint(max(low, 1), max(low, 1, min(high, 3)))
        words = tokens(name)
        if schema.get("x-faker") == "tags.list" or ("tags" in words and "string" in types_of(items)):
            candidate = [self._fit(w, items, "string") for w in self.rng.sample(TAGS, min(count, len(TAGS)))]
            if all(c is not MISS for c in candidate) and self._valid(candidate, schema):
                return candidate
        referenced = self._guess_reference(name) if self._pick is not None else None
        singular = name[:-1] if name.endswith("s") else name

        def one() -> Any:
            child = ctx.child(kind_of(singular), singular)
            return self._generate(singular, items, child, depth + 1, True, omit)

        out: list[Any] = []
        for _ in range(count * 4):
            if len(out) >= count:
                break
            item: Any = MISS
            if referenced is not None and not items.get("properties"):
                item = self._picked_id(referenced, items)
            if item is MISS:
                item = one()
            if schema.get("uniqueItems") and item in out:
                continue
            out.append(item)
        while len(out) < low:  # unique items ran short: repeat-free padding is the schema's problem
            out.append(one())
        return out

    def _choose_branch(
        self,
        name: str,
        schema: Mapping[str, Any],
        key: str,
        ctx: _Context,
        depth: int,
        required: bool,
        omit: str,
    ) -> Any:
        if not required and nullable(schema) and self.rng.random() < self.null_rate and not _identity(name):
            return None
        branches = [(i, b) for i, b in enumerate(schema[key]) if isinstance(b, Mapping)]
        real = [(i, b) for i, b in branches if types_of(b) != ["null"] and b.get("const", 0) is not None]
        real = real or branches
        value: Any = None
        for _ in range(2):  # the first non-null branch is the usual one; the others when it does not fit
            for i, branch in real:
                value = self._generate(name, self._branch(schema, key, i, branch), ctx, depth, True, omit)
                if self._valid(value, schema):
                    return value
        return value

    def _branch(
        self, schema: Mapping[str, Any], key: str, index: int, branch: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`branch` with its parent's own keywords (x-faker, format, ...), built once per schema."""
        cached = self._branches.get((id(schema), index))
        if cached is None or cached[0] is not schema:
            outer = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "type", "enum")}
            cached = (schema, {**outer, **branch})
            if len(self._branches) > 4096:
                self._branches.clear()
            self._branches[(id(schema), index)] = cached
        return cached[1]

    def _guess_reference(self, name: str) -> str | None:
        """`tag_ids` -> "tags", `parent_company_id` -> "companies": a resource of the document."""
        words = tokens(name)
        if len(words) < 2 or words[-1] not in ("id", "ids"):
            return None
        for word in reversed(words[:-1]):
            for candidate in (_plural(word), word):
                if candidate in self.id_fields:
                    return candidate
        return None

    def _picked_id(self, resource: str, schema: Mapping[str, Any]) -> Any:
        if self._pick is None:
            return MISS
        target = self._pick(resource)
        if not isinstance(target, Mapping):
            return MISS
        value = target.get(self.id_fields.get(resource, "id"))
        return value if value is not None and self._valid(value, schema) else MISS

    def _remember(self, name: str, value: Any, ctx: _Context) -> Any:
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}|$)", value):
            moment = parse_moment(value)
            if moment is not None:
                ctx.moments[name] = moment
        elif isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value):
            hour, minute = int(value[:2]), int(value[3:5])
            ctx.moments[name] = dt.datetime.combine(self.today, dt.time(hour, minute), tzinfo=dt.UTC)
        return value

    # --- (a) x-faker hints -------------------------------------------------------------------------

    def _hinted(self, hint: str, name: str, schema: Mapping[str, Any], kind: str, ctx: _Context) -> Any:
        rng = self.rng
        if hint == "person.name":
            return self._someone(name, ctx)
        if hint == "person.first_name":
            return ctx.person()[0]
        if hint == "person.last_name":
            return ctx.person()[1]
        if hint == "person.email":
            return ctx.email()
        if hint == "person.phone":
            return str(self.person.phone_number())
        if hint == "person.title":
            return self.job_title()
        if hint == "company.name":
            return ctx.company()
        if hint == "company.domain":
            return ctx.domain()
        if hint == "address.street":
            return str(self.address.address())
        if hint == "address.city":
            return str(self.address.city())
        if hint == "address.state":
            return str(self.address.state())
        if hint == "address.zip":
            return str(self.address.zip_code())
        if hint == "address.country":
            return self._country(name, schema)
        if hint == "text.word":
            return self.label(name, ctx)
        if hint == "text.sentence":
            return self._sentence(name, ctx)
        if hint == "text.paragraph":
            return self.note(ctx, rng.randint(2, 3))
        if hint == "deal.name":
            return self.deal_name(ctx)
        if hint == "money":
            return self._typed_number(self.money(name, ctx), kind)
        if hint == "percent":
            return self._percent(name, schema, kind)
        if hint in ("date.future", "date.past", "datetime.past", "datetime.future"):
            shape, direction = hint.split(".")
            shape = "date" if shape == "date" else "date-time"
            return self._temporal(name, schema, kind, ctx, direction, shape)
        if hint == "url":
            return self._url(name, ctx)
        if hint == "color.hex":
            return f"#{rng.randrange(1 << 24):06x}"
        if hint == "tags.csv":
            return ",".join(rng.sample(TAGS, rng.randint(1, 3)))
        if hint == "currency":
            return rng.choice(CURRENCIES)
        return MISS

    # --- (b) property names ------------------------------------------------------------------------

    def _named(self, name: str, schema: Mapping[str, Any], kind: str, ctx: _Context) -> Any:
        words = tokens(name)
        flat = "".join(words)
        if not words:
            return MISS
        if kind == "string":
            return self._named_string(name, words, flat, schema, ctx)
        if kind in ("number", "integer"):
            return self._named_number(name, words, flat, schema, kind, ctx)
        if kind == "boolean":
            if words[0] in ("is", "has") and words[-1] in ("active", "enabled", "visible", "verified"):
                return self.rng.random() < 0.85
            return MISS
        return MISS

    def _named_string(
        self, name: str, words: list[str], flat: str, schema: Mapping[str, Any], ctx: _Context
    ) -> Any:
        rng = self.rng
        last = words[-1]
        fmt = schema.get("format")
        if fmt in ("date", "date-time", "time") or _temporal_name(words):
            return self._temporal(name, schema, "string", ctx, _direction(words))
        if last == "email" or flat.endswith("email") or flat.endswith("emailaddress"):
            return ctx.email()
        if flat.endswith(("firstname", "givenname")) or flat == "fname":
            return ctx.person()[0]
        if flat.endswith(("lastname", "surname", "familyname")) or flat == "lname":
            return ctx.person()[1]
        if any(w in words for w in ("phone", "mobile", "fax", "tel", "telephone")) or flat.endswith(
            ("phone", "mobile")
        ):
            return str(self.person.phone_number())
        if flat in COMPANY_FIELDS:
            return ctx.company()
        if flat in ("username", "login", "handle"):
            first, last_name = ctx.person()
            return f"{slug(first)}.{slug(last_name)}{ctx.suffix()}"
        if any(w in words for w in ("linkedin", "website", "url", "homepage", "twitter", "link")) or fmt in (
            "uri", "url", "iri"
        ):
            return self._url(name, ctx)
        if last == "domain":
            return ctx.domain()
        if any(w in words for w in ("color", "colour")):
            return f"#{rng.randrange(1 << 24):06x}"
        if "currency" in words:
            return rng.choice(CURRENCIES)
        if "tags" in words or last == "tag":
            return ",".join(rng.sample(TAGS, rng.randint(1, 3)))
        if "country" in words:
            return self._country(name, schema)
        if any(w in words for w in ("street", "address", "address1", "address2", "line1", "line2")):
            return str(self.address.address())
        if "city" in words or "town" in words:
            return str(self.address.city())
        if any(w in words for w in ("state", "province", "region", "county")) and len(words) <= 2:
            return str(self.address.state())
        if any(w in words for w in ("zip", "zipcode", "postal", "postcode")):
            return str(self.address.zip_code())
        if flat in ("jobtitle", "position", "occupation") or (last == "title" and "job" in words):
            return self.job_title()
        if last in ("title", "subject", "summary") and len(words) <= 2:
            return self._title(name, ctx)
        if last == "reason":
            return rng.choice(REASONS)
        if "source" in words or "industry" in words or "stage" in words or "pipeline" in words:
            return self.label(name, ctx)
        if last == "name" or flat.endswith("name"):
            return self._person_name(name, ctx)
        if last in ("notes", "note", "description", "content", "body", "comment", "comments", "details",
                    "message", "remarks", "memo", "text"):
            return self.note(ctx, 1)
        if "tax" in flat and (last in ("number", "id", "no") or flat.endswith("number")):
            return f"{rng.choice(('US', 'GB', 'DE', 'FR'))}{rng.randint(100000000, 999999999)}"
        if last in ("number", "no", "ref", "reference") and len(words) >= 2 and words[0] not in ("phone", "tax"):
            prefix = "".join(w[0] for w in words[:-1]).upper()
            return f"{prefix}-{self.today.year}-{rng.randint(1, 9999):04d}"
        if last == "id" and len(words) >= 2:  # tenant_id, external_id: an id-looking string
            return f"{words[-2]}_{rng.randint(1, 999):03d}"
        if last in ("sku", "code") and len(words) <= 2:
            letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
            return f"{letters}-{rng.randint(1000, 9999)}"
        if last in ("role",):
            return rng.choice(ROLES)
        if "password" in words or "secret" in words:
            return "".join(rng.choice(_PREFERRED) for _ in range(16))
        return MISS

    def _named_number(
        self, name: str, words: list[str], flat: str, schema: Mapping[str, Any], kind: str, ctx: _Context
    ) -> Any:
        rng = self.rng
        last = words[-1]
        if last == "currency":
            return rng.randint(1, 3)
        if len(words) >= 2 and str(ctx.values.get("_".join([*words[:-1], "type"]), "")).lower() in PERCENT_KINDS:
            return self._percent(name, schema, kind)  # `discount_value` of a `discount_type: percentage`
        money_words = ("value", "amount", "price", "cost", "budget", "revenue", "total", "subtotal",
                       "lifetime", "balance", "fee", "discount")
        if last in money_words or (last in ("usd", "eur", "gbp") and len(words) >= 2):
            return self._typed_number(self.money(name, ctx), kind)
        if any(w in words for w in ("probability", "percent", "percentage", "score", "likelihood", "rate")):
            return self._percent(name, schema, kind)
        if last == "count" or words[0] in ("num", "number") or last.endswith("count"):
            return rng.randint(0, 25)
        if last in ("qty", "quantity", "seats", "licenses"):
            return rng.randint(1, 20)
        if last in ("order", "position", "rank", "sequence", "sort") or flat.endswith("order"):
            return ctx.index + 1
        if last in ("id", "ids") or flat.endswith("id"):
            return rng.randint(1, 500)
        if last in ("year",):
            return self.today.year - rng.randint(0, 5)
        if last in ("duration", "minutes"):
            return rng.choice((15, 30, 45, 60, 90))
        if last == "age":
            return rng.randint(21, 70)
        if last.endswith("s") and len(words) >= 2 and kind == "integer":  # total_interactions, page_views
            return rng.randint(0, 60)
        return MISS

    def _person_name(self, name: str, ctx: _Context) -> str:
        words = tokens(name)
        prefix = [w for w in words[:-1] if w not in ("display", "full", "first", "last")]
        kind = kind_of(" ".join(prefix)) if prefix else "other"
        if kind == "other":
            kind = ctx.kind
        if kind == "company":
            return ctx.company() if not prefix or ctx.kind == "company" else self.company_name()
        if kind == "deal":
            return self.deal_name(ctx)
        if kind == "task":
            return self.task_title(ctx)
        if kind == "label":
            return self.label(" ".join(words) + " " + " ".join(self._ctx_names(ctx)), ctx)
        if kind == "note":
            return self.note(ctx, 1)
        if kind == "document":
            return self._document_title(ctx)
        if prefix and kind == "person":
            return f"{self.person.first_name()} {self.person.last_name()}"
        return ctx.full_name()

    def _someone(self, name: str, ctx: _Context) -> str:
        """The record's own person, or another one for `owner`, `assignee_name` or in a company."""
        words = [w for w in tokens(name) if w not in ("display", "full", "name", "first", "last")]
        if ctx.kind == "company" or (words and kind_of(" ".join(words)) == "person"):
            return f"{self.person.first_name()} {self.person.last_name()}"
        return ctx.full_name()

    def _document_title(self, ctx: _Context) -> str:
        text = " ".join(self._ctx_names(ctx)).lower()
        titles = next((t for word, t in DOCUMENT_TITLES.items() if word in text), DOCUMENT_TITLES["contract"])
        company = re.sub(r",?\s+(Inc|LLC|Ltd|Corp)\.?$", "", ctx.company())
        return f"{company} {ctx.product()} {self.rng.choice(titles)}"

    def _title(self, name: str, ctx: _Context) -> str:
        if ctx.kind == "document":
            return self._document_title(ctx)
        if ctx.kind == "person":
            return self.job_title()
        if ctx.kind == "deal":
            return self.deal_name(ctx)
        if ctx.kind == "company":
            return ctx.company()
        if ctx.kind == "label":
            return self.label(name, ctx)
        return self.task_title(ctx)

    def _sentence(self, name: str, ctx: _Context) -> str:
        words = tokens(name)
        if words and words[-1] == "reason":
            return self.rng.choice(REASONS)
        if words and words[-1] in ("title", "subject", "name", "summary"):
            return self._title(name, ctx) if ctx.kind != "other" else self.task_title(ctx)
        return self.note(ctx, 1)

    def _country(self, name: str, schema: Mapping[str, Any]) -> str:
        country, code = self.rng.choice(COUNTRIES)
        short = "code" in tokens(name) or int(schema.get("maxLength", 99)) < len(country)
        return code if short else country

    def _url(self, name: str, ctx: _Context) -> str:
        words = tokens(name)
        if "linkedin" in words:
            if ctx.kind == "company":
                return f"https://www.linkedin.com/company/{slug(ctx.company(), '-')}"
            first, last = ctx.person()
            return f"https://www.linkedin.com/in/{slug(first)}-{slug(last)}{ctx.suffix()}"
        if "twitter" in words:
            first, last = ctx.person()
            return f"https://twitter.com/{slug(first)}{slug(last)}"
        if ctx.kind in ("company", "person") or "website" in words or "homepage" in words:
            return f"https://www.{ctx.domain()}"
        return f"https://{ctx.domain()}/{slug(str(self.text.word()))}"

    def _percent(self, name: str, schema: Mapping[str, Any], kind: str) -> Any:
        high = schema.get("maximum")
        if isinstance(high, (int, float)) and high <= 1:
            return round(self.rng.uniform(0, float(high)), 2)
        if "tax" in tokens(name):
            return self.rng.choice((0, 5, 10, 20))
        if "discount" in tokens(name):
            return self.rng.choice((5, 10, 15, 20, 25))
        value = self.rng.choice(range(0, 101, 5)) if self.rng.random() < 0.7 else self.rng.randint(0, 100)
        return value if kind in ("integer", "number") else str(value)

    @staticmethod
    def _typed_number(amount: float, kind: str) -> Any:
        if kind == "integer":
            return int(round(amount))
        if kind == "string":
            return f"{amount:.2f}"
        return amount

    def _temporal(
        self,
        name: str,
        schema: Mapping[str, Any],
        kind: str,
        ctx: _Context,
        direction: str | None,
        shape: str | None = None,
    ) -> Any:
        """A date, date-time or time of day for `name`: the format decides, then the hint, then the name."""
        if kind != "string":
            return MISS
        fmt = schema.get("format")
        words = tokens(name)
        if fmt in ("date", "date-time", "time"):
            shape = fmt
        elif shape is None:
            shape = "time" if words[-1] == "time" else "date" if words[-1] in DATE_WORDS else "date-time"
        if shape == "time":
            moment = self._time(name, ctx)
            if fmt == "time":
                return moment.strftime("%H:%M:%S") + "Z"
            pattern = schema.get("pattern")
            short = moment.strftime("%H:%M")
            return short if not pattern or re.search(str(pattern), short) else moment.strftime("%H:%M:%S")
        if shape == "date":
            start = counterpart(name, ctx.moments)
            if start is not None:
                spans = (365, 730, 1095) if ctx.kind == "document" else (0, 0, 1, 2)
                return (start.date() + dt.timedelta(days=self.rng.choice(spans))).isoformat()
            return self._date(name, direction).isoformat()
        return stamp(self._moment(name, direction, ctx), schema)

    # --- (c) the JSON schema -------------------------------------------------------------------

    def _from_schema(self, name: str, schema: Mapping[str, Any], kind: str, ctx: _Context) -> Any:
        rng = self.rng
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("integer", "number"):
            return self._number(schema, kind)
        if kind == "null":
            return None
        # strings
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        value: Any = MISS
        if fmt in ("date", "date-time", "time"):
            value = self._temporal(name, schema, "string", ctx, None)
        elif fmt in ("email", "idn-email"):
            value = ctx.email()
        elif fmt in ("uri", "url", "iri", "uri-reference"):
            value = self._url(name, ctx)
        elif fmt == "uuid":
            value = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        elif fmt in ("hostname", "idn-hostname"):
            value = ctx.domain()
        elif fmt == "ipv4":
            value = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        elif fmt == "ipv6":
            value = ":".join(f"{rng.randrange(1 << 16):x}" for _ in range(8))
        if value is not MISS:
            fitted = self._fit(value, schema, "string")
            if fitted is not MISS and self._valid(fitted, schema):
                return fitted
        for example in _examples(schema):
            variant = self._fit(_vary(example, rng), schema, "string")
            if variant is not MISS and self._valid(variant, schema):
                return variant
        if pattern:
            sample = regex_sample(str(pattern), rng)
            if sample is not None and not str(pattern).endswith("$"):
                longer = f"{sample}{rng.randint(1, 999999):06d}"
                sample = longer if re.search(str(pattern), longer) else sample
            if sample is not None:
                fitted = self._fit(sample, schema, "string")
                if fitted is not MISS:
                    return fitted
                return sample
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", 10_000))
        text = str(self.text.word()) if high < 40 else self.label(name, ctx)
        return self._fit(text, {**schema, "pattern": None}, "string") if low <= high else text

    def _number(self, schema: Mapping[str, Any], kind: str) -> Any:
        step = 1.0 if kind == "integer" else 0.01
        low = _bound(schema.get("minimum"))
        high = _bound(schema.get("maximum"))
        xlow = _bound(schema.get("exclusiveMinimum"))
        xhigh = _bound(schema.get("exclusiveMaximum"))
        if xlow is not None:
            low = xlow + step if low is None else max(low, xlow + step)
        if xhigh is not None:
            high = xhigh - step if high is None else min(high, xhigh - step)
        if low is None and high is None:
            low, high = (1.0, 100.0) if kind == "integer" else (1.0, 1000.0)
        elif low is None:
            low = 0.0 if (high or 0.0) >= 0 else (high or 0.0) - 100
        elif high is None:
            high = low + 100
        assert low is not None and high is not None
        high = max(high, low)
        multiple = _bound(schema.get("multipleOf"))
        if kind == "integer":
            value = float(self.rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high))))
        else:
            value = min(max(round(self.rng.uniform(low, high), 2), low), high)
        if multiple:
            value = math.floor(value / multiple) * multiple
            if value < low:
                value += multiple
        return int(value) if kind == "integer" else round(value, 10)

    def _fit(self, value: Any, schema: Mapping[str, Any], kind: str) -> Any:
        """`value` adjusted to the schema's bounds and type, or MISS when it cannot fit."""
        if value is MISS or value is None:
            return MISS
        if kind == "string":
            if not isinstance(value, str):
                return MISS
            high = schema.get("maxLength")
            if isinstance(high, int) and len(value) > high:
                cut = value[:high]
                space = cut.rfind(" ")
                if space >= max(1, high // 2):
                    cut = cut[:space]
                value = cut.rstrip(" ,.;-") or value[:high]
            low = schema.get("minLength")
            while isinstance(low, int) and len(value) < low:
                value += self.rng.choice(string.ascii_lowercase)
            if isinstance(high, int) and len(value) > high:
                value = value[:high]
            pattern = schema.get("pattern")
            if pattern and not re.search(str(pattern), value):
                return MISS
            return value
        if kind in ("integer", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return MISS
            low = schema.get("minimum")
            high = schema.get("maximum")
            if isinstance(low, (int, float)) and value < low:
                value = low
            if isinstance(high, (int, float)) and value > high:
                value = high
            if kind == "integer":
                if isinstance(value, float) and not value.is_integer():
                    value = round(value)
                return int(value)
            return value
        if kind == "boolean":
            return value if isinstance(value, bool) else MISS
        return value

    # --- schema plumbing -------------------------------------------------------------------------

    def _valid(self, value: Any, schema: Mapping[str, Any]) -> bool:
        key = id(schema)
        cached = self._validators.get(key)
        if cached is None or cached[0] is not schema:
            if len(self._validators) > 4096:
                self._validators.clear()
            cached = (schema, jsonschema.Draft202012Validator(dict(schema)))
            self._validators[key] = cached
        return bool(cached[1].is_valid(value))

    @staticmethod
    def _merge_all_of(schema: Mapping[str, Any]) -> Mapping[str, Any]:
        parts = schema.get("allOf")
        if not parts:
            return schema
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in parts:
            if not isinstance(part, Mapping):
                continue
            part = FakeData._merge_all_of(part)
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
                else:
                    merged.setdefault(key, value)
        return merged

    def _clear(self, record: dict[str, Any], schema: Mapping[str, Any], field: str) -> None:
        """A reference (or a name copied from it) whose target does not exist: null, else left out."""
        sub = _schema_at(schema, field)
        if sub is None:
            _remove(record, field)
            return
        if nullable(sub):
            _set(record, field, None)
            return
        if "." in field:
            container, _, leaf = field.rpartition(".")
            container_schema = _schema_at(schema, container)
            needed = _object_branch(container_schema).get("required") or () if container_schema else ()
            if container_schema is not None and leaf in needed:
                if nullable(container_schema):
                    _set(record, container, None)
                else:
                    _remove(record, container)
                return
        _remove(record, field)

    def _moments_of_states(
        self, record: dict[str, Any], properties: Mapping[str, Any], active: Mapping[str, bool], ctx: _Context,
        depth: int,
    ) -> None:
        """A record in a state has the moment it entered it: a completed task its `completed_at`, a won deal
        its `won_date` (never left null at random)."""
        for prop, sub in properties.items():
            words = tokens(prop)
            if len(words) < 2 or not isinstance(sub, Mapping) or prop not in record or record[prop] is not None:
                continue
            if active.get(STATE_ALIASES.get(words[0], words[0])) and _temporal_name(words):
                record[prop] = self._generate(prop, sub, ctx, depth, True, "")

    def _agree_with_status(
        self,
        record: dict[str, Any],
        properties: Mapping[str, Any],
        required: list[str],
        kind: str = "other",
        known: Mapping[str, bool] | None = None,
    ) -> dict[str, bool]:
        """Fields named after a state (`won_date`, `lost_reason`, `loss_reason`, `completed_at`,
        `closed_at`) are meaningful only when the record is in that state (Decision X2): null, or left
        out, otherwise. The state comes from the record's labels (`known`: its stage "Closed"), a status
        enum, else from `is_won`-like flags, which are made to agree with the status, with the record's
        name ("Closed Won"; a label such as a stage whose name names no state is in none), and with each
        other. Returns the states the record is in, and is not in."""
        active = dict(known or {})
        for state, on in enum_states(record, properties).items():
            active[state] = active.get(state, False) or on
        flags = [p for p in properties if isinstance(record.get(p), bool) and flag_state(p)]
        for flag in flags:
            if flag_state(flag) in active:
                record[flag] = active[flag_state(flag)]
        free = [p for p in flags if flag_state(p) not in active]
        label = tokens(str(record.get("name") or record.get("title") or ""))
        if any(flag_state(p) in label for p in free) or (kind == "label" and label):
            for flag in free:
                record[flag] = flag_state(flag) in label
        elif sum(bool(record[p]) for p in free) > 1:
            keep = next(p for p in free if record[p])
            for flag in free:
                record[flag] = flag == keep
        for flag in flags:
            active.setdefault(flag_state(flag), bool(record[flag]))
        if "closed" not in active and ("won" in active or "lost" in active):
            active["closed"] = active.get("won", False) or active.get("lost", False)
        for prop, sub in properties.items():
            if prop not in record or prop in flags or not isinstance(sub, Mapping):
                continue
            words = tokens(prop)
            state = STATE_ALIASES.get(words[0], words[0]) if len(words) >= 2 else ""
            if state not in STATES or state not in active or active[state] or sub.get("enum"):
                continue
            if nullable(sub):
                record[prop] = None
            elif prop not in required:
                del record[prop]
        return active


def _examples(schema: Mapping[str, Any]) -> list[str]:
    """The schema's examples that look like codes (`RO-000123`): short, no spaces, with digits."""
    raw = schema.get("examples")
    found = list(raw) if isinstance(raw, list) else []
    if "example" in schema:
        found.append(schema["example"])
    return [
        e
        for e in found
        if isinstance(e, str) and 0 < len(e) <= 40 and not re.search(r"[\s@:]|\d{4}-\d{2}-\d{2}", e)
        and any(c.isdigit() for c in e)
    ]


def _vary(example: str, rng: random.Random) -> str:
    """`RO-000123` -> `RO-004817`: the example's digits, random; everything else kept."""
    digits = [i for i, c in enumerate(example) if c.isdigit()]
    value = rng.randint(1, 10 ** len(digits) - 1)
    text = list(example)
    for position, digit in zip(digits, f"{value:0{len(digits)}d}", strict=True):
        text[position] = digit
    return "".join(text)


def _bound(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _identity(name: str) -> bool:
    """Fields a record should not leave null at random (its name, its email)."""
    words = tokens(name)
    return bool(words) and words[-1] in ("name", "email", "title")


def _infer_type(schema: Mapping[str, Any]) -> str:
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "string"


def _order(name: str) -> tuple[int, str]:
    """Generate a record's creation first (the objects inside it are created after it), start before end
    and created before updated, so the later one can follow the first."""
    words = tokens(name)
    if "created" in words:
        return (0, "")
    later = any(w in ("updated", "modified", "changed", "display", *END_WORDS) for w in words)
    return (2 if later else 1, "")


_FUTURE_WORDS = ("due", "expected", "close", "closing", "start", "end", "scheduled", "next", "remind",
                 "reminder", "renewal", "expires", "expiry", "deadline", "follow", "followup")
_PAST_WORDS = ("created", "updated", "modified", "deleted", "completed", "closed", "won", "lost", "last",
               "signed", "joined", "registered", "converted", "paid", "sent", "opened", "logged")


def _past_word(words: list[str]) -> bool:
    return any(w in _PAST_WORDS for w in words)


def _direction(words: list[str]) -> str | None:
    if _past_word(words):
        return "past"
    if any(w in _FUTURE_WORDS for w in words):
        return "future"
    return None


def _temporal_name(words: list[str]) -> bool:
    last = words[-1]
    if last in ("date", "datetime", "timestamp") or (last == "time" and len(words) >= 2):
        return True
    return last in ("at", "on") and len(words) >= 2 and _direction(words[:-1]) is not None
