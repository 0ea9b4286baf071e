"""The OpenAPI documents as package data: pyproject.toml maps the package `crmspec.documents` onto this
folder, so `importlib.resources.files("crmspec.documents")` finds them in an editable install and in a
wheel alike (setuptools' editable finder cannot map a package without an __init__.py)."""
