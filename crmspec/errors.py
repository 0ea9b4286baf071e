"""Errors raised while loading a document: each renders as one line naming the file and the place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class CrmSpecError(Exception):
    """Root of every error about a document (never about a server under test)."""


@dataclass
class DocumentNotFound(CrmSpecError):
    name: str
    known: tuple[str, ...]

    def __str__(self) -> str:
        return f"no document named {self.name!r}: use one of {', '.join(self.known)} or a path to a .yaml file"


@dataclass
class _InvalidAtPlace(CrmSpecError):
    """A rule a file breaks at one place (a JSON pointer; '' is the whole file)."""

    path: str
    pointer: str
    reason: str
    what: ClassVar[str]  # what the place belongs to, as the message names it

    def __str__(self) -> str:
        return f"{self.path}: invalid {self.what} at {self.pointer or '/'}: {self.reason}"


class InvalidDocument(_InvalidAtPlace):
    what = "OpenAPI document"


class InvalidDialectBlock(_InvalidAtPlace):
    what = "x-crm-dialect block"
