"""Schemathesis against the mock: `make test` runs the small size, `make fuzz` (CRM_FUZZ=full) the large."""
