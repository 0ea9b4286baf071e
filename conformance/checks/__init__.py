"""One module per check family; importing this package registers them all."""

from conformance.checks import (  # noqa: F401
    auth,
    envelope,
    lifecycle,
    pagination,
    schema,
    status,
    validation,
)
