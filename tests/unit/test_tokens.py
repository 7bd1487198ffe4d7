"""Passwords and tokens with their production parameters."""

from __future__ import annotations

import pytest

from models import Role, User
from resolvers.tokens import (
    InvalidToken,
    _hasher,
    bearer_token,
    issue_token,
    user_id_from_token,
)

SECRET = "unit-test-secret-that-is-long-enough-0123456789"


def test_passwords_use_argon2id_at_recommended_cost() -> None:
    encoded = _hasher.hash("correct horse battery")
    assert encoded.startswith("$argon2id$")
    assert "m=65536,t=3,p=4" in encoded


def test_token_round_trip_and_refusals() -> None:
    user = User(id=7, role=Role.WORKER)
    token = issue_token(user, SECRET, ttl_seconds=60)
    assert user_id_from_token(token, SECRET) == 7
    with pytest.raises(InvalidToken):
        user_id_from_token(token, SECRET + "x")
    with pytest.raises(InvalidToken):
        user_id_from_token(issue_token(user, SECRET, ttl_seconds=-1), SECRET)
    with pytest.raises(InvalidToken):
        bearer_token("Basic abc")
    assert bearer_token(None) is None
