"""Registering, signing in, and the worker's profile."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from errors import BadUserInput, Conflict, RateLimited, Unauthenticated
from matching.engine import reindex_worker
from models import Role, ServiceCategory, User, WorkerProfile
from resolvers import validation
from resolvers.context import Context
from resolvers.policy import require_role
from resolvers.ratelimit import enforce
from resolvers.tokens import hash_password, issue_token, verify_password

SELF_REGISTERED_ROLES = (Role.CUSTOMER, Role.WORKER, Role.ENTERPRISE_STAFF)
MAX_SERVICE_RADIUS_KM = 200.0


@dataclass
class Auth:
    token: str
    user: User


@dataclass
class WorkerProfileChange:
    categories: list[ServiceCategory]
    lat: float
    lng: float
    service_radius_km: float
    bio: str | None
    available: bool | None


async def register(ctx: Context, email: str, password: str, display_name: str, role: Role) -> Auth:
    if role not in SELF_REGISTERED_ROLES:
        raise BadUserInput("role must be CUSTOMER, WORKER or ENTERPRISE_STAFF.", "role")
    email = validation.email(email)
    password = validation.password(password)
    display_name = validation.text(display_name, "displayName", max_length=80)
    await _count_registration(ctx)
    if await User.filter(email=email).exists():
        raise Conflict("An account with this email already exists.", field="email")
    password_hash = await hash_password(password)
    try:
        user = await User.create(
            email=email, password_hash=password_hash, display_name=display_name, role=role
        )
    except IntegrityError:  # a concurrent registration won the unique index
        raise Conflict("An account with this email already exists.", field="email") from None
    return Auth(_token(ctx, user), user)


async def _count_registration(ctx: Context) -> None:
    """Every registration attempt from an address counts, before its argon2 hash is paid."""
    await enforce(
        ctx.limiter,
        f"register:address:{ctx.client_address}",
        limit=ctx.settings.registrations_per_address,
        window_seconds=ctx.settings.registration_window_seconds,
        reason="Too many registrations from this address",
    )


async def login(ctx: Context, email: str, password: str) -> Auth:
    """Signs in, counting the attempt before the password is checked.

    Each limit is an atomic hit that refuses once the count it returns exceeds the limit, so
    concurrent guesses cannot all pass a check made before any of them failed. The counters:
    every attempt from the address; failures of this account from this address (a successful
    sign-in clears them); failures of this account from every address, a higher ceiling over
    a longer window (a success takes its own attempt back). Unknown emails count like known
    ones, so the answers tell nothing about which accounts exist.
    """
    settings = ctx.settings
    normalized = email.strip().lower()
    # Keys of fixed size, whatever the client sent as an email.
    account = hashlib.sha256(normalized.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    address = ctx.client_address
    window = settings.login_window_seconds
    account_window = settings.login_account_window_seconds
    address_key = f"login:address:{address}"
    pair_key = f"login:pair:{account}:{address}"
    account_key = f"login:account:{account}"
    await enforce(
        ctx.limiter,
        address_key,
        limit=settings.login_attempts_per_address,
        window_seconds=window,
        reason="Too many sign-in attempts from this address",
    )
    await enforce(
        ctx.limiter,
        pair_key,
        limit=settings.login_failures_per_account_address,
        window_seconds=window,
        reason="Too many failed sign-ins for this account from this address",
    )
    try:
        await enforce(
            ctx.limiter,
            account_key,
            limit=settings.login_failures_per_account,
            window_seconds=account_window,
            reason="Too many failed sign-ins for this account",
        )
    except RateLimited:
        await ctx.limiter.release(pair_key, window)  # not checked, so not this pair's failure
        raise
    try:
        # An email registration would refuse (too long, malformed, NUL, lone surrogates) or
        # such a password names no stored account: as wrong as any unknown email.
        validation.storable(password, "password")
        user = await User.get_or_none(email=validation.email(normalized))
    except BadUserInput:
        user = None
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("Email or password is wrong.")
    await ctx.limiter.reset(pair_key)
    await ctx.limiter.release(account_key, account_window)
    return Auth(_token(ctx, user), user)


def _token(ctx: Context, user: User) -> str:
    return issue_token(user, ctx.settings.secret_key, ctx.settings.token_ttl_seconds)


async def update_worker_profile(ctx: Context, change: WorkerProfileChange) -> WorkerProfile:
    user = require_role(ctx.viewer, Role.WORKER)
    if not change.categories:
        raise BadUserInput("categories must list at least one service category.", "categories")
    lat, lng = validation.coordinates(change.lat, change.lng)
    radius = validation.number_between(
        change.service_radius_km, "serviceRadiusKm", 1, MAX_SERVICE_RADIUS_KM
    )
    bio = validation.optional_text(change.bio, "bio", max_length=2000)
    categories = sorted({category.value for category in change.categories})
    async with ctx.write():
        profile = await WorkerProfile.get_or_none(user_id=user.id)
        if profile is None:
            profile = WorkerProfile(user_id=user.id, available=True)
        profile.categories = categories
        profile.lat, profile.lng, profile.service_radius_km = lat, lng, radius
        profile.bio = bio
        if change.available is not None:
            profile.available = change.available
        await profile.save()
        await reindex_worker(profile)
    return profile
