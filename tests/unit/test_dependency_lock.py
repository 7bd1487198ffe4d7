"""requirements.lock (what CI and the README install) agrees with pyproject.toml's ranges (what
fixhub supports): every direct dependency is pinned there, at a version its range allows."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def locked_versions() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        [specifier] = requirement.specifier
        assert specifier.operator == "==", f"not a pin: {line}"
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def direct_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [Requirement(line) for line in lines]


def test_every_direct_dependency_is_locked_within_its_range() -> None:
    pins = locked_versions()
    problems = []
    for requirement in direct_requirements():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        pinned = pins.get(name)
        if pinned is None:
            problems.append(f"{requirement} is not in requirements.lock")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{name}=={pinned} is outside {requirement.specifier}")
    assert not problems, (
        "regenerate the lock (the command at the top of requirements.lock): " + "; ".join(problems)
    )


def test_the_lock_holds_what_each_platform_needs() -> None:
    # uvloop does not build on Windows: the lock keeps pyproject's marker, so one lock serves
    # every platform (compiled with --universal).
    line = next(
        line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line.startswith("uvloop==")
    )
    assert Requirement(line).marker == Marker("sys_platform != 'win32'")
