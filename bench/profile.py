"""Profiles that explain a missed target: py-spy sampling a server under wrk's load, and
cProfile around `copier copy`. Each comes back as a short text table for the report."""

from __future__ import annotations

import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

TOP = 24
# The server's own loop and the interpreter's start: in every sample, they explain no cost.
SERVER_LOOP = ("(gunicorn", "(uvicorn", "(click/", "(asyncio/", "(uvloop", "(<frozen runpy>")


def under_load(pid: int, seconds: float, load: Callable[[], object]) -> str:
    """Sample `pid` and its child processes with py-spy while `load()` runs."""
    spy = shutil.which("py-spy")
    if spy is None:
        return "(no profile: py-spy is not installed; run the documented command, `--with py-spy`)"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "profile.txt"
        cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking"]
        cmd += ["--rate", "200", "--duration", str(round(seconds)), "--format", "raw"]
        sampler = subprocess.Popen(
            [*cmd, "-o", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        load()
        _, errors = sampler.communicate(timeout=seconds + 60)
        if not raw.exists():
            return f"(no profile: py-spy failed: {errors.strip()[-300:]})"
        return summarize(raw.read_text())


def frame_name(frame: str) -> str:
    """`get (rest_framework/views.py:505)` -> `get (rest_framework/views.py)`: one row per
    function, its path cut to the package."""
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame.strip())
    if not match:
        return frame.strip()
    function, path = match.groups()
    path = re.sub(r".*/(site-packages|lib/python3\.\d+)/", "", path)
    path = re.sub(r".*/stackwise-bench-[^/]+/", "", path)
    return f"{function} ({path})"


def summarize(raw: str) -> str:
    """Inclusive and own share of samples per function, from py-spy's collapsed stacks."""
    inclusive, own, total = Counter(), Counter(), 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [frame_name(f) for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        total += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
        own[frames[-1]] += int(count)
    if not total:
        return "(no samples: the server was idle, waiting)"
    telling = [
        (name, n)
        for name, n in inclusive.most_common()
        if not any(marker in name for marker in SERVER_LOOP)
    ][:TOP]
    lines = [f"{total} samples, server loop omitted. Inclusive share (with what it calls):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in telling]
    lines.append("Own share (time spent in the function itself):")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(10)]
    return "\n".join(lines)


def copier_copy(cmd: list[str], cwd: Path) -> str:
    """cProfile of one `copier copy` run: copier's own functions and the subprocesses it
    spawns, by cumulative time, under the whole run's time."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "copy.prof"
        profiled = [sys.executable, "-m", "cProfile", "-o", str(out), *cmd]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}  # as timed: bytecode cached
        result = subprocess.run(profiled, cwd=cwd, capture_output=True, text=True, env=env)
        if not out.exists():
            return f"(no profile: {result.stderr.strip()[-300:]})"
        text = io.StringIO()
        stats = pstats.Stats(str(out), stream=text).sort_stats("cumulative")
        stats.print_stats(r"copier/_|run_proc|_bootstrap>:1165", 16)
    lines = [re.sub(r"\S*/site-packages/", "", line) for line in text.getvalue().splitlines()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    total = next(line.strip() for line in lines if "function calls" in line)
    return "\n".join([total, "", *lines[start:]]).rstrip()
