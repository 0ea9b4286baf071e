"""Values from the JSON schema alone (format, examples, pattern, bounds), for a field whose hint and name
gave none that fits, and the fitting of any value to its schema's bounds."""

from __future__ import annotations

import math
import re
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from mock_server.faker.context import RecordContext
from mock_server.faker.miss import MISS
from mock_server.faker.patterns import regex_sample
from mock_server.faker.plan import Field
from mock_server.faker.realistic import Realistic
from mock_server.faker.schema_reading import bound, vary

Formatted = Callable[[Realistic, Field, RecordContext], Any]

# a value for each string format the documents use
FORMATS: dict[str, Formatted] = {
    "date": lambda r, field, ctx: r.dates.temporal(field.name, field.schema, "string", ctx, None),
    "email": lambda r, field, ctx: ctx.email(),
    "uri": lambda r, field, ctx: r.url(field.name, ctx),
    "uuid": lambda r, field, ctx: str(uuid.UUID(int=r.rng.getrandbits(128), version=4)),
    "hostname": lambda r, field, ctx: ctx.domain(),
    "ipv4": lambda r, field, ctx: ".".join(str(r.rng.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda r, field, ctx: ":".join(f"{r.rng.randrange(1 << 16):x}" for _ in range(8)),
}
for _same, _as in (("date-time", "date"), ("time", "date"), ("idn-email", "email"), ("url", "uri"), ("iri", "uri"),
                   ("uri-reference", "uri"), ("idn-hostname", "hostname")):
    FORMATS[_same] = FORMATS[_as]


class SchemaValues:
    """Values the schema alone describes, and values fitted to a schema."""

    def __init__(self, realistic: Realistic) -> None:
        self.realistic = realistic
        self.rng = realistic.rng

    def from_schema(self, field: Field, ctx: RecordContext) -> Any:
        kind = field.kind
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return self.number(field.schema, kind)
        if kind == "null":
            return None
        return self._string(field, ctx)

    def _string(self, field: Field, ctx: RecordContext) -> Any:
        schema = field.schema
        formatted = FORMATS.get(field.format) if isinstance(field.format, str) else None
        if formatted is not None:
            fitted = self.fit(formatted(self.realistic, field, ctx), schema, "string")
            if fitted is not MISS and field.valid(fitted):
                return fitted
        for example in field.examples:
            variant = self.fit(vary(example, self.rng), schema, "string")
            if variant is not MISS and field.valid(variant):
                return variant
        if field.pattern:
            sample = self._matching(str(field.pattern))
            if sample is not None:
                fitted = self.fit(sample, schema, "string")
                return sample if fitted is MISS else fitted
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", 10_000))
        text = str(self.realistic.text.word()) if high < 40 else self.realistic.label(field.name, ctx)
        return self.fit(text, schema, "string", pattern=False) if low <= high else text

    def _matching(self, pattern: str) -> str | None:
        """A sample of the pattern; one open at its end gets digits after it, so codes differ."""
        sample = regex_sample(pattern, self.rng)
        if sample is not None and not pattern.endswith("$"):
            longer = f"{sample}{self.rng.randint(1, 999999):06d}"
            sample = longer if re.search(pattern, longer) else sample
        return sample

    def number(self, schema: Mapping[str, Any], kind: str) -> Any:
        step = 1.0 if kind == "integer" else 0.01
        low, high = _range(schema, kind, step)
        multiple = bound(schema.get("multipleOf"))
        if kind == "integer":
            value = float(self.rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high))))
        else:
            value = min(max(round(self.rng.uniform(low, high), 2), low), high)
        if multiple:
            value = math.floor(value / multiple) * multiple
            if value < low:
                value += multiple
        return int(value) if kind == "integer" else round(value, 10)

    def fit(self, value: Any, schema: Mapping[str, Any], kind: str, pattern: bool = True) -> Any:
        """`value` adjusted to the schema's bounds and type, or MISS when it cannot fit (with `pattern`
        False, whatever the schema's pattern says)."""
        if value is MISS or value is None:
            return MISS
        if kind == "string":
            return self._fit_text(value, schema, pattern) if isinstance(value, str) else MISS
        if kind in ("integer", "number"):
            return _fit_number(value, schema, kind)
        if kind == "boolean":
            return value if isinstance(value, bool) else MISS
        return value

    def _fit_text(self, value: str, schema: Mapping[str, Any], pattern: bool) -> Any:
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
        expected = schema.get("pattern") if pattern else None
        if expected and not re.search(str(expected), value):
            return MISS
        return value


def _range(schema: Mapping[str, Any], kind: str, step: float) -> tuple[float, float]:
    """The closed range a number is drawn from: the schema's bounds (exclusive ones a step inside), else a
    hundred above the lower or below the upper one, else 1 to 100 (1 to 1000 for a number)."""
    low = bound(schema.get("minimum"))
    high = bound(schema.get("maximum"))
    xlow = bound(schema.get("exclusiveMinimum"))
    xhigh = bound(schema.get("exclusiveMaximum"))
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
    return low, max(high, low)


def _fit_number(value: Any, schema: Mapping[str, Any], kind: str) -> Any:
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
