"""Counting the SQL statements a request costs, for the tests that hold a query constant in N."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def wrap(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = connections.get("default")
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            original = getattr(client, name)

            async def counted(query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
                self.statements.append(query)
                return await _original(query, *args, **kw)

            monkeypatch.setattr(client, name, counted)
