"""What a name says: the words of a field's name, the kind of thing a resource or field is about, whether a
temporal field lies ahead or behind, and the states a record's values put it in.

Shared by the generation plan (which reads every name once), the generator and histories.py. The readings
of a name are pure and cached: a document has a few hundred names, read for every record.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from mock_server.faker.vocabulary import END_WORDS, FUTURE_WORDS, KIND_WORDS, PAST_WORDS

STATES = ("won", "lost", "closed", "completed", "cancelled", "canceled", "converted", "archived",
          "paid", "resolved", "rejected", "accepted", "expired")
STATE_ALIASES = {"loss": "lost", "win": "won", "close": "closed", "completion": "completed"}
# a status that says the record is in force now (a contract between its start and its end)
RUNNING = "active"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_SLUG_WORDS = re.compile(r"[a-z0-9]+")
_NAMES = 8192  # distinct names kept: a document's field names, and label values such as stage names


@lru_cache(maxsize=_NAMES)
def tokens(name: str) -> tuple[str, ...]:
    """`dealAmount` and `deal_amount` -> ("deal", "amount")."""
    spaced = _CAMEL.sub("_", name)
    return tuple(t for t in _SEPARATORS.split(spaced.lower()) if t)


def state_of(word: str) -> str:
    """The state a word names, aliases resolved (`loss` -> "lost"); the word itself otherwise."""
    return STATE_ALIASES.get(word, word)


@lru_cache(maxsize=_NAMES)
def flag_state(name: str) -> str:
    """`is_won` -> "won", `is_completed` -> "completed"; "" for anything else."""
    words = tokens(name)
    if len(words) == 2 and words[0] in ("is", "was"):
        state = state_of(words[1])
        return state if state in STATES else ""
    return ""


@lru_cache(maxsize=_NAMES)
def kind_of(*texts: str) -> str:
    """person | company | deal | task | note | label | document | other, from a resource name, a title, a field."""
    last = tokens(texts[0])[-1:] if texts and texts[0] else ()
    for text in (" ".join(last), " ".join(texts).lower()):  # `deal_tasks` are tasks, not deals
        for kind, words in KIND_WORDS:
            if text and any(word in text for word in words):
                return kind
    return "other"


def slug(text: str, separator: str = "") -> str:
    return separator.join(_SLUG_WORDS.findall(text.lower()))


def plural(word: str) -> str:
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def direction(words: tuple[str, ...]) -> str | None:
    """"past" or "future", as a temporal field's name says (`closed_at`, `due_date`), else None."""
    if any(w in PAST_WORDS for w in words):
        return "past"
    if any(w in FUTURE_WORDS for w in words):
        return "future"
    return None


def temporal_name(words: tuple[str, ...]) -> bool:
    """A name that holds a date or a moment: `*_date`, `*_time`, `*_at` / `*_on` after a word of time."""
    last = words[-1]
    if last in ("date", "datetime", "timestamp") or (last == "time" and len(words) >= 2):
        return True
    return last in ("at", "on") and len(words) >= 2 and direction(words[:-1]) is not None


def identity(name: str) -> bool:
    """Fields a record should not leave null at random (its name, its email)."""
    words = tokens(name)
    return bool(words) and words[-1] in ("name", "email", "title")


def generation_order(name: str) -> tuple[int, str]:
    """Generate a record's creation first (the objects inside it are created after it), start before end
    and created before updated, so the later one can follow the first."""
    words = tokens(name)
    if "created" in words:
        return (0, "")
    later = any(w in ("updated", "modified", "changed", "display", *END_WORDS) for w in words)
    return (2 if later else 1, "")


def label_states(name: Any) -> dict[str, bool]:
    """The states a label's name puts a record in: a deal in the stage "Closed Won" is won and closed."""
    words = tokens(name) if isinstance(name, str) else ()
    found = {w: True for w in words if w in STATES}
    if found.get("won") or found.get("lost"):
        found["closed"] = True
    return found


@lru_cache(maxsize=1024)
def option_states(options: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each option of an enum (lower case) with the states it names."""
    return tuple((option.lower(), tuple(w for w in tokens(option) if w in STATES or w == RUNNING))
                 for option in options)


def closed_when_decided(active: dict[str, bool]) -> dict[str, bool]:
    """A record known to be won or lost (or neither) is known to be closed (or not)."""
    if "closed" not in active and ("won" in active or "lost" in active):
        active["closed"] = active.get("won", False) or active.get("lost", False)
    return active
