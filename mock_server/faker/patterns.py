"""A small generator of strings that match a regular expression (a schema's `pattern`).

It walks the pattern as Python's own parser reads it and emits one piece per node, preferring letters and
digits; anchors and lookarounds emit nothing. A sample is kept only when the pattern accepts it.
"""

from __future__ import annotations

import importlib
import random
import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

PRINTABLE = [chr(c) for c in range(32, 127)]
PREFERRED = string.ascii_letters + string.digits
_TRIES = 20

Groups = dict[int, str]
Emitter = Callable[[Any, random.Random, Groups], str]


def regex_sample(pattern: str, rng: random.Random) -> str | None:
    """A string that `re.search(pattern, ...)` accepts, or None when this generator cannot make one."""
    parsed = _parsed(pattern)
    if parsed is None:
        return None
    compiled = re.compile(pattern)
    for _ in range(_TRIES):
        text = _emit(parsed, rng, {})
        if compiled.search(text):
            return text
    return None


@lru_cache(maxsize=256)
def _parsed(pattern: str) -> Any:
    try:
        return importlib.import_module("re._parser").parse(pattern)
    except Exception:  # an exotic pattern the parser rejects: let the caller fall back
        return None


def _category(ch: str, category: str) -> bool:
    name = category.removeprefix("CATEGORY_")
    negate = name.startswith("NOT_")
    name = name.removeprefix("NOT_")
    if name == "DIGIT":
        hit = ch in string.digits
    elif name == "SPACE":
        hit = ch in " \t\n\r\f\v"
    elif name == "WORD":
        hit = ch in PREFERRED or ch == "_"
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


def _emit(items: Any, rng: random.Random, groups: Groups) -> str:
    out: list[str] = []
    for op, av in items:
        emitter = _EMITTERS.get(str(op))
        if emitter is not None:  # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit
            out.append(emitter(av, rng, groups))
    return "".join(out)


def _one_of_set(av: Any, rng: random.Random, groups: Groups) -> str:
    allowed = [c for c in PRINTABLE if _in_set(c, av)]
    nice = [c for c in allowed if c in PREFERRED] or allowed
    return rng.choice(nice) if nice else ""


def _subpattern(av: Any, rng: random.Random, groups: Groups) -> str:
    text = _emit(av[-1], rng, groups)
    if av[0] is not None:
        groups[av[0]] = text
    return text


def _repeat(av: Any, rng: random.Random, groups: Groups) -> str:
    low, high, inner = av
    high = min(int(high), low + 3)
    return "".join(_emit(inner, rng, groups) for _ in range(rng.randint(low, high)))


_EMITTERS: dict[str, Emitter] = {
    "LITERAL": lambda av, rng, groups: chr(av),
    "NOT_LITERAL": lambda av, rng, groups: rng.choice([c for c in PREFERRED if ord(c) != av]),
    "ANY": lambda av, rng, groups: rng.choice(PREFERRED),
    "IN": _one_of_set,
    "CATEGORY": lambda av, rng, groups: rng.choice([c for c in PRINTABLE if _category(c, str(av))]),
    "BRANCH": lambda av, rng, groups: _emit(rng.choice(av[1]), rng, groups),
    "SUBPATTERN": _subpattern,
    "MAX_REPEAT": _repeat,
    "MIN_REPEAT": _repeat,
    "POSSESSIVE_REPEAT": _repeat,
    "GROUPREF": lambda av, rng, groups: groups.get(av, ""),
    "ATOMIC_GROUP": lambda av, rng, groups: _emit(av, rng, groups),
}
