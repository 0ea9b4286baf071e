"""Errors raised while loading a document: each renders as one line naming the file and the place."""

from __future__ import annotations

from dataclasses import dataclass


class CrmSpecError(Exception):
    """Root of every error about a document (never about a server under test)."""


@dataclass
class DocumentNotFound(CrmSpecError):
    name: str
    known: tuple[str, ...]

    def __str__(self) -> str:
        return f"no document named {self.name!r}: use one of {', '.join(self.known)} or a path to a .yaml file"


@dataclass
class InvalidDocument(CrmSpecError):
    path: str
    pointer: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: invalid OpenAPI document at {self.pointer or '/'}: {self.reason}"


@dataclass
class InvalidDialectBlock(CrmSpecError):
    path: str
    pointer: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: invalid x-crm-dialect block at {self.pointer or '/'}: {self.reason}"
