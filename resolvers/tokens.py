"""Passwords (argon2) and signed, expiring access tokens (JWT, HS256)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import User

_hasher = PasswordHasher()
ISSUER = "fixhub"
# Verified against when the email is unknown, so a failed login takes the same time either way.
_DUMMY_HASH = _hasher.hash("fixhub-timing-equaliser")


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
            return _hasher.verify(password_hash or _DUMMY_HASH, secret) and bool(password_hash)
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


def user_id_from_token(token: str, secret: str) -> int:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
        subject = claims["sub"]
        # A signed token can still carry any subject: only a positive 32-bit id names a user.
        if not (isinstance(subject, str) and subject.isascii() and subject.isdigit()):
            raise ValueError("sub is not a user id")
        if len(subject) > 10 or not 0 < int(subject) <= 2**31 - 1:
            raise ValueError("sub is not a user id")
        return int(subject)
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from None


def token_expiry(header_value: str | None, secret: str) -> float | None:
    """When an already accepted `Authorization` value stops being valid (a UNIX time); None for
    anonymous. A WebSocket session ends then: it must not outlive its token."""
    token = bearer_token(header_value)
    if token is None:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER)
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    return float(claims["exp"])


def bearer_token(header_value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when absent."""
    if not header_value:
        return None
    scheme, _, token = header_value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return token.strip()


async def viewer_from_authorization(header_value: str | None, secret: str) -> User | None:
    """None for anonymous; InvalidToken for a bad, expired or orphaned token."""
    token = bearer_token(header_value)
    if token is None:
        return None
    user = await User.get_or_none(id=user_id_from_token(token, secret))
    if user is None:
        raise InvalidToken("the token's account no longer exists")
    return user
