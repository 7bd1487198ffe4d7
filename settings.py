"""One settings object, read from the environment once at start-up.

Everything tunable lives here so a reader can see every knob in one place; the README's
configuration table mirrors this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite://./data/fixhub.sqlite3"
DEFAULT_BROADCAST_URL = "memory://"
# Only ever used on the embedded default, and always with a loud warning.
DEVELOPMENT_SECRET_KEY = "fixhub-development-secret-do-not-use-in-production"


class SettingsError(Exception):
    """The configuration cannot work; the message says what to change."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    broadcast_url: str = DEFAULT_BROADCAST_URL
    secret_key: str = DEVELOPMENT_SECRET_KEY
    secret_key_is_default: bool = True
    # "development" serves GraphiQL and introspection; "production" turns both off and hides
    # field suggestions in error messages.
    environment: str = "development"
    token_ttl_seconds: int = 7 * 24 * 3600
    # Marketplace rules
    max_quotes_per_job: int = 5
    match_limit: int = 20
    # A job accepted this long ago closes even if a review is missing.
    review_window_days: int = 14
    max_page_size: int = 100
    # Request protection
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    login_attempts_per_account: int = 5
    login_attempts_per_address: int = 20
    login_window_seconds: int = 300
    # Realtime
    subscriber_queue_size: int = 1024
    # Prefix of every Redis channel and key, so several deployments can share one Redis.
    namespace: str = ""
    ws_connection_init_timeout_seconds: float = 3.0
    ws_max_subscriptions_per_socket: int = 100
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def introspection(self) -> bool:
        return self.environment != "production"

    @property
    def graphiql(self) -> bool:
        return self.environment != "production"

    @property
    def uses_shared_services(self) -> bool:
        """True when another process could share our database or bus (scale-out mode)."""
        return not self.database_url.startswith("sqlite") or not self.broadcast_url.startswith(
            "memory"
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def tortoise_config(self) -> dict[str, Any]:
        return tortoise_config(self.database_url)


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            "fixhub": {
                "models": ["models"],
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    broadcast_url = env.get("BROADCAST_URL") or DEFAULT_BROADCAST_URL
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        raise SettingsError(
            f"DATABASE_URL must start with sqlite:// or postgres://, got {database_url!r}"
        )
    if not broadcast_url.startswith(("memory://", "redis://", "rediss://")):
        raise SettingsError(
            f"BROADCAST_URL must be memory:// or redis://host:port/db, got {broadcast_url!r}"
        )
    environment = env.get("FIXHUB_ENV", "development")
    if environment not in {"development", "production"}:
        raise SettingsError(f"FIXHUB_ENV must be development or production, got {environment!r}")
    settings = Settings(
        database_url=database_url,
        broadcast_url=broadcast_url,
        environment=environment,
        token_ttl_seconds=_int(env, "TOKEN_TTL_SECONDS", Settings.token_ttl_seconds),
        max_quotes_per_job=_int(env, "MAX_QUOTES_PER_JOB", Settings.max_quotes_per_job),
        match_limit=_int(env, "MATCH_LIMIT", Settings.match_limit),
        review_window_days=_int(env, "REVIEW_WINDOW_DAYS", Settings.review_window_days),
        max_page_size=_int(env, "MAX_PAGE_SIZE", Settings.max_page_size),
        max_query_depth=_int(env, "MAX_QUERY_DEPTH", Settings.max_query_depth),
        max_aliases=_int(env, "MAX_ALIASES", Settings.max_aliases),
        max_tokens=_int(env, "MAX_TOKENS", Settings.max_tokens),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", Settings.max_body_bytes),
        login_attempts_per_account=_int(
            env, "LOGIN_ATTEMPTS_PER_ACCOUNT", Settings.login_attempts_per_account
        ),
        login_attempts_per_address=_int(
            env, "LOGIN_ATTEMPTS_PER_ADDRESS", Settings.login_attempts_per_address
        ),
        login_window_seconds=_int(env, "LOGIN_WINDOW_SECONDS", Settings.login_window_seconds),
        subscriber_queue_size=_int(env, "SUBSCRIBER_QUEUE_SIZE", Settings.subscriber_queue_size),
        namespace=env.get("FIXHUB_NAMESPACE", ""),
    )
    for name, value, low, high in [
        ("MAX_QUOTES_PER_JOB", settings.max_quotes_per_job, 1, 100),
        ("MATCH_LIMIT", settings.match_limit, 1, 500),
        ("MAX_PAGE_SIZE", settings.max_page_size, 1, 1000),
        ("REVIEW_WINDOW_DAYS", settings.review_window_days, 1, 365),
    ]:
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    secret = env.get("SECRET_KEY")
    if secret:
        if len(secret) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        return settings.with_overrides(secret_key=secret, secret_key_is_default=False)
    if settings.uses_shared_services or environment == "production":
        raise SettingsError(
            "SECRET_KEY is required when DATABASE_URL or BROADCAST_URL point at shared services "
            "(or FIXHUB_ENV=production): every process must sign tokens with the same secret. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    # The caller (server.py) prints a loud warning for secret_key_is_default.
    return settings


# For the `tortoise` command line (makemigrations): the embedded default database.
TORTOISE_ORM = tortoise_config(DEFAULT_DATABASE_URL)
