"""Start-up configuration: safe defaults only where they are safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from settings import DEVELOPMENT_SECRET_KEY, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_default_needs_no_configuration() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite://./data/fixhub.sqlite3"
    assert settings.broadcast_url == "memory://"
    assert settings.secret_key_is_default


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgres://root@127.0.0.1:5432/fixhub"},
        {"BROADCAST_URL": "redis://127.0.0.1:6379/0"},
        {"FIXHUB_ENV": "production"},
    ],
)
def test_shared_services_require_a_secret_key(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        load_settings(env)


def test_short_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({"SECRET_KEY": "short"})


def test_bad_urls_are_named() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings({"DATABASE_URL": "mysql://x"})
    with pytest.raises(SettingsError, match="BROADCAST_URL"):
        load_settings({"BROADCAST_URL": "kafka://x"})


def test_outbox_settings_have_defaults_and_refuse_nonsense() -> None:
    settings = load_settings({})
    assert settings.outbox_retention_seconds == 86_400 and settings.outbox_poll_seconds == 1.0
    assert load_settings({"OUTBOX_POLL_SECONDS": "0.25"}).outbox_poll_seconds == 0.25
    with pytest.raises(SettingsError, match="OUTBOX_POLL_SECONDS"):
        load_settings({"OUTBOX_POLL_SECONDS": "0"})
    with pytest.raises(SettingsError, match="OUTBOX_POLL_SECONDS"):
        load_settings({"OUTBOX_POLL_SECONDS": "soon"})
    with pytest.raises(SettingsError, match="OUTBOX_RETENTION_SECONDS"):
        load_settings({"OUTBOX_RETENTION_SECONDS": "5"})


def test_the_test_kill_hook_is_refused_in_production() -> None:
    env = {"FIXHUB_ENV": "production", "SECRET_KEY": "x" * 40}
    assert load_settings(env).test_kill_after_commit == ""
    with pytest.raises(SettingsError, match="FIXHUB_TEST_KILL_AFTER_COMMIT"):
        load_settings({**env, "FIXHUB_TEST_KILL_AFTER_COMMIT": "quote.submitted"})


def _run_server(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "server.py", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_several_workers_on_the_memory_bus_are_refused() -> None:
    result = _run_server("--workers", "2", env={})
    assert result.returncode == 2
    assert "BROADCAST_URL=redis://" in result.stderr


def test_postgres_without_secret_refuses_to_start() -> None:
    result = _run_server(env={"DATABASE_URL": "postgres://root@127.0.0.1:5432/fixhub"})
    assert result.returncode == 2
    assert "SECRET_KEY is required" in result.stderr


def test_the_published_development_key_is_accepted_only_on_the_embedded_default() -> None:
    settings = load_settings({"SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert settings.secret_key_is_default  # so server.py still prints its loud warning


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgres://root@127.0.0.1:5432/fixhub"},
        {"BROADCAST_URL": "redis://127.0.0.1:6379/0"},
        {"FIXHUB_ENV": "production"},
    ],
)
def test_the_published_development_key_is_refused_where_a_secret_is_required(
    env: dict[str, str],
) -> None:
    with pytest.raises(SettingsError, match="published development key") as refused:
        load_settings({**env, "SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert "secrets.token_urlsafe(48)" in str(refused.value)


def test_a_short_secret_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be at least 32 characters long"):
        load_settings({"FIXHUB_ENV": "production", "SECRET_KEY": "x" * 31})
    assert load_settings({"FIXHUB_ENV": "production", "SECRET_KEY": "x" * 32}).secret_key == (
        "x" * 32
    )


def test_production_with_the_development_key_refuses_to_start() -> None:
    result = _run_server(env={"FIXHUB_ENV": "production", "SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert result.returncode == 2
    assert "fixhub: cannot start: SECRET_KEY is set to the published development key" in (
        result.stderr
    )


def test_sign_in_and_registration_limits_have_safe_defaults() -> None:
    settings = load_settings({})
    assert (settings.login_attempts_per_address, settings.login_window_seconds) == (20, 300)
    assert settings.login_failures_per_account_address == 5
    assert (settings.login_failures_per_account, settings.login_account_window_seconds) == (
        100,
        3600,
    )
    assert (settings.registrations_per_address, settings.registration_window_seconds) == (
        20,
        3600,
    )
    # One address alone cannot reach the per-account ceiling within its window.
    windows = settings.login_account_window_seconds // settings.login_window_seconds
    assert settings.login_failures_per_account_address * windows < (
        settings.login_failures_per_account
    )


def test_sign_in_and_registration_limits_are_configurable() -> None:
    settings = load_settings(
        {
            "LOGIN_ATTEMPTS_PER_ADDRESS": "50",
            "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS": "3",
            "LOGIN_WINDOW_SECONDS": "600",
            "LOGIN_FAILURES_PER_ACCOUNT": "40",
            "LOGIN_ACCOUNT_WINDOW_SECONDS": "7200",
            "REGISTRATIONS_PER_ADDRESS": "5",
            "REGISTRATION_WINDOW_SECONDS": "86400",
            "INVITATIONS_PER_OWNER": "12",
            "INVITATION_WINDOW_SECONDS": "1800",
        }
    )
    assert settings.login_attempts_per_address == 50
    assert settings.login_failures_per_account_address == 3
    assert settings.login_window_seconds == 600
    assert settings.login_failures_per_account == 40
    assert settings.login_account_window_seconds == 7200
    assert settings.registrations_per_address == 5
    assert settings.registration_window_seconds == 86400
    assert settings.invitations_per_owner == 12
    assert settings.invitation_window_seconds == 1800


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOGIN_FAILURES_PER_ACCOUNT", "0", "LOGIN_FAILURES_PER_ACCOUNT must be between 1 and"),
        ("REGISTRATIONS_PER_ADDRESS", "-1", "REGISTRATIONS_PER_ADDRESS must be between 1 and"),
        ("LOGIN_WINDOW_SECONDS", "0", "LOGIN_WINDOW_SECONDS must be between 1 and"),
        ("REGISTRATION_WINDOW_SECONDS", "x", "REGISTRATION_WINDOW_SECONDS must be an integer"),
        ("INVITATIONS_PER_OWNER", "0", "INVITATIONS_PER_OWNER must be between 1 and"),
        ("INVITATION_WINDOW_SECONDS", "0", "INVITATION_WINDOW_SECONDS must be between 1 and"),
    ],
)
def test_bad_limits_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({name: value})


def test_the_replaced_per_account_setting_is_refused_with_its_successors() -> None:
    with pytest.raises(SettingsError, match="LOGIN_ATTEMPTS_PER_ACCOUNT was replaced") as refused:
        load_settings({"LOGIN_ATTEMPTS_PER_ACCOUNT": "5"})
    assert "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS" in str(refused.value)


def test_no_proxy_is_trusted_by_default() -> None:
    assert load_settings({}).forwarded_allow_ips == ()


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("127.0.0.1", ("127.0.0.1",)),
        (" 10.0.0.0/8 , ::1 ", ("10.0.0.0/8", "::1")),
        ("*", ("*",)),
    ],
)
def test_trusted_proxies_are_ips_or_networks(raw: str, parsed: tuple[str, ...]) -> None:
    assert load_settings({"FORWARDED_ALLOW_IPS": raw}).forwarded_allow_ips == parsed


@pytest.mark.parametrize("raw", ["proxy.internal", "10.0.0.0/33", "*,10.0.0.1"])
def test_bad_trusted_proxies_are_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="FORWARDED_ALLOW_IPS must be a comma-separated list"):
        load_settings({"FORWARDED_ALLOW_IPS": raw})


def test_document_shape_limits_are_read_and_bounded() -> None:
    settings = load_settings({"MAX_SELECTIONS": "500", "MAX_FIELD_REPEATS": "3"})
    assert (settings.max_selections, settings.max_field_repeats) == (500, 3)
    with pytest.raises(SettingsError, match="MAX_FIELD_REPEATS must be between 1 and 1000"):
        load_settings({"MAX_FIELD_REPEATS": "0"})


def test_socket_caps_are_read_and_bounded() -> None:
    settings = load_settings({"WS_MAX_SOCKETS_PER_USER": "4", "WS_MAX_SOCKETS_PER_ADDRESS": "9"})
    assert (settings.ws_max_sockets_per_user, settings.ws_max_sockets_per_address) == (4, 9)
    with pytest.raises(SettingsError, match="WS_MAX_SOCKETS_PER_USER must be between 1 and"):
        load_settings({"WS_MAX_SOCKETS_PER_USER": "0"})


def test_currency_defaults_to_cny_and_takes_an_iso_code() -> None:
    assert load_settings({}).currency == "CNY"
    assert load_settings({"CURRENCY": " eur "}).currency == "EUR"
    for bad in ("EURO", "€", "E1R"):
        with pytest.raises(SettingsError, match="CURRENCY must be a three-letter ISO 4217 code"):
            load_settings({"CURRENCY": bad})
