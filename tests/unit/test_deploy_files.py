"""The container files say what the code needs: Docker cannot run on this machine, so the
Dockerfile, compose.yaml and the Caddyfile are checked here (the compose file against the
Compose Specification's schema, the Caddyfile by Caddy itself, which tests/integration/
test_proxy.py also runs in front of two real processes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_stages() -> dict[str, list[str]]:
    """Instructions of each stage, by stage name, continuation lines joined."""
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.upper().startswith("FROM "):
            name = line.split()[-1] if " AS " in line.upper() else str(len(stages))
            current = stages.setdefault(name, [])
        current.append(line)
    return stages


def test_the_image_copies_every_package_and_module_the_project_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    setuptools = project["tool"]["setuptools"]
    packages = {pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]}
    modules = {f"{name}.py" for name in setuptools["py-modules"]}
    copied: set[str] = set()
    for line in dockerfile_stages()["server"]:
        words = line.split()
        if words[0].upper() == "COPY" and not any(w.startswith("--from") for w in words):
            copied.update(word.rstrip("/") for word in words[1:-1])
    missing = sorted((packages | modules) - copied)
    assert not missing, f"the server image would lack {missing}: COPY them in the Dockerfile"


def test_the_server_runs_unprivileged_and_is_health_checked() -> None:
    server = dockerfile_stages()["server"]
    users = [line.split()[1] for line in server if line.upper().startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    last_user = max(i for i, line in enumerate(server) if line.upper().startswith("USER "))
    command = max(i for i, line in enumerate(server) if line.upper().startswith("CMD "))
    assert last_user < command
    assert any(line.upper().startswith("HEALTHCHECK") and "/healthz" in line for line in server)
    for stage in dockerfile_stages().values():
        image = stage[0].split()[1]
        assert ":" in image and not image.endswith(":latest"), f"pin {image} to a release"


def test_compose_follows_the_compose_specification() -> None:
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is a test dependency (pip install -e '.[test]')"
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", str(ROOT / "compose.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_two_processes_on_postgres_and_redis_behind_the_proxy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    fixhubs = [name for name, service in services.items() if service.get("build") == "."]
    assert len(fixhubs) == 2
    proxy = services["proxy"]
    proxy_address = proxy["networks"]["fixhub"]["ipv4_address"]
    for name in fixhubs:
        service = services[name]
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["BROADCAST_URL"].startswith("redis://redis:")
        assert env["FORWARDED_ALLOW_IPS"] == proxy_address  # only the proxy is believed
        assert "ports" not in service  # reachable through the proxy only
        assert set(service["depends_on"]) == {"postgres", "redis"}
    assert set(proxy["environment"]["FIXHUB_UPSTREAMS"].split()) == {
        f"{name}:8000" for name in fixhubs
    }


@pytest.mark.skipif(
    shutil.which("caddy") is None and not os.environ.get("CI"),
    reason="Caddy is not installed (apt-get install -y caddy; .ci/run installs it)",
)
def test_caddy_accepts_the_caddyfile_and_balances_the_upstreams() -> None:
    assert shutil.which("caddy"), "CI needs Caddy: apt-get install -y caddy"
    env = {**os.environ, "FIXHUB_UPSTREAMS": "10.0.0.1:8000 10.0.0.2:8000", "PROXY_PORT": "9"}
    done = subprocess.run(
        ["caddy", "adapt", "--config", str(ROOT / "deploy/Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [server] = json.loads(done.stdout)["apps"]["http"]["servers"].values()
    blocked, proxied = server["routes"]
    assert blocked["match"] == [{"path": ["/metrics"]}]  # scraped per process, not publicly
    assert blocked["handle"] == [{"handler": "static_response", "status_code": 404}]
    [handler] = proxied["handle"]
    assert server["listen"] == [":9"]
    assert [u["dial"] for u in handler["upstreams"]] == ["10.0.0.1:8000", "10.0.0.2:8000"]
    assert handler["health_checks"]["active"]["uri"] == "/readyz"
