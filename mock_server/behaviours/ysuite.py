"""Non-CRUD behaviour of the ysuite API (filled in by the behaviours issue)."""

from __future__ import annotations

from mock_server.behaviours import Behaviour

BEHAVIOUR = Behaviour()
