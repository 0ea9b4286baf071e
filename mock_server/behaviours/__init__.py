"""Non-CRUD behaviour per API: an explicit map from dialect id to its module, no string-built imports.

A module exports BEHAVIOUR (mock_server.engine.Behaviour): the handlers of its custom actions, and record
hooks the generic engine calls for its resources (see Behaviour).
"""

from __future__ import annotations

from mock_server.engine import Behaviour


def behaviour_for(name: str) -> Behaviour:
    """The behaviours module a document names (x-crm-dialect.behaviours, by default its id); none: the
    generic engine alone."""
    from mock_server.behaviours import concord, olympus, revorbit, ysuite

    table: dict[str, Behaviour] = {
        "revorbit": revorbit.BEHAVIOUR,
        "olympus": olympus.BEHAVIOUR,
        "concord": concord.BEHAVIOUR,
        "ysuite": ysuite.BEHAVIOUR,
    }
    return table.get(name, Behaviour())
