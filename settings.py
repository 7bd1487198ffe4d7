"""One settings object, read from the environment once at start-up.

Everything tunable lives here so a reader can see every knob in one place; the README's
configuration table mirrors this file.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite://./data/fixhub.sqlite3"
DEFAULT_BROADCAST_URL = "memory://"
# The built web app (cd webapp && npm ci && npm run build), served at / and as GraphiQL.
# Relative to the working directory, like the default database: the repository when run as
# the README says, /app in the container (where settings.py itself is in site-packages).
DEFAULT_WEBAPP_DIST = "webapp/dist"
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


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"{name} must be above 0, got {raw!r}")
    return value


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


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
    # ISO 4217 code stored on new jobs and projects (and so on their quotes, contracts, plans);
    # amounts stay integer cents of it. Existing rows keep the currency they were made in.
    currency: str = "CNY"
    # Request protection
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    # Bounded before validation: graphql-core's overlap rule is quadratic in repeats.
    max_selections: int = 1000
    max_field_repeats: int = 10
    # The most fields one operation (or one event of a subscription) may answer with, counting
    # every list as full (web/cost.py).
    max_query_cost: int = 4000
    # Sign-in: every attempt from one address, and failures per (account, address) pair, per
    # login window; failures per account from all addresses together, per (longer) account
    # window. A stranger's guesses lock out only the stranger's own address; the per-account
    # ceiling keeps brute force from many addresses slow (one address alone, at 5 per 5 min,
    # cannot reach 100 per hour).
    login_attempts_per_address: int = 20
    login_failures_per_account_address: int = 5
    login_window_seconds: int = 300
    login_failures_per_account: int = 100
    login_account_window_seconds: int = 3600
    # Each registration costs an argon2 hash: attempts per client address per window.
    registrations_per_address: int = 20
    registration_window_seconds: int = 3600
    # Enterprise invitations an owner may send per window (over all their enterprises): each
    # may notify someone, so a flood is spam.
    invitations_per_owner: int = 30
    invitation_window_seconds: int = 3600
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: IPs or CIDRs, or "*".
    # Empty (the default): the headers are ignored and the socket's peer is the client.
    forwarded_allow_ips: tuple[str, ...] = ()
    # Origins (scheme://host[:port]) of a front end hosted elsewhere that may call /graphql from
    # a browser. Empty (the default): no CORS headers; the web app fixhub serves is same-origin.
    cors_allow_origins: tuple[str, ...] = ()
    # On SIGTERM a process stops accepting, closes its WebSockets with 1012 (clients reconnect,
    # through a proxy to another process) and gives requests in flight this long to finish.
    # Below compose.yaml's stop_grace_period (30 s), so the drain ends before a kill.
    shutdown_timeout_seconds: int = 20
    # "text" for a terminal, "json" for a log pipeline (one JSON object per line).
    log_format: str = "text"
    # Realtime
    subscriber_queue_size: int = 1024
    # Prefix of every Redis channel and key, so several deployments can share one Redis.
    namespace: str = ""
    ws_connection_init_timeout_seconds: float = 3.0
    # The outbox (resolvers/relay.py): how long a published event is kept so that a client
    # that was away can resume with `after` (a day covers a phone left overnight), and how
    # often the relay looks for events nobody woke it for (a process died between commit
    # and publish, or the bus was down); normally it is woken right after each commit.
    outbox_retention_seconds: int = 24 * 3600
    outbox_poll_seconds: float = 1.0
    # Tests only (refused in production): the process kills itself with SIGKILL right after
    # committing a transaction that stored an event of this type, before the relay ran.
    test_kill_after_commit: str = ""
    ws_max_subscriptions_per_socket: int = 100
    # A person with a phone, a laptop and a few tabs open holds well under this; one user
    # holding hundreds of sockets (each ~30-70 KiB) is an attack on the process's memory.
    ws_max_sockets_per_user: int = 16
    ws_max_sockets_per_address: int = 64
    # Operations (live subscriptions and queries in flight) of one account, or one anonymous
    # address, over all its sockets in this process. Each live subscription holds its parsed
    # document (~400 bytes a token): without a cap over the sockets, 16 sockets x 100
    # subscriptions of distinct documents held over a gigabyte for one user.
    ws_max_operations_per_user: int = 100
    # A subscription's document is held for as long as it is live, so it may be smaller than
    # a query's (MAX_TOKENS): a subscription selects one root field.
    max_subscription_tokens: int = 500
    webapp_dist: str = DEFAULT_WEBAPP_DIST
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


def _currency(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise SettingsError(f"CURRENCY must be a three-letter ISO 4217 code like CNY, got {raw!r}")
    return code


def _trusted_proxies(raw: str) -> tuple[str, ...]:
    """FORWARDED_ALLOW_IPS: a comma list of IPs or CIDRs, or "*" (trust every peer)."""
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    if entries == ("*",):
        return entries
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                "FORWARDED_ALLOW_IPS must be a comma-separated list of IP addresses or CIDR "
                f"networks of your reverse proxies (or * to trust every peer), got {entry!r}"
            ) from None
    return entries


def _origins(raw: str) -> tuple[str, ...]:
    """CORS_ALLOW_ORIGINS: a comma list of exact origins such as https://app.example.com."""
    origins = tuple(entry.strip().rstrip("/") for entry in raw.split(",") if entry.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if (
            origin == "*"
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or (parts.path or parts.query or parts.fragment)
        ):
            raise SettingsError(
                "CORS_ALLOW_ORIGINS must list exact origins (scheme://host[:port], comma-"
                f"separated) of the front ends allowed to call the API, got {origin!r}"
            )
    return origins


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    if env.get("LOGIN_ATTEMPTS_PER_ACCOUNT"):
        raise SettingsError(
            "LOGIN_ATTEMPTS_PER_ACCOUNT was replaced, so that a stranger's guesses no longer "
            "lock the owner out: set LOGIN_FAILURES_PER_ACCOUNT_ADDRESS (failures per account "
            "from one address, per LOGIN_WINDOW_SECONDS) and LOGIN_FAILURES_PER_ACCOUNT "
            "(failures per account from all addresses, per LOGIN_ACCOUNT_WINDOW_SECONDS)"
        )
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
        currency=_currency(env.get("CURRENCY") or Settings.currency),
        webapp_dist=env.get("WEBAPP_DIST") or DEFAULT_WEBAPP_DIST,
        max_query_depth=_int(env, "MAX_QUERY_DEPTH", Settings.max_query_depth),
        max_aliases=_int(env, "MAX_ALIASES", Settings.max_aliases),
        max_tokens=_int(env, "MAX_TOKENS", Settings.max_tokens),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", Settings.max_body_bytes),
        max_selections=_int(env, "MAX_SELECTIONS", Settings.max_selections),
        max_field_repeats=_int(env, "MAX_FIELD_REPEATS", Settings.max_field_repeats),
        max_query_cost=_int(env, "MAX_QUERY_COST", Settings.max_query_cost),
        login_attempts_per_address=_int(
            env, "LOGIN_ATTEMPTS_PER_ADDRESS", Settings.login_attempts_per_address
        ),
        login_failures_per_account_address=_int(
            env,
            "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS",
            Settings.login_failures_per_account_address,
        ),
        login_window_seconds=_int(env, "LOGIN_WINDOW_SECONDS", Settings.login_window_seconds),
        login_failures_per_account=_int(
            env, "LOGIN_FAILURES_PER_ACCOUNT", Settings.login_failures_per_account
        ),
        login_account_window_seconds=_int(
            env, "LOGIN_ACCOUNT_WINDOW_SECONDS", Settings.login_account_window_seconds
        ),
        registrations_per_address=_int(
            env, "REGISTRATIONS_PER_ADDRESS", Settings.registrations_per_address
        ),
        registration_window_seconds=_int(
            env, "REGISTRATION_WINDOW_SECONDS", Settings.registration_window_seconds
        ),
        invitations_per_owner=_int(env, "INVITATIONS_PER_OWNER", Settings.invitations_per_owner),
        invitation_window_seconds=_int(
            env, "INVITATION_WINDOW_SECONDS", Settings.invitation_window_seconds
        ),
        forwarded_allow_ips=_trusted_proxies(env.get("FORWARDED_ALLOW_IPS", "")),
        cors_allow_origins=_origins(env.get("CORS_ALLOW_ORIGINS", "")),
        shutdown_timeout_seconds=_int(
            env, "SHUTDOWN_TIMEOUT_SECONDS", Settings.shutdown_timeout_seconds
        ),
        log_format=_choice(env, "LOG_FORMAT", ("text", "json"), Settings.log_format),
        subscriber_queue_size=_int(env, "SUBSCRIBER_QUEUE_SIZE", Settings.subscriber_queue_size),
        namespace=env.get("FIXHUB_NAMESPACE", ""),
        ws_max_sockets_per_user=_int(
            env, "WS_MAX_SOCKETS_PER_USER", Settings.ws_max_sockets_per_user
        ),
        ws_max_sockets_per_address=_int(
            env, "WS_MAX_SOCKETS_PER_ADDRESS", Settings.ws_max_sockets_per_address
        ),
        ws_max_operations_per_user=_int(
            env, "WS_MAX_OPERATIONS_PER_USER", Settings.ws_max_operations_per_user
        ),
        max_subscription_tokens=_int(
            env, "MAX_SUBSCRIPTION_TOKENS", Settings.max_subscription_tokens
        ),
        outbox_retention_seconds=_int(
            env, "OUTBOX_RETENTION_SECONDS", Settings.outbox_retention_seconds
        ),
        outbox_poll_seconds=_float(env, "OUTBOX_POLL_SECONDS", Settings.outbox_poll_seconds),
        test_kill_after_commit=env.get("FIXHUB_TEST_KILL_AFTER_COMMIT", ""),
    )
    for name, value, low, high in [
        ("MAX_QUOTES_PER_JOB", settings.max_quotes_per_job, 1, 100),
        ("MATCH_LIMIT", settings.match_limit, 1, 500),
        ("MAX_PAGE_SIZE", settings.max_page_size, 1, 1000),
        ("MAX_SELECTIONS", settings.max_selections, 10, 100_000),
        ("MAX_FIELD_REPEATS", settings.max_field_repeats, 1, 1000),
        ("MAX_QUERY_COST", settings.max_query_cost, 10, 100_000_000),
        ("WS_MAX_SOCKETS_PER_USER", settings.ws_max_sockets_per_user, 1, 10_000),
        ("WS_MAX_SOCKETS_PER_ADDRESS", settings.ws_max_sockets_per_address, 1, 100_000),
        ("WS_MAX_OPERATIONS_PER_USER", settings.ws_max_operations_per_user, 1, 1_000_000),
        ("MAX_SUBSCRIPTION_TOKENS", settings.max_subscription_tokens, 50, 1_000_000),
        ("SHUTDOWN_TIMEOUT_SECONDS", settings.shutdown_timeout_seconds, 1, 3600),
        ("REVIEW_WINDOW_DAYS", settings.review_window_days, 1, 365),
        ("LOGIN_ATTEMPTS_PER_ADDRESS", settings.login_attempts_per_address, 1, 1_000_000),
        (
            "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS",
            settings.login_failures_per_account_address,
            1,
            1_000_000,
        ),
        ("LOGIN_WINDOW_SECONDS", settings.login_window_seconds, 1, 7 * 86_400),
        ("LOGIN_FAILURES_PER_ACCOUNT", settings.login_failures_per_account, 1, 1_000_000),
        ("LOGIN_ACCOUNT_WINDOW_SECONDS", settings.login_account_window_seconds, 1, 7 * 86_400),
        ("REGISTRATIONS_PER_ADDRESS", settings.registrations_per_address, 1, 1_000_000),
        ("REGISTRATION_WINDOW_SECONDS", settings.registration_window_seconds, 1, 7 * 86_400),
        ("INVITATIONS_PER_OWNER", settings.invitations_per_owner, 1, 1_000_000),
        ("INVITATION_WINDOW_SECONDS", settings.invitation_window_seconds, 1, 7 * 86_400),
        ("OUTBOX_RETENTION_SECONDS", settings.outbox_retention_seconds, 60, 365 * 86_400),
    ]:
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    if settings.test_kill_after_commit and environment == "production":
        raise SettingsError("FIXHUB_TEST_KILL_AFTER_COMMIT is for tests; unset it in production")
    secret = env.get("SECRET_KEY")
    needs_own_secret = settings.uses_shared_services or environment == "production"
    if secret:
        if len(secret) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        if secret != DEVELOPMENT_SECRET_KEY:
            return settings.with_overrides(secret_key=secret, secret_key_is_default=False)
        if needs_own_secret:
            # The development key is published in the source: anyone could sign ADMIN tokens.
            raise SettingsError(
                "SECRET_KEY is set to the published development key, which anyone can use to "
                "forge tokens; it is refused when DATABASE_URL or BROADCAST_URL point at shared "
                "services (or FIXHUB_ENV=production). Generate a secret of your own with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        # On the embedded default it is the default, with the same loud warning.
    if needs_own_secret:
        raise SettingsError(
            "SECRET_KEY is required when DATABASE_URL or BROADCAST_URL point at shared services "
            "(or FIXHUB_ENV=production): every process must sign tokens with the same secret. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    # The caller (server.py) prints a loud warning for secret_key_is_default.
    return settings


# For the `tortoise` command line (makemigrations): the embedded default database.
TORTOISE_ORM = tortoise_config(DEFAULT_DATABASE_URL)
