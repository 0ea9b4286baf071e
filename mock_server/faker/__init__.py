"""Realistic, deterministic fake data driven by the documents' JSON schemas.

| module | its one job |
|---|---|
| `generator.py` | FakeData: records and values, generated from a plan |
| `plan.py` | the generation plan: what a schema and its names say, compiled once |
| `validity.py` | whether a value fits its field's schema: compiled for simple schemas, jsonschema's otherwise |
| `naming.py` | the naming rules and `x-faker` hints: what a property's name asks for |
| `realistic.py` | realistic building blocks: company and deal names, notes, money, labels, links |
| `dates.py` | dates, moments and times of day in the direction a name implies |
| `schema_values.py` | values from the schema alone (format, examples, pattern, bounds) and fitting |
| `patterns.py` | strings that match a regular expression |
| `states.py` | a record's states and the fields that depend on them |
| `histories.py` | a record's dates put in the order their names imply |
| `context.py` | what one record has generated so far, so its fields agree |
| `sources.py` | the seeded random source, the mimesis providers and the calendar |
| `schema_reading.py` | nested schemas, object branches, implied types, bounds, code-like examples |
| `wording.py` | what a name says: its words, its kind, its direction in time, a record's states |
| `vocabulary.py` | the word lists fake data is made of |
| `miss.py` | MISS: "no value", where None is a value |
"""

from mock_server.faker.generator import FakeData, Pick

__all__ = ["FakeData", "Pick"]
