"""Start-up configuration: safe defaults only where they are safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from settings import SettingsError, load_settings

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
