"""The benchmark run: render each stack, time the path to a green test run, serve the project and
its bare app with one worker each on loopback, drive three calls with wrk, write the report."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bench import profile, report, wrk
from bench.stacks import BARE, BENCH, OVERLAY, STACKS, Stack

sys.path.insert(0, str(BENCH.parent / "tests"))
import harness  # noqa: E402  (the template tests' helpers: render, run, server, http)

UPSTREAM_DELAY = 0.05
TARGET_COPY_SECONDS = report.TARGET_COPY


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    path: str
    connections: int
    authenticated: bool


CASES = (
    Case("health", "GET /health", "/health", 64, False),
    Case("items", "GET /api/items (20 rows)", "/api/items", 64, True),
    # Last on each server: a sync worker is still draining this queue when wrk stops.
    Case("io", "I/O-bound (50 ms upstream)", "/api/bench/upstream", 256, True),
)


@dataclass(frozen=True)
class Mode:
    warmup: float  # seconds of load thrown away before each measured run
    seconds: float  # measured seconds per case
    profile_seconds: float  # 0: no profiles


FULL = Mode(warmup=3, seconds=15, profile_seconds=6)
SHORT = Mode(warmup=0, seconds=1, profile_seconds=0)


@dataclass
class Timing:
    """Seconds from `copier copy` to a green generated test run, warm uv cache."""

    copy: float
    sync: float
    tests: float

    @property
    def total(self) -> float:
        return self.copy + self.sync + self.tests


@dataclass
class Results:
    mode: Mode
    database: str
    measures: dict[str, dict[str, wrk.Measure]] = field(default_factory=dict)  # server -> case
    timings: dict[str, Timing] = field(default_factory=dict)
    copy_profiles: dict[str, str] = field(default_factory=dict)
    profiles: dict[tuple[str, str], str] = field(default_factory=dict)  # (server, case) -> text
    versions: dict[str, str] = field(default_factory=dict)


def bare_label(stack: str) -> str:
    return f"{stack} bare"


@contextmanager
def upstream():
    """The slow upstream stub in its own process; yields its URL."""
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}/"
    cmd = [sys.executable, "-m", "bench.upstream", str(port), str(UPSTREAM_DELAY)]
    with harness.server(cmd, BENCH.parent, url):
        yield url


def database_url(name: str, workdir: Path) -> str:
    """A fresh PostgreSQL database when one answers on loopback, else a fresh SQLite file."""
    if harness.postgres_available():
        return harness.fresh_postgres_database(name)
    return f"sqlite:///{workdir / (name + '.sqlite3')}"


def project_database_env(url: str) -> dict[str, str]:
    """Production requires DATABASE_URL: PostgreSQL when it answers, else a SQLite file."""
    return {"DATABASE_URL": url}


def server_env(extra: dict[str, str], upstream_url: str, pythonpath: Path) -> dict[str, str]:
    return {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # production refuses a weak or published one
        "WEB_CONCURRENCY": "1",  # one worker: the comparison is per worker
        "AUTH_RATE_LIMIT": "100000/minute",  # seeding and logging in are not the subject
        "BENCH_UPSTREAM_URL": upstream_url,
        "PYTHONPATH": str(pythonpath),
        **extra,
    }


def seed(base: str) -> str:
    """A fresh user and 20 items through the project's own API; returns an access token."""
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "bench-Password-9172"
    created = harness.http(
        "POST", f"{base}/api/auth/register", {"email": email, "password": password}
    )
    assert created.status == 201, created.text
    token = login(base, email, password)
    for number in range(20):
        item = {"title": f"Item {number}", "description": "seeded by the benchmark"}
        reply = harness.http("POST", f"{base}/api/items", item, token)
        assert reply.status == 201, reply.text
    listed = harness.http("GET", f"{base}/api/items", token=token).json()
    assert len(listed["results"]) == 20, listed
    return token


def login(base: str, email: str, password: str) -> str:
    reply = harness.http("POST", f"{base}/api/auth/token", {"email": email, "password": password})
    assert reply.status == 200, reply.text
    return reply.json()["access"]


def drive(
    base: str, token: str, mode: Mode, process=None
) -> tuple[dict[str, wrk.Measure], dict[str, str]]:
    """Each case: warm-up, the measured run, then (given the server process) a profiled run,
    before the next case, so no case is measured or profiled on another's leftover queue."""
    measures, profiles = {}, {}
    for case in CASES:
        url, auth = base + case.path, token if case.authenticated else None
        if mode.warmup:
            # Few connections, then a pause, so no queue is left over for the measured run.
            wrk.run(url, min(case.connections, 16), mode.warmup, auth)
            time.sleep(1)
        measures[case.key] = wrk.run(url, case.connections, mode.seconds, auth)
        if process is not None and mode.profile_seconds:
            load = partial(wrk.run, url, case.connections, mode.profile_seconds, auth)
            profiles[case.key] = profile.under_load(process.pid, mode.profile_seconds, load)
    return measures, profiles


def measure_stack(
    name: str, project: Path, upstream_url: str, mode: Mode, workdir: Path, results: Results
) -> None:
    """Serve the generated project, then its bare app, with the same command and one worker."""
    stack = STACKS[name]
    url = database_url(f"bench_{name}", workdir)
    env = server_env(project_database_env(url), upstream_url, OVERLAY)
    app, overlay_env = stack.overlay(project)
    env.update(overlay_env)
    port = harness.free_port()
    cmd, cmd_env = stack.command(app, port)
    env.update(cmd_env)
    harness.run([*stack.uv_run, *stack.migrate], project, **env)
    base = f"http://127.0.0.1:{port}"
    with harness.server(cmd, project, f"{base}/health", **env) as process:
        token = seed(base)
        results.measures[name], profiles = drive(base, token, mode, process)
        results.profiles.update({(name, case): text for case, text in profiles.items()})

    measure_bare(name, project, upstream_url, mode, workdir, results, token)
    results.versions.update(versions(stack, project))


def measure_bare(
    name: str,
    project: Path,
    upstream_url: str,
    mode: Mode,
    workdir: Path,
    results: Results,
    token: str | None,
) -> None:
    """The bare app, in the project's environment and with its server command."""
    stack = STACKS[name]
    database = {"BENCH_DATABASE_URL": database_url(f"bench_{name}_bare", workdir)}
    env = server_env(database, upstream_url, BARE)
    port = harness.free_port()
    base = f"http://127.0.0.1:{port}"
    cmd, cmd_env = stack.command(stack.bare_app, port)
    with harness.server(cmd, project, f"{base}/health", **env, **cmd_env):
        results.measures[bare_label(name)], _ = drive(base, token, mode)


def versions(stack: Stack, project: Path) -> dict[str, str]:
    """Versions in the environment the generated project is served from."""
    code = (
        "import importlib.metadata as m, platform, sys\n"
        "print('python', platform.python_version())\n"
        "for name in sys.argv[1:]:\n"
        "    try: print(name, m.version(name))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    out = harness.run([*stack.uv_run, "python", "-c", code, *stack.packages], project).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def copier_command(stack: str, dst: Path) -> list[str]:
    data = {**harness.DEFAULT_ANSWERS, "stack": stack}
    cmd = [str(Path(sys.executable).parent / "copier"), "copy", "--defaults", "--quiet"]
    cmd += ["--vcs-ref", "HEAD"]
    for key, value in data.items():
        cmd += ["--data", f"{key}={value}"]
    return [*cmd, str(harness.TEMPLATE), str(dst)]


def timed(cmd: list[str], cwd: Path, **env: str) -> float:
    start = time.perf_counter()
    harness.run(cmd, cwd, **env)
    return time.perf_counter() - start


def render_and_test(stack: str, workdir: Path, results: Results) -> Path:
    """`copier copy` as a user runs it, `uv sync`, the project's own tests: each timed.

    Python caches bytecode on a user's machine after the first run; where
    PYTHONDONTWRITEBYTECODE is set (as here), the timed copy would measure compiling copier
    instead. So one untimed copy first, with bytecode caching on, then the best of three: a
    one-second command is easily skewed by anything else the machine does."""
    project = workdir / stack
    caching = {"PYTHONDONTWRITEBYTECODE": ""}
    timed(copier_command(stack, workdir / f"{stack}-first-copy"), workdir, **caching)
    copies = [workdir / f"{stack}-copy-{n}" for n in range(2)] + [project]
    copy = min(timed(copier_command(stack, dst), workdir, **caching) for dst in copies)
    sync = timed(["uv", "sync"], project)
    tests = timed(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)
    results.timings[stack] = Timing(copy, sync, tests)
    if copy >= TARGET_COPY_SECONDS:
        results.copy_profiles[stack] = profile.copier_copy(
            copier_command(stack, workdir / f"{stack}-profiled"), workdir
        )
    return project


def main(argv: list[str] | None = None) -> Results:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--short", action="store_true", help="a few seconds per case (CI)")
    parser.add_argument("--stacks", default="drf,fastapi", help="stacks to load, comma-separated")
    parser.add_argument(
        "--timed", default="hybrid", help="more stacks for the copier-copy-to-green timing only"
    )
    parser.add_argument(
        "--out", type=Path, help="report folder (default: docs/, short: bench/out/)"
    )
    args = parser.parse_args(argv)
    mode = SHORT if args.short else FULL
    out = args.out or (BENCH.parent / ("bench/out" if args.short else "docs"))
    stacks = args.stacks.split(",")
    command = "uv run --with matplotlib --with py-spy python -m bench" + (
        " --short" if args.short else ""
    )

    wrk.ensure_wrk()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="stackwise-bench-") as tmp, upstream() as up:
        workdir = Path(tmp)
        results = Results(mode, "PostgreSQL" if harness.postgres_available() else "SQLite")
        projects = {}
        for stack in [*stacks, *filter(None, args.timed.split(","))]:
            print(f"[bench] {stack}: copier copy, uv sync, tests", flush=True)
            projects[stack] = render_and_test(stack, workdir, results)
        for stack in stacks:
            print(f"[bench] {stack}: serving and loading", flush=True)
            measure_stack(stack, projects[stack], up, mode, workdir, results)
    results.versions["copier"] = harness.run(
        [str(Path(sys.executable).parent / "copier"), "--version"], BENCH.parent
    ).stdout.split()[-1]
    results.versions["wrk"] = wrk.version()
    paths = report.write(results, CASES, stacks, out, command, load_before)
    print(f"[bench] wrote {', '.join(str(p) for p in paths)}")
    for server, cases in results.measures.items():
        for key, m in cases.items():
            print(
                f"  {server:13} {key:7} {m.rps:9.1f} rps  p50 {m.p50_ms:8.1f} ms  "
                f"p99 {m.p99_ms:8.1f} ms  non-2xx {m.non2xx}  socket errors {m.socket_errors}"
            )
    return results


if __name__ == "__main__":
    main()
