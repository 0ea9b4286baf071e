"""Realistic values: company, deal, task and document names, notes, job titles, money, labels, links,
countries and percentages, each agreeing with the record it is made for (its person, company, product)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from mock_server.faker.context import RecordContext
from mock_server.faker.dates import Dates
from mock_server.faker.sources import Sources
from mock_server.faker.vocabulary import (
    COUNTRIES,
    DEAL_KINDS,
    DOCUMENT_TITLES,
    JOB_TITLES,
    LABEL_POOLS,
    NOTES,
    REASONS,
    TASKS,
)
from mock_server.faker.wording import kind_of, slug, tokens

_COMPANY_FORM = re.compile(r",?\s+(Inc|LLC|Ltd|Corp)\.?$")
# the range of an amount, by a word of its name (the first that matches); a deal's value otherwise
_MONEY_RANGES: tuple[tuple[tuple[str, ...], float, float], ...] = (
    (("lifetime",), 500.0, 500000.0),
    (("revenue",), 100000.0, 50000000.0),
    (("discount", "tax"), 0.0, 2500.0),
)


class Realistic:
    """The building blocks of realistic records, drawn from the generator's sources."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.rng = sources.rng
        self.person = sources.person
        self.address = sources.address
        self.text = sources.text
        self.dates = Dates(sources)

    def company_name(self) -> str:
        return self.sources.company_name()

    def deal_name(self, ctx: RecordContext) -> str:
        company = _COMPANY_FORM.sub("", ctx.company())
        return f"{company} {ctx.product()} {self.rng.choice(DEAL_KINDS)}"

    def task_title(self, ctx: RecordContext) -> str:
        return self.rng.choice(TASKS).format(**ctx.words())

    def note(self, ctx: RecordContext, sentences: int = 1) -> str:
        chosen = self.rng.sample(NOTES, sentences)
        return " ".join(s.format(**ctx.words()) for s in chosen)

    def job_title(self) -> str:
        if self.rng.random() < 0.75:
            return self.rng.choice(JOB_TITLES)
        return str(self.person.occupation())

    def money(self, name: str, ctx: RecordContext) -> float:
        low, high = _money_range(tokens(name), ctx.kind)
        amount = self.rng.uniform(low, high)
        step = 50 if high > 20000 else 1
        amount = round(amount / step) * step + self.rng.choice((0, 0, 0, 0.5, 0.99))
        return round(min(max(amount, low), high), 2)

    def label(self, name: str, ctx: RecordContext) -> str:
        pool = _label_pool(f"{name} {' '.join(ctx.names())}")
        return self.rng.choice(pool) if pool is not None else str(self.text.word()).capitalize()

    def full_name(self) -> str:
        """Someone other than the record's own person."""
        return f"{self.person.first_name()} {self.person.last_name()}"

    def person_name(self, name: str, ctx: RecordContext) -> str:
        """A `*name` field: the name of what its prefix (or else the record) is, a person's by default."""
        words = tokens(name)
        prefix = [w for w in words[:-1] if w not in ("display", "full", "first", "last")]
        kind = kind_of(" ".join(prefix)) if prefix else "other"
        if kind == "other":
            kind = ctx.kind
        if kind == "company":
            return ctx.company() if not prefix or ctx.kind == "company" else self.company_name()
        if kind == "label":
            return self.label(" ".join(words) + " " + " ".join(ctx.names()), ctx)
        if kind == "note":
            return self.note(ctx, 1)
        if kind in ("deal", "task", "document"):
            return self.title(name, ctx, kind)
        if prefix and kind == "person":
            return self.full_name()
        return ctx.full_name()

    def someone(self, name: str, ctx: RecordContext) -> str:
        """The record's own person, or another one for `owner`, `assignee_name` or in a company."""
        words = [w for w in tokens(name) if w not in ("display", "full", "name", "first", "last")]
        if ctx.kind == "company" or (words and kind_of(" ".join(words)) == "person"):
            return self.full_name()
        return ctx.full_name()

    def document_title(self, ctx: RecordContext) -> str:
        text = " ".join(ctx.names()).lower()
        titles = next((t for word, t in DOCUMENT_TITLES.items() if word in text), DOCUMENT_TITLES["contract"])
        company = _COMPANY_FORM.sub("", ctx.company())
        return f"{company} {ctx.product()} {self.rng.choice(titles)}"

    def title(self, name: str, ctx: RecordContext, kind: str | None = None) -> str:
        """The title of a record of this kind (the context's by default): a job title for a person."""
        kind = kind or ctx.kind
        if kind == "document":
            return self.document_title(ctx)
        if kind == "person":
            return self.job_title()
        if kind == "deal":
            return self.deal_name(ctx)
        if kind == "company":
            return ctx.company()
        if kind == "label":
            return self.label(name, ctx)
        return self.task_title(ctx)

    def sentence(self, name: str, ctx: RecordContext) -> str:
        words = tokens(name)
        if words and words[-1] == "reason":
            return self.rng.choice(REASONS)
        if words and words[-1] in ("title", "subject", "name", "summary"):
            return self.title(name, ctx) if ctx.kind != "other" else self.task_title(ctx)
        return self.note(ctx, 1)

    def country(self, name: str, schema: Mapping[str, Any]) -> str:
        country, code = self.rng.choice(COUNTRIES)
        short = "code" in tokens(name) or int(schema.get("maxLength", 99)) < len(country)
        return code if short else country

    def url(self, name: str, ctx: RecordContext) -> str:
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

    def percent(self, name: str, schema: Mapping[str, Any], kind: str) -> Any:
        high = schema.get("maximum")
        if isinstance(high, (int, float)) and high <= 1:
            return round(self.rng.uniform(0, float(high)), 2)
        if "tax" in tokens(name):
            return self.rng.choice((0, 5, 10, 20))
        if "discount" in tokens(name):
            return self.rng.choice((5, 10, 15, 20, 25))
        value = self.rng.choice(range(0, 101, 5)) if self.rng.random() < 0.7 else self.rng.randint(0, 100)
        return value if kind in ("integer", "number") else str(value)

    def color(self) -> str:
        return f"#{self.rng.randrange(1 << 24):06x}"


@lru_cache(maxsize=1024)
def _label_pool(names: str) -> tuple[str, ...] | None:
    """The labels a field of these names (the field's, then its objects', outermost last) is drawn from."""
    text = names.lower()
    return next((tuple(pool) for word, pool in LABEL_POOLS if word in text), None)


def typed_number(amount: float, kind: str) -> Any:
    """An amount as the field's type holds it: a whole number, a "12.50" string, or the float."""
    if kind == "integer":
        return int(round(amount))
    if kind == "string":
        return f"{amount:.2f}"
    return amount


def _money_range(words: tuple[str, ...], kind: str) -> tuple[float, float]:
    if any(w in words for w in ("unit", "price")) and "total" not in words:
        return 10.0, 5000.0
    for said, low, high in _MONEY_RANGES:
        if any(w in words for w in said):
            return low, high
    if kind == "deal" or "deal" in words:
        return 1000.0, 250000.0
    return 100.0, 50000.0
