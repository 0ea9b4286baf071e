"""Each API's own invariants, one module (or package of modules) per API, the mirror of
mock_server/behaviours/: a document names its module in `x-crm-dialect.invariants`, and only that module's
checks run against it. Importing this package registers them all (an explicit list, no imports built from
strings)."""

from conformance.invariants import concord, olympus, revorbit, ysuite  # noqa: F401
