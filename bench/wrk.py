"""Drive a URL with wrk (Debian's package) and read back its numbers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass
class Measure:
    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def clean(self) -> bool:
        """It ran, and every answer it counted was a 2xx over a healthy socket."""
        return self.requests > 0 and self.non2xx == 0 and self.socket_errors == 0


def ensure_wrk() -> str:
    """wrk's path; on a fresh machine (CI) it is installed from Debian's packages first."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, capture_output=True)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        capture_output=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or "/usr/bin/wrk"


def version() -> str:
    result = subprocess.run([ensure_wrk(), "--version"], capture_output=True, text=True)
    return (result.stdout or result.stderr).split(" [")[0].strip()


def run(url: str, connections: int, seconds: float, token: str | None = None) -> Measure:
    """One wrk run with one thread (the server under test keeps the other core)."""
    duration = max(1, round(seconds))
    cmd = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    cmd += ["-s", str(SCRIPT), url]
    env = {**os.environ, "BENCH_TOKEN": token or ""}
    result = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=duration + 60, check=True
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH "))
    return Measure(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non2xx=data["non2xx"],
        socket_errors=sum(data[k] for k in ("connect_errors", "read_errors", "write_errors"))
        + data["timeouts"],
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )
