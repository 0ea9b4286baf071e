"""Load, validate and index the CRM OpenAPI documents (shared by the mock and the suite)."""

from crmspec.errors import CrmSpecError, DocumentNotFound, InvalidDialectBlock, InvalidDocument
from crmspec.loader import DOCUMENTS, load
from crmspec.model import Api, Dialect, Operation

__all__ = [
    "DOCUMENTS",
    "Api",
    "CrmSpecError",
    "Dialect",
    "DocumentNotFound",
    "InvalidDialectBlock",
    "InvalidDocument",
    "Operation",
    "load",
]
