"""A stateful, data-faking mock server driven by the CRM OpenAPI documents."""

from mock_server.app import create_app
from mock_server.config import MockConfig

__all__ = ["MockConfig", "create_app"]
