"""Which of the document's paths (and operations) a URL names: concrete segments before templated ones,
as OpenAPI's path matching says. The mock answers 405 and Allow from it; the suite's proxy names the
operation of each exchange it watches."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crmspec.model import Operation


class Routes:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self.methods: dict[str, set[str]] = {}
        self._operations: dict[tuple[str, str], Operation] = {}
        for op in operations:
            self.methods.setdefault(op.full_path, set()).add(op.method.upper())
            self._operations[(op.method.upper(), op.full_path)] = op
        self._paths: dict[int, list[tuple[re.Pattern[str], tuple[int, ...], str]]] = {}
        for path in self.methods:  # by segment count: a URL is only matched against paths as deep as it
            self._paths.setdefault(path.count("/"), []).append((self._pattern(path), self._rank(path), path))
        # per templated path, one pattern for the more concrete paths that can name the same URL
        self._rivals: dict[str, re.Pattern[str]] = {}
        for path in self.methods:
            rivals = [pattern.pattern for pattern, rank, other in self._paths[path.count("/")]
                      if "{" in path and rank < self._rank(path) and self._overlap(path, other)]
            if rivals:
                self._rivals[path] = re.compile("|".join(f"(?:{r})" for r in rivals))

    @staticmethod
    def _pattern(path: str) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", path)
        return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))

    @staticmethod
    def _rank(path: str) -> tuple[int, ...]:
        return tuple(int("{" in segment) for segment in path.split("/"))

    @staticmethod
    def _overlap(path: str, other: str) -> bool:
        """Whether one URL can match both paths: segment by segment, equal or templated on one side."""
        return all(a == b or "{" in a or "{" in b for a, b in zip(path.split("/"), other.split("/"), strict=True))

    def resolve(self, url_path: str) -> str | None:
        """The document path the URL names, or None when it names none."""
        candidates = self._paths.get(url_path.count("/"), [])
        matches = [(rank, path) for pattern, rank, path in candidates if pattern.fullmatch(url_path)]
        return min(matches)[1] if matches else None

    def operation(self, method: str, url_path: str) -> Operation | None:
        """The operation a request names: its method on the document path the URL names, or None."""
        path = self.resolve(url_path)
        return self._operations.get((method.upper(), path)) if path is not None else None

    def allowed(self, url_path: str) -> list[str] | None:
        """The Allow header's methods for the URL (HEAD with GET, OPTIONS always), or None."""
        path = self.resolve(url_path)
        if path is None:
            return None
        methods = self.methods[path] | {"OPTIONS"} | ({"HEAD"} if "GET" in self.methods[path] else set())
        return sorted(methods)
