"""Client errors the mock answers; `responses.ERROR_KINDS` maps each class to the dialect's status."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MockError(Exception):
    """Root of every error the mock turns into the API's error envelope."""

    message: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


class BadRequest(MockError):
    """Malformed input that is not a field error (broken JSON, a body that is not an object)."""


# The message of a refusal with field errors; the field errors say what was wrong (each API's envelope carries
# them; the message is Laravel's wording, which the APIs that print one share).
INVALID_DATA = "The given data was invalid."


class ValidationFailed(MockError):
    """Input that parses but breaks the document's schema or the API's rules, with field errors."""


class NotFound(MockError):
    pass


class RouteNotFound(MockError):
    """No operation at that URL: always 404, even where the API answers a missing record otherwise."""


class Conflict(MockError):
    pass


class BusinessRuleViolation(MockError):
    """An API-specific refusal the dialect answers with its bad-request status (Olympus invalid_stage)."""


class Unauthorized(MockError):
    pass


class Forbidden(MockError):
    pass


class MethodNotAllowed(MockError):
    pass


class PayloadTooLarge(MockError):
    pass


class UnsupportedMediaType(MockError):
    pass


class RateLimited(MockError):
    pass


class UnknownPreference(MockError):
    """A Prefer header (or its __code / __example / __dynamic / __delay query fallback) the mock cannot
    honour: a status or an example the operation does not document, or a malformed value. Always 422."""


class InjectedFault(MockError):
    """A server error the mock was told to produce (chaos, Prefer: code=5xx)."""

    status: int = 500


# The server errors a client can have injected on any operation, documented or not (--error-rate,
# Prefer: code=500 / 503), and what they say.
FAULTS = {500: "Internal server error", 503: "Service temporarily unavailable"}


def fault(status: int, cause: str) -> InjectedFault:
    """The injected server error `status` (one of FAULTS), saying what injected it."""
    injected = InjectedFault(f"{FAULTS[status]} ({cause}).")
    injected.status = status
    return injected
