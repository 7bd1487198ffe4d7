"""Passwords (argon2) and signed, expiring access tokens (JWT, HS256)."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import User
from resolvers.validation import MAX_ROW_ID, row_id

_hasher = PasswordHasher()
ISSUER = "fixhub"


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so a failed login takes the same time either
    way. Made on first need with the hasher in use (one hash at production cost, ~0.2 s of CPU
    and 64 MiB), not at import: every process that imports the resolvers (each server worker,
    each CLI command such as print-schema) would pay for it at start-up. (The first unknown-email
    sign-in of a process pays for it instead, once.)"""
    return hasher.hash("fixhub-timing-equaliser")


class InvalidToken(Exception):
    pass


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow; keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            # surrogatepass: a lone surrogate is still checked (and fails), never a crash
            secret = password.encode("utf-8", "surrogatepass")
            checked = password_hash or _dummy_hash(_hasher)
            return _hasher.verify(checked, secret) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def issue_token(user: User, secret: str, ttl_seconds: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "role": user.role.value,
        "iss": ISSUER,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _subject_and_expiry(token: str, secret: str) -> tuple[int, float]:
    """The user id a valid token names and when it expires (a UNIX time): one decode."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    subject = claims["sub"]
    # A signed token can still carry any subject: only a positive 32-bit id names a user.
    user_id = row_id(subject, MAX_ROW_ID) if isinstance(subject, str) else None
    if not user_id:
        raise InvalidToken("sub is not a user id")
    return user_id, float(claims["exp"])


def user_id_from_token(token: str, secret: str) -> int:
    return _subject_and_expiry(token, secret)[0]


def bearer_token(header_value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when absent."""
    if not header_value:
        return None
    scheme, _, token = header_value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return token.strip()


async def session_from_authorization(
    header_value: str | None, secret: str
) -> tuple[User | None, float | None]:
    """The viewer and when their token expires (a UNIX time); (None, None) for anonymous;
    InvalidToken for a bad, expired or orphaned token. A WebSocket session ends at that time:
    it must not outlive its token."""
    token = bearer_token(header_value)
    if token is None:
        return None, None
    user_id, expires_at = _subject_and_expiry(token, secret)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise InvalidToken("the token's account no longer exists")
    return user, expires_at


async def viewer_from_authorization(header_value: str | None, secret: str) -> User | None:
    """None for anonymous; InvalidToken for a bad, expired or orphaned token."""
    user, _ = await session_from_authorization(header_value, secret)
    return user
