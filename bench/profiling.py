"""Sampling profiles of a running fixhub server with py-spy (`pip install py-spy`), and the top
frames of a recording, for bench/compare.py --profile and by hand:

    py-spy record --pid PID --duration 15 --rate 100 --nonblocking --function \\
        --format raw --output profile.txt            # (add --subprocesses for --workers N)
    python bench/profiling.py profile.txt            # top frames, inclusive and self

`--format raw` writes collapsed stacks, one line per distinct stack: `root;...;leaf COUNT`, each
frame `function (file:line)`. Idle threads are not sampled (no --idle), so the percentages are
of the samples in which the server was on a CPU, i.e. of its CPU time.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# The frames every sample of the loop thread (or of aiosqlite's thread) passes through: 100 %
# inclusive, so they say nothing. Their *self* time still counts: Runner.run's own samples are
# uvloop's C event loop (polling, waking, its callbacks), which has no Python frames below it.
ROOTS = {
    "<module>",
    "main",
    "run",
    "Server.run",
    "asyncio_run",
    "Runner.run",
    "Thread._bootstrap",
    "Thread._bootstrap_inner",
    "Thread.run",
}
REPO_PREFIX = str(Path(__file__).resolve().parent.parent) + "/"
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def start(
    pid: int, seconds: float, output: Path, rate: int, subprocesses: bool
) -> subprocess.Popen[bytes]:
    """py-spy recording `pid` for `seconds`, in the background. --nonblocking: the server is
    not paused for each sample (a sample may be torn, but the measurement is not disturbed)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise FileNotFoundError("py-spy is not installed: pip install py-spy")
    command = [
        py_spy,
        "record",
        *("--pid", str(pid)),
        *("--duration", str(max(1, round(seconds)))),
        *("--rate", str(rate)),
        "--nonblocking",
        "--function",
        "--full-filenames",
        *("--format", "raw"),
        *("--output", str(output)),
    ]
    if subprocesses:
        command.append("--subprocesses")
    log = output.with_suffix(".log").open("wb")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def short(frame: str) -> str:
    """`function (/…/site-packages/pkg/mod.py:12)` -> `function (pkg/mod.py)`; the app's own
    files relative to the repository (`web/engine.py`), the standard library's as `stdlib/…`."""
    match = FRAME.match(frame)
    if not match:
        return frame
    return f"{match['function']} ({where(match['file'])})"


def where(path: str) -> str:
    if "site-packages/" in path:
        return path.rsplit("site-packages/", 1)[1]
    if path.startswith(REPO_PREFIX):
        return path.removeprefix(REPO_PREFIX)
    stdlib = re.search(r"/lib/python3\.\d+/(.*)$", path)
    if stdlib:
        return "stdlib/" + stdlib[1]
    return path


def package(frame: str) -> str:
    """The top-level package (or stdlib module, or fixhub layer such as `resolvers`)."""
    match = FRAME.match(frame)
    if not match:
        return frame
    parts = where(match["file"]).split("/")
    if parts[0] == "stdlib" and len(parts) > 1:
        return "stdlib/" + parts[1].removesuffix(".py")
    return parts[0].removesuffix(".py")


def top_frames(path: Path, limit: int = 25) -> str:
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [short(f) for f in stack.split(";") if "(" in f]
        for name in set(frames):
            if name.split(" (", 1)[0] not in ROOTS:
                inclusive[name] += count
        for name in {package(f) for f in stack.split(";") if "(" in f}:
            packages[name] += count
        if frames:
            own[frames[-1]] += count
    if not total:
        return f"(no samples in {path})"
    lines = [f"{total:,} samples (on-CPU)", "", "inclusive %  frame"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in inclusive.most_common(limit)]
    lines += ["", "self %  frame"]
    lines += [f"{100 * n / total:6.1f}  {name}" for name, n in own.most_common(limit)]
    lines += ["", "inclusive %  package / layer"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in packages.most_common(limit)]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Top frames of a py-spy --format raw recording")
    parser.add_argument("recording", type=Path)
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    print(top_frames(options.recording, options.top))
