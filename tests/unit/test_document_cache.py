"""The document cache keeps what clients send again, and only a bounded amount of it."""

from __future__ import annotations

import pytest

from schema import schema
from settings import Settings
from web import engine as engine_module
from web.engine import Engine, RequestError


@pytest.fixture
def engine() -> Engine:
    return Engine(schema._schema, Settings(secret_key="k" * 40, secret_key_is_default=False))


async def test_a_document_is_cached_on_its_second_sight(engine: Engine) -> None:
    query = "{ me { id } }"
    first = await engine.prepare(query)
    second = await engine.prepare(query)
    third = await engine.prepare(query)
    assert first is not second  # a one-off document is not kept
    assert second is third  # a repeated one is


async def test_one_off_documents_are_never_kept(engine: Engine) -> None:
    for nonce in range(200):
        await engine.prepare(f"query Q{nonce} {{ me {{ id }} }}")
    assert engine._cache == {}


async def test_the_cache_is_bounded_by_the_text_it_holds(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "CACHE_TEXT", 1000)
    for nonce in range(100):
        query = f"query Q{nonce} {{ me {{ id displayName }} }}"
        await engine.prepare(query)
        await engine.prepare(query)
    assert 0 < sum(len(text) for text in engine._cache) <= 1000
    assert "query Q99 { me { id displayName } }" in engine._cache  # the newest are kept


async def test_a_refused_document_is_refused_again_from_the_cache(engine: Engine) -> None:
    for _ in range(3):
        with pytest.raises(RequestError, match="Cannot query field 'nope'"):
            await engine.prepare("{ nope }")
